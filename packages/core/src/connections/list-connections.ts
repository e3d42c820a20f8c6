import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { connectionView } from "./connection-view.ts";
import { environmentCounts, listConnections as rows } from "./connections.repository.ts";

export async function listConnections(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const [list, envs] = await Promise.all([rows(deps.prisma, actor.workspaceId), environmentCounts(deps.prisma, actor.workspaceId)]);
  return { items: list.map((c) => connectionView(c, envs.get(c.id) ?? 0)) };
}
