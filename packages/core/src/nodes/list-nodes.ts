import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { decodeCursor, toPage, ZSortKeyCursor } from "../common/pagination.ts";
import { findConnection } from "../connections/connections.repository.ts";
import { nodeView } from "./node-view.ts";
import { listNodes as rows } from "./nodes.repository.ts";

/** One level of a connection's hierarchy (roots by default), or a search by name / cloud id, in tree order. */
export async function listNodes(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  connectionId: string,
  q: { parentId?: string | undefined; q?: string | undefined; limit: number; cursor?: string | undefined },
) {
  const c = await findConnection(deps.prisma, actor.workspaceId, connectionId);
  if (!c) throw notFound("connection", connectionId);
  const after = decodeCursor(q.cursor, ZSortKeyCursor);
  const list = await rows(deps.prisma, {
    workspaceId: actor.workspaceId,
    connectionId,
    parentId: q.parentId,
    q: q.q?.trim() || undefined,
    afterKey: after?.k,
    take: q.limit + 1,
  });
  return toPage(list, q.limit, nodeView, (n) => ({ k: n.sortKey }));
}
