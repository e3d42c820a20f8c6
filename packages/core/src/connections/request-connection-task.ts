import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { findConnection, transaction, updateConnection } from "./connections.repository.ts";

/**
 * Verify / discover / preview need the connection's credentials, which only the worker decrypts:
 * the API records the request and queues it; results land on the connection (verifyResult, nodes)
 * or as a preview run.
 */
export async function requestConnectionTask(deps: UseCaseDeps, actor: Actor, id: string, task: "verify" | "discover" | "preview") {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  if (c.status === "disabled") throw new AppError("conflict", `connection: "${c.name}" is disabled`);
  await transaction(deps.prisma, async (tx) => {
    if (task === "verify") await updateConnection(tx, id, { status: "verifying" });
    await appendAudit(tx, { ...auditBy(actor), action: `connection.${task}_requested`, targetType: "connection", targetId: id, data: {} });
  });
  try {
    const jobId = await deps.jobs.enqueueConnectionTask({ connectionId: id, task, requestedBy: actor.label.slice(0, 200) });
    return { jobId };
  } catch {
    throw new AppError("unavailable", "the job queue is unreachable right now; try again in a moment");
  }
}
