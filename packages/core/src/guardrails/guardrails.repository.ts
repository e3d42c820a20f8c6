import type { PrismaClient, Tx } from "@parapet/db";
import type { TVersionSpec } from "./guardrails.schema.ts";

type Db = PrismaClient | Tx;

const withCurrent = { versions: { orderBy: { version: "desc" as const }, take: 1 } };

export function listGuardrails(db: Db, workspaceId: string, status?: "active" | "disabled" | "deleted") {
  return db.guardrail.findMany({
    where: { workspaceId, ...(status ? { status } : { status: { not: "deleted" } }) },
    include: withCurrent,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

export function findGuardrail(db: Db, workspaceId: string, id: string) {
  return db.guardrail.findFirst({ where: { id, workspaceId }, include: withCurrent });
}

export function findGuardrailWithVersions(db: Db, workspaceId: string, id: string) {
  return db.guardrail.findFirst({ where: { id, workspaceId }, include: { versions: { orderBy: { version: "asc" } } } });
}

export function findVersions(db: Db, guardrailId: string, versions: number[]) {
  return db.guardrailVersion.findMany({ where: { guardrailId, version: { in: versions } } });
}

/**
 * Per guardrail × coverage status counts for the workspace, or for one guardrail: summed over
 * connections from coverage_count (kept equal to coverage_row by triggers), not grouped from the cells.
 */
export async function coverageCounts(db: Db, workspaceId: string, guardrailId?: string) {
  const rows = await db.coverageCount.groupBy({
    by: ["guardrailId", "status"],
    where: { workspaceId, ...(guardrailId ? { guardrailId } : {}) },
    _sum: { n: true },
  });
  return rows.map((r) => ({ guardrailId: r.guardrailId, status: r.status, n: r._sum.n ?? 0 }));
}

export function pendingApprovals(db: Db, workspaceId: string, subjectType: string) {
  return db.approval.findMany({ where: { workspaceId, subjectType, status: "pending" }, select: { id: true, subjectId: true } });
}

export function createGuardrail(
  tx: Tx,
  data: { workspaceId: string; controlId: string; name: string; description: string; createdById: string; spec: TVersionSpec },
) {
  return tx.guardrail.create({
    data: {
      workspaceId: data.workspaceId,
      controlId: data.controlId,
      name: data.name,
      description: data.description,
      createdById: data.createdById,
      currentVersion: 1,
      versions: { create: { version: 1, ...specData(data.spec), note: "created", createdById: data.createdById } },
    },
    include: withCurrent,
  });
}

function specData(s: TVersionSpec) {
  return { params: s.params as object, scope: s.scope as object, mode: s.mode, remediation: s.remediation };
}

/** Appends version `version` and makes it current, guarded on the version the change was based on. */
export async function addVersion(
  tx: Tx,
  g: { id: string; baseVersion: number; name?: string | undefined; description?: string | undefined },
  spec: TVersionSpec,
  note: string,
  createdById: string,
): Promise<boolean> {
  const n = await tx.guardrail.updateMany({
    where: { id: g.id, currentVersion: g.baseVersion },
    data: {
      currentVersion: g.baseVersion + 1,
      ...(g.name !== undefined ? { name: g.name } : {}),
      ...(g.description !== undefined ? { description: g.description } : {}),
    },
  });
  if (n.count !== 1) return false;
  await tx.guardrailVersion.create({ data: { guardrailId: g.id, version: g.baseVersion + 1, ...specData(spec), note, createdById } });
  return true;
}

export function renameGuardrail(tx: Tx, id: string, data: { name?: string | undefined; description?: string | undefined }) {
  return tx.guardrail.update({
    where: { id },
    data: {
      ...(data.name !== undefined ? { name: data.name } : {}),
      ...(data.description !== undefined ? { description: data.description } : {}),
    },
  });
}

export function setGuardrailStatus(tx: Tx, id: string, status: "active" | "disabled" | "deleted") {
  return tx.guardrail.update({ where: { id }, data: { status } });
}

/** Connections a reconcile can act on (the reconciler skips drafts and credential-less ones itself). */
export async function reconcilableConnectionIds(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.connection.findMany({
    where: { workspaceId, status: { in: ["active", "error", "verifying"] } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

export function workspaceConnections(db: Db, workspaceId: string) {
  return db.connection.findMany({
    where: { workspaceId },
    select: { id: true, cloud: true, status: true, facts: true, principals: true, credentialHints: true },
    orderBy: { createdAt: "asc" },
  });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 60_000 });
}

/** Active guardrails with every version's scope (the caller picks the current one). */
export function activeGuardrailScopes(db: Db, workspaceId: string) {
  return db.guardrail.findMany({
    where: { workspaceId, status: "active" },
    select: { id: true, name: true, currentVersion: true, versions: { select: { version: true, scope: true } } },
  });
}
