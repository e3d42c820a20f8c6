import { readRows, type PrismaClient, type Tx } from "@parapet/db";
import type { TCoverageStatus } from "../reports/model.ts";

type Db = PrismaClient | Tx;

/**
 * Cell counts per connection × guardrail × status for the given (active) guardrails: the workspace's
 * rows of coverage_count (a few hundred), which triggers keep equal to coverage_row in the same
 * transaction as every write (migration 20261207010000_coverage_aggregates), so no read groups the cells.
 */
export function countsByConnectionAndGuardrail(db: Db, workspaceId: string, guardrailIds: string[]) {
  // A plain statement on the pool (readRows): ~1,200 rows at 4 connections × 50 guardrails × 6
  // statuses, which Prisma's row mapping took ~1.7× as long to return as the query itself.
  return readRows<{ connectionId: string; guardrailId: string; status: string; n: number }>(
    db,
    `SELECT "connectionId", "guardrailId", status::text AS status, n FROM coverage_count
     WHERE "workspaceId" = $1 AND "guardrailId" = ANY($2::text[])`,
    [workspaceId, guardrailIds],
  );
}

// The dashboard's reads below run on every page view: plain statements on the pool (readRows), which
// cost a fraction of a Prisma query's CPU (bench/RESULTS.md §4f).

export function connectionClouds(db: Db, workspaceId: string) {
  return readRows<{ id: string; cloud: string }>(db, `SELECT id, cloud::text AS cloud FROM connection WHERE "workspaceId" = $1`, [
    workspaceId,
  ]);
}

export function activeGuardrails(db: Db, workspaceId: string) {
  return readRows<{ id: string; name: string; controlId: string }>(
    db,
    `SELECT id, name, "controlId" FROM guardrail WHERE "workspaceId" = $1 AND status = 'active' ORDER BY "createdAt", id`,
    [workspaceId],
  );
}

export interface MatrixPageRow {
  id: string;
  name: string;
  externalId: string;
  connectionId: string;
  path: string;
  sortKey: string;
  /** Guardrail id → status, every guardrail's (the caller reads out the active ones); null: no cells. */
  cells: Record<string, TCoverageStatus> | null;
  /** The posture scan's verdicts here (issue 19): control id → status and the policies credited. */
  posture: Array<{ controlId: string; status: string; enforcedBy: string[] }> | null;
}

/**
 * One page of environments in hierarchy (tree) order: by connection, then depth-first with siblings by
 * lower(name) then id, optionally only those with a cell in `status`. The order is the stored
 * `node.sortKey` (maintained by triggers, see the node_sort_key migration), so a page is a range scan of
 * the (workspaceId | connectionId, sortKey) index of active environments starting after the cursor's key:
 * it reads about `take` rows whatever page it is.
 *
 * The status filter is an EXISTS per candidate, which the (workspaceId, status, nodeId) index answers
 * with one probe; for a status few cells have, the planner instead reads that status's index range and
 * sorts the few environments it names. Either way a page never reads the workspace's cells.
 *
 * Each row carries its cells, the environment's node_cells object (guardrail id → status, kept by
 * triggers in the same statement as coverage_row: migration 20261208140000_node_cells), and its posture
 * verdicts: one statement, and one primary-key read per environment for its cells. Aggregating the
 * environment's 50 coverage rows instead cost the database ~2.3 ms of a page's ~3.3 ms (bench/RESULTS.md §4j).
 */
export function matrixPage(
  db: Db,
  workspaceId: string,
  f: { connectionId?: string | undefined; status?: string | undefined; afterKey?: string | undefined; take: number },
): Promise<MatrixPageRow[]> {
  const values: unknown[] = [workspaceId, f.take];
  const param = (v: unknown) => `$${values.push(v)}`;
  const conn = f.connectionId ? `AND n."connectionId" = ${param(f.connectionId)}` : "";
  const after = f.afterKey !== undefined ? `AND n."sortKey" > ${param(f.afterKey)}` : "";
  const status = f.status
    ? `AND EXISTS (SELECT 1 FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
                   WHERE cr."workspaceId" = $1 AND cr.status = ${param(f.status)}::"CoverageStatus" AND cr."nodeId" = n.id)`
    : "";
  // The cells and posture are computed in the outer query, so only for the page's rows (a status filter
  // may make the planner sort many candidates below the LIMIT).
  return readRows<MatrixPageRow>(
    db,
    `SELECT e.*,
            (SELECT nc.cells FROM node_cells nc WHERE nc."nodeId" = e.id) AS cells,
            (SELECT json_agg(json_build_object('controlId', p."controlId", 'status', p.status, 'enforcedBy', p."enforcedBy"))
             FROM posture_result p WHERE p."nodeId" = e.id) AS posture
     FROM (SELECT n.id, n.name, n."externalId", n."connectionId", n.path, n."sortKey" FROM node n
           WHERE n."workspaceId" = $1 AND n."isEnvironment" AND n.state = 'active' ${conn} ${after} ${status}
           ORDER BY n."sortKey"
           LIMIT $2) e
     ORDER BY e."sortKey"`,
    values,
  );
}

