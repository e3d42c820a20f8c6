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
  return readRows<{ id: string; name: string }>(
    db,
    `SELECT id, name FROM guardrail WHERE "workspaceId" = $1 AND status = 'active' ORDER BY "createdAt", id`,
    [workspaceId],
  );
}

export interface EnvironmentRow {
  id: string;
  name: string;
  externalId: string;
  connectionId: string;
  path: string;
  sortKey: string;
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
 */
export function environmentPage(
  db: Db,
  workspaceId: string,
  f: { connectionId?: string | undefined; status?: string | undefined; afterKey?: string | undefined; take: number },
): Promise<EnvironmentRow[]> {
  const values: unknown[] = [workspaceId, f.take];
  const param = (v: unknown) => `$${values.push(v)}`;
  const conn = f.connectionId ? `AND n."connectionId" = ${param(f.connectionId)}` : "";
  const after = f.afterKey !== undefined ? `AND n."sortKey" > ${param(f.afterKey)}` : "";
  const status = f.status
    ? `AND EXISTS (SELECT 1 FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
                   WHERE cr."workspaceId" = $1 AND cr.status = ${param(f.status)}::"CoverageStatus" AND cr."nodeId" = n.id)`
    : "";
  return readRows<EnvironmentRow>(
    db,
    `SELECT n.id, n.name, n."externalId", n."connectionId", n.path, n."sortKey" FROM node n
     WHERE n."workspaceId" = $1 AND n."isEnvironment" AND n.state = 'active' ${conn} ${after} ${status}
     ORDER BY n."sortKey"
     LIMIT $2`,
    values,
  );
}

/**
 * The cells of a page of environments (active guardrails only), one row per environment with its cells
 * as { guardrailId: status }: a page of 100 environments × 50 guardrails is 100 rows rather than 5,000
 * through the driver and Prisma, which was most of a matrix page's time once the page itself became an
 * index range.
 */
export function cellsFor(db: Db, nodeIds: string[]): Promise<Array<{ nodeId: string; cells: Record<string, TCoverageStatus> }>> {
  if (nodeIds.length === 0) return Promise.resolve([]);
  return readRows(
    db,
    `SELECT cr."nodeId", jsonb_object_agg(cr."guardrailId", cr.status) AS cells
     FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
     WHERE cr."nodeId" = ANY($1::text[])
     GROUP BY cr."nodeId"`,
    [nodeIds],
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
  return db.artifact.findMany({
    where: { connectionId, kind: { in: ATTACHING_KINDS }, state: { not: "deleting" } },
    select: { kind: true, name: true, state: true, attachments: true, guardrailIds: true },
    orderBy: [{ kind: "asc" }, { name: "asc" }],
  });
}

/** One environment's cells, with why a cell is not enforced. */
export function nodeCells(db: Db, nodeId: string) {
  return db.coverageRow.findMany({
    where: { nodeId, guardrail: { status: "active" } },
    select: { guardrailId: true, status: true, fidelity: true, detail: true, updatedAt: true },
  });
}

/**
 * Cell counts per guardrail × status over the active environments below a scope: a node id, or the
 * connection id for the whole connection. One primary-key range of coverage_subtree_count, which
 * triggers on coverage_row and node keep exact (a retired or moved environment moves its cells).
 * Counts of guardrails that are not active are left for the caller to ignore (it lists active ones).
 */
export function subtreeCounts(db: Db, scopeId: string) {
  return db.coverageSubtreeCount.findMany({ where: { scopeId }, select: { guardrailId: true, status: true, n: true } });
}

/** Active guardrails with the mode and remediation of their current version. */
export async function activeGuardrailDetails(db: Db, workspaceId: string) {
  const gs = await db.guardrail.findMany({
    where: { workspaceId, status: "active" },
    select: {
      id: true,
      name: true,
      controlId: true,
      currentVersion: true,
      versions: { select: { version: true, mode: true, remediation: true }, orderBy: { version: "desc" }, take: 5 },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return gs.map((g) => {
    const v = g.versions.find((x) => x.version === g.currentVersion) ?? g.versions[0];
    return { id: g.id, name: g.name, controlId: g.controlId, mode: v?.mode ?? "audit", remediation: v?.remediation ?? "auto" };
  });
}

export function pathNodes(db: Db, ids: string[]) {
  return db.node.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, kind: true, externalId: true, depth: true } });
}

/** Active exemptions on a node or any ancestor (an exemption covers its subtree). */
export function exemptionsOn(db: Db, workspaceId: string, nodeIds: string[]) {
  return db.exemption.findMany({
    where: { workspaceId, nodeId: { in: nodeIds }, status: "active" },
    select: { id: true, guardrailId: true, nodeId: true, reason: true, ownerEmail: true, expiresAt: true },
  });
}
