import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export function countsByConnection(db: Db, workspaceId: string) {
  return db.coverageRow.groupBy({ by: ["connectionId", "status"], where: { workspaceId, guardrail: { status: "active" } }, _count: { _all: true } });
}

export function countsByGuardrail(db: Db, workspaceId: string) {
  return db.coverageRow.groupBy({ by: ["guardrailId", "status"], where: { workspaceId, guardrail: { status: "active" } }, _count: { _all: true } });
}

export function connectionClouds(db: Db, workspaceId: string) {
  return db.connection.findMany({ where: { workspaceId }, select: { id: true, cloud: true } });
}

export function activeGuardrails(db: Db, workspaceId: string) {
  return db.guardrail.findMany({ where: { workspaceId, status: "active" }, select: { id: true, name: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** One page of environments (by id), optionally only those with a cell in `status`. */
export function environmentPage(db: Db, workspaceId: string, f: { connectionId?: string | undefined; status?: string | undefined; afterId?: string | undefined; take: number }) {
  return db.node.findMany({
    where: {
      workspaceId,
      isEnvironment: true,
      state: "active",
      ...(f.connectionId ? { connectionId: f.connectionId } : {}),
      ...(f.status ? { coverageRows: { some: { status: f.status as never, guardrail: { status: "active" } } } } : {}),
      ...(f.afterId ? { id: { gt: f.afterId } } : {}),
    },
    select: { id: true, name: true, externalId: true, connectionId: true, path: true },
    orderBy: { id: "asc" },
    take: f.take,
  });
}

export function cellsFor(db: Db, nodeIds: string[]) {
  return db.coverageRow.findMany({ where: { nodeId: { in: nodeIds }, guardrail: { status: "active" } }, select: { nodeId: true, guardrailId: true, status: true } });
}

export function nodeNames(db: Db, ids: string[]) {
  return db.node.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
}
