import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { findConnection } from "./connections.repository.ts";

export async function requestManualReconcile(deps: UseCaseDeps, actor: Actor, id: string, reason = "manual reconcile") {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "connection.reconcile_requested",
    targetType: "connection",
    targetId: id,
    data: { reason },
  });
  try {
    await deps.jobs.requestReconcile({ connectionId: id, trigger: "manual", reason: reason.slice(0, 500) });
  } catch {
    throw new AppError("unavailable", "the job queue is unreachable right now; try again in a moment");
  }
  return { queued: true, connectionId: id };
}
