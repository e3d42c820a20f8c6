import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { connectionView } from "./connection-view.ts";
import { environmentCounts, findConnection } from "./connections.repository.ts";

export async function getConnection(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  return connectionView(c, (await environmentCounts(deps.prisma, actor.workspaceId)).get(id) ?? 0);
}
