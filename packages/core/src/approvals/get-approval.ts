import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { approvalView } from "./approval-view.ts";
import { findApproval, usersById } from "./approvals.repository.ts";

export async function getApproval(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const a = await findApproval(deps.prisma, actor.workspaceId, id);
  if (!a) throw notFound("approval", id);
  const users = new Map((await usersById(deps.prisma, [a.requestedById, ...(a.decidedById ? [a.decidedById] : [])])).map((u) => [u.id, u]));
  return approvalView(a, users);
}
