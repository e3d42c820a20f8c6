import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { notFound } from "../common/errors.ts";
import { guardrailView } from "./guardrail-view.ts";
import { findGuardrail, reconcilableConnectionIds, setGuardrailStatus, transaction } from "./guardrails.repository.ts";

/** Re-enabling adds protection back, so it applies at once. Enabling an active guardrail changes nothing. */
export async function enableGuardrail(deps: UseCaseDeps, actor: Actor, id: string) {
  const g = await findGuardrail(deps.prisma, actor.workspaceId, id);
  if (!g || g.status === "deleted") throw notFound("guardrail", id);
  if (g.status === "active") return guardrailView(g);
  const connections = await transaction(deps.prisma, async (tx) => {
    await setGuardrailStatus(tx, id, "active");
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "guardrail.enabled",
      targetType: "guardrail",
      targetId: id,
      data: { version: g.currentVersion },
    });
    return reconcilableConnectionIds(tx, actor.workspaceId);
  });
  await reconcileAfterCommit(deps.jobs, connections, "guardrail-change", `guardrail ${id} enabled`);
  return guardrailView({ ...g, status: "active" });
}
