import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { findDrift } from "./drift.repository.ts";

/**
 * Asks for an immediate manual reconcile of the finding's connection. The reconciler decides what
 * is repaired (a guardrail set to notify is repaired when a person asks for it).
 */
export async function reapplyDrift(deps: UseCaseDeps, actor: Actor, id: string) {
  const d = await findDrift(deps.prisma, actor.workspaceId, id);
  if (!d) throw notFound("drift finding", id);
  if (d.status !== "open") throw new AppError("conflict", `drift: the finding is already resolved (${d.resolution ?? "resolved"})`);
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "drift.reapply_requested",
    targetType: "drift",
    targetId: id,
    data: { connectionId: d.connection.id, kind: d.kind },
  });
  try {
    await deps.jobs.requestReconcile({ connectionId: d.connection.id, trigger: "manual", reason: `repair drift ${id}`, repair: true });
  } catch {
    throw new AppError("unavailable", "the job queue is unreachable right now; try again in a moment");
  }
  return { queued: true, connectionId: d.connection.id };
}
