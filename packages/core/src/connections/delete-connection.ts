import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { retryOnConflict } from "../common/retry.ts";
import { deleteConnection as remove, findConnection, lockConnectionForDelete, transaction } from "./connections.repository.ts";

/**
 * Removes Parapet's management of a connection (its nodes, coverage, drift and records go with it).
 * It does not touch the cloud; the caller confirms by repeating the connection's name.
 */
export async function deleteConnection(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string, confirm: string) {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  if (confirm !== c.name) {
    const message = `must repeat the connection's name "${c.name}" to confirm`;
    throw new AppError("validation", `confirm: ${message}`, [{ field: "confirm", message }]);
  }
  // A deadlock with a worker still writing this connection's rows is resolved by Postgres aborting one
  // side; if it picked us, the worker has finished by the time we try again.
  await retryOnConflict(() =>
    transaction(deps.prisma, async (tx) => {
      // Someone else deleted it meanwhile: same answer as for any connection that is not there.
      if (!(await lockConnectionForDelete(tx, id))) throw notFound("connection", id);
      await appendAudit(tx, {
        ...auditBy(actor),
        action: "connection.deleted",
        targetType: "connection",
        targetId: id,
        data: { cloud: c.cloud, name: c.name, rootId: c.rootId },
      });
      await remove(tx, id);
    }),
  );
  return { id, deleted: true };
}
