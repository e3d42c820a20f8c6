import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { decodeCursor, toPage, ZSortKeyCursor } from "../common/pagination.ts";
import { nodeView } from "./node-view.ts";
import { connectionInWorkspace, listNodes as rows } from "./nodes.repository.ts";

/** One level of a connection's hierarchy (roots by default), or a search by name / cloud id, in tree order. */
export async function listNodes(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  connectionId: string,
  q: { parentId?: string | undefined; q?: string | undefined; limit: number; cursor?: string | undefined },
) {
  const after = decodeCursor(q.cursor, ZSortKeyCursor);
  // Both at once: the page is filtered by workspace and connection itself, so it leaks nothing when the
  // connection turns out not to be the caller's (the page is then dropped for the 404).
  const [exists, list] = await Promise.all([
    connectionInWorkspace(deps.prisma, actor.workspaceId, connectionId),
    rows(deps.prisma, {
      workspaceId: actor.workspaceId,
      connectionId,
      parentId: q.parentId,
      q: q.q?.trim() || undefined,
      afterKey: after?.k,
      take: q.limit + 1,
    }),
  ]);
  if (!exists) throw notFound("connection", connectionId);
  return toPage(list, q.limit, nodeView, (n) => ({ k: n.sortKey }));
}