export function nodeNames(db: Db, ids: string[]) {
  return readRows<{ id: string; name: string }>(db, `SELECT id, name FROM node WHERE id = ANY($1::text[])`, [ids]);
}

/** Native kinds that bind protection to a place in the hierarchy (definitions and constraints only declare it). */
const ATTACHING_KINDS = [
  "aws.scp",
  "aws.rcp",
  "azure.policy-assignment",
  "gcp.org-policy",
  "gcp.deny-policy",
  "oci.policy",
  "oci.security-zone",
];

/** Parapet's artifacts of a connection that attach somewhere (a handful per attachment point). */
export function attachingArtifacts(db: Db, connectionId: string) {
  return readRows<{ kind: string; name: string; state: string; attachments: unknown; guardrailIds: string[] }>(
    db,
    `SELECT kind, name, state, attachments, "guardrailIds" FROM artifact
     WHERE "connectionId" = $1 AND kind = ANY($2::text[]) AND state <> 'deleting'
     ORDER BY kind, name`,
    [connectionId, ATTACHING_KINDS],
  );
}

/** One environment's cells (active guardrails only), with why a cell is not enforced. */
export async function nodeCells(db: Db, nodeId: string) {
  const rows = await readRows<{ guardrailId: string; status: string; fidelity: string; detail: string | null; updatedAtMs: number }>(
    db,
    `SELECT cr."guardrailId", cr.status::text AS status, cr.fidelity, cr.detail, (extract(epoch FROM cr."updatedAt") * 1000)::float8 AS "updatedAtMs"
     FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
     WHERE cr."nodeId" = $1`,
    [nodeId],
  );
  return rows.map(({ updatedAtMs, ...r }) => ({ ...r, updatedAt: new Date(updatedAtMs) }));
}

/**
 * Cell counts per guardrail × status over the active environments below a scope: a node id, or the
 * connection id for the whole connection. One primary-key range of coverage_subtree_count, which
 * triggers on coverage_row and node keep exact (a retired or moved environment moves its cells).
 * Counts of guardrails that are not active are left for the caller to ignore (it lists active ones).
 */
export function subtreeCounts(db: Db, scopeId: string) {
  return readRows<{ guardrailId: string; status: string; n: number }>(
    db,
    `SELECT "guardrailId", status::text AS status, n FROM coverage_subtree_count WHERE "scopeId" = $1`,
    [scopeId],
  );
}

/**
 * Active guardrails with the mode and remediation of their current version (of the five newest, else
 * the newest; audit/auto when a guardrail has none).
 */
export function activeGuardrailDetails(db: Db, workspaceId: string) {
  return readRows<{ id: string; name: string; controlId: string; mode: string; remediation: string }>(
    db,
    `SELECT g.id, g.name, g."controlId", coalesce(v.mode, 'audit') AS mode, coalesce(v.remediation, 'auto') AS remediation
     FROM guardrail g
     LEFT JOIN LATERAL (
       SELECT top.mode, top.remediation FROM (
         SELECT gv.version, gv.mode::text AS mode, gv.remediation::text AS remediation FROM guardrail_version gv
         WHERE gv."guardrailId" = g.id ORDER BY gv.version DESC LIMIT 5
       ) top ORDER BY (top.version = g."currentVersion") DESC, top.version DESC LIMIT 1
     ) v ON true
     WHERE g."workspaceId" = $1 AND g.status = 'active'
     ORDER BY g."createdAt", g.id`,
    [workspaceId],
  );
}

export function pathNodes(db: Db, ids: string[]) {
  return readRows<{ id: string; name: string; kind: string; externalId: string; depth: number }>(
    db,
    `SELECT id, name, kind, "externalId", depth FROM node WHERE id = ANY($1::text[])`,
    [ids],
  );
}

/** Active exemptions on a node or any ancestor (an exemption covers its subtree). */
export async function exemptionsOn(db: Db, workspaceId: string, nodeIds: string[]) {
  const rows = await readRows<{ id: string; guardrailId: string; nodeId: string; reason: string; ownerEmail: string; expiresAtMs: number }>(
    db,
    `SELECT id, "guardrailId", "nodeId", reason, "ownerEmail", (extract(epoch FROM "expiresAt") * 1000)::float8 AS "expiresAtMs"
     FROM exemption WHERE "workspaceId" = $1 AND "nodeId" = ANY($2::text[]) AND status = 'active'`,
    [workspaceId, nodeIds],
  );
  return rows.map(({ expiresAtMs, ...r }) => ({ ...r, expiresAt: new Date(expiresAtMs) }));
}
