import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { exemptionView } from "./exemption-view.ts";
import { listExemptions as rows } from "./exemptions.repository.ts";

export async function listExemptions(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  status?: "pending_approval" | "active" | "expired" | "revoked" | "rejected",
) {
  return { items: (await rows(deps.prisma, actor.workspaceId, status)).map(exemptionView) };
}
