import { readRows, type PrismaClient, type Tx } from "@parapet/db";
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

export interface GuardrailDetailRow {
  id: string;
  controlId: string;
  name: string;
  description: string;
  status: string;
  currentVersion: number;
  createdAt: Date;
  updatedAt: Date;
  versions: Array<{
    version: number;
    params: unknown;
    scope: unknown;
    mode: string;
    remediation: string;
    note: string;
    createdById: string | null;
    createdAt: Date;
  }>;
  /** Coverage cells per status, summed over connections (coverage_count). */
  counts: Record<string, number>;
  pendingApprovalId: string | null;
  code: { key: string; repo: string; commit: string; appliedAt: Date } | null;
}

/**
 * A guardrail's detail page in one statement: the guardrail, its versions, its coverage counts (from the
 * coverage_count aggregate), its pending approval and its code source. It was five Prisma statements
 * (findFirst + include, groupBy, two findFirst), which cost the server ~4× the CPU of this one
 * (bench/RESULTS.md §4h). Times travel as epoch milliseconds (readRows: `timestamp` columns would be read
 * in the process's time zone).
 */
export async function guardrailDetail(db: Db, workspaceId: string, id: string): Promise<GuardrailDetailRow | null> {
  const rows = await readRows<
    Omit<GuardrailDetailRow, "createdAt" | "updatedAt" | "versions" | "code"> & {
      createdAtMs: number;
      updatedAtMs: number;
      versions: Array<Omit<GuardrailDetailRow["versions"][number], "createdAt"> & { createdAtMs: number }>;
      code: { key: string; repo: string; commit: string; appliedAtMs: number } | null;
    }
  >(
    db,
    `SELECT g.id, g."controlId", g.name, g.description, g.status::text AS status, g."currentVersion",
            (extract(epoch FROM g."createdAt") * 1000)::float8 AS "createdAtMs",
            (extract(epoch FROM g."updatedAt") * 1000)::float8 AS "updatedAtMs",
            (SELECT coalesce(json_agg(json_build_object(
                      'version', v.version, 'params', v.params, 'scope', v.scope, 'mode', v.mode, 'remediation', v.remediation,
                      'note', v.note, 'createdById', v."createdById",
                      'createdAtMs', (extract(epoch FROM v."createdAt") * 1000)::float8) ORDER BY v.version), '[]'::json)
             FROM guardrail_version v WHERE v."guardrailId" = g.id) AS versions,
            (SELECT coalesce(json_object_agg(c.status, c.n), '{}'::json)
             FROM (SELECT status::text AS status, sum(n)::int AS n FROM coverage_count
                   WHERE "workspaceId" = g."workspaceId" AND "guardrailId" = g.id GROUP BY status) c) AS counts,
            (SELECT a.id FROM approval a
             WHERE a."workspaceId" = g."workspaceId" AND a."subjectType" = 'guardrail' AND a."subjectId" = g.id AND a.status = 'pending'
             ORDER BY a."createdAt" LIMIT 1) AS "pendingApprovalId",
            (SELECT json_build_object('key', s.key, 'repo', s.repo, 'commit', s.commit,
                                      'appliedAtMs', (extract(epoch FROM s."appliedAt") * 1000)::float8)
             FROM guardrail_code_source s WHERE s."guardrailId" = g.id AND s."workspaceId" = g."workspaceId") AS code
     FROM guardrail g
     WHERE g.id = $1 AND g."workspaceId" = $2`,
    [id, workspaceId],
  );
  const r = rows[0];
  if (!r) return null;
  const { createdAtMs, updatedAtMs, versions, code, ...rest } = r;
  return {
    ...rest,
    createdAt: new Date(createdAtMs),
    updatedAt: new Date(updatedAtMs),
    versions: versions.map(({ createdAtMs: at, ...v }) => ({ ...v, createdAt: new Date(at) })),
    code: code ? { key: code.key, repo: code.repo, commit: code.commit, appliedAt: new Date(code.appliedAtMs) } : null,
  };
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
