/**
 * Coverage rows (one per environment × guardrail) are rewritten from each reconcile's result, but only
 * where something changed: a steady-state reconcile of a 10,000-environment connection with 50
 * guardrails reads its 500,000 rows and writes none, instead of deleting and re-inserting them all
 * (index churn, table bloat and minutes of database work every poll interval). The changes go in one
 * transaction so readers never see a half-updated matrix.
 *
 * Memory stays bounded whatever the connection's size: the environments are taken a chunk at a time
 * (their desired rows computed, their stored rows read, diffed and written), so a run holds one chunk's
 * rows, never the connection's whole table twice over (desired + stored) plus the diff.
 */
import type { PrismaClient, Tx } from "@parapet/db";
import {
  applyCoverageDiff,
  coverageTransaction,
  existingCoverageRows,
  rebuildCoverageAggregates,
  startBulkCoverage,
  storedCoverageNodeIds,
} from "./coverage-rows.repository.ts";

type CoverageStatusValue = "enforced" | "audit" | "exempt" | "drifted" | "unsupported" | "unknown" | "pending";

export interface CoverageRowInput {
  nodeId: string;
  guardrailId: string;
  status: CoverageStatusValue;
  fidelity: string;
  detail: string | null;
}

export interface CoverageWrite {
  inserted: number;
  updated: number;
  deleted: number;
}

interface Existing {
  id: string;
  nodeId: string;
  guardrailId: string;
  status: string;
  fidelity: string;
  detail: string | null;
}

/**
 * Rows per statement. Kept small on purpose, besides bounding each statement: Prisma keeps the arguments
 * of its last 100 debug calls (@prisma/debug's history, for error reports), among them the plan of each
 * of its last ~33 queries, and a createMany plan carries its rows inline (~2–4 KiB a row). 5,000-row
 * statements kept hundreds of MiB alive for the rest of the process; 200-row ones keep ~25 MiB.
 */
const BATCH = 200;
/** Environments diffed and written together. */
const NODES_PER_CHUNK = 1000;
/**
 * A from-scratch write of a 100,000-environment connection (hundreds of thousands of rows, through
 * the coverage triggers) takes minutes on a loaded database; the transaction must outlast it.
 */
const TX_TIMEOUT_MS = 15 * 60_000;
/**
 * Past this many rows written in one transaction, the connection's aggregate counts are recounted once
 * before commit instead of updated by every statement's trigger: updating the same aggregate rows from
 * hundreds of statements of one transaction slows each update down (row versions pile up until commit;
 * 332 s of trigger time for a first write of 500,000 cells, bench/RESULTS.md §4c), while a recount of
 * the connection is one pass over its rows. Below it — a steady-state reconcile's few changes — the
 * triggers' per-statement deltas are cheaper than a recount.
 */
const BULK_AFTER_ROWS = 5_000;

/** What has to change to turn `existing` into `rows` (pure, so it is tested without a database). */
export function diffCoverage(
  existing: Existing[],
  rows: CoverageRowInput[],
): { inserts: CoverageRowInput[]; updates: Map<string, { row: CoverageRowInput; ids: string[] }>; deletes: string[] } {
  const byKey = new Map(existing.map((e) => [`${e.nodeId}|${e.guardrailId}`, e]));
  const inserts: CoverageRowInput[] = [];
  // Rows changing to the same (status, fidelity, detail) are updated together in one statement.
  const updates = new Map<string, { row: CoverageRowInput; ids: string[] }>();
  for (const r of rows) {
    const key = `${r.nodeId}|${r.guardrailId}`;
    const e = byKey.get(key);
    if (!e) {
      inserts.push(r);
      continue;
    }
    byKey.delete(key);
    if (e.status === r.status && e.fidelity === r.fidelity && (e.detail ?? null) === (r.detail ?? null)) continue;
    const group = JSON.stringify([r.status, r.fidelity, r.detail ?? null]);
    const u = updates.get(group) ?? { row: r, ids: [] };
    u.ids.push(e.id);
    updates.set(group, u);
  }
  return { inserts, updates, deletes: [...byKey.values()].map((e) => e.id) };
}

/**
 * Writes the coverage of `nodeIds` (the environments the run covers): `rowsOf(chunk)` gives the desired
 * rows of a chunk of them. Stored rows of any other environment are deleted. A first pass only reads,
 * chunk by chunk, up to the first chunk with a change, so a steady-state run writes nothing and opens no
 * transaction; from that chunk on, one transaction re-reads, diffs and writes each chunk.
 */
export async function writeCoverageRows(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  nodeIds: readonly string[],
  rowsOf: (chunk: ReadonlySet<string>) => CoverageRowInput[],
  opts: { bulkAfterRows?: number } = {},
): Promise<CoverageWrite> {
  const bulkAfterRows = opts.bulkAfterRows ?? BULK_AFTER_ROWS;
  const wanted = new Set(nodeIds);
  // Environments with stored rows that this run does not cover (removed, or out of every scope): their
  // rows go, through the same chunked diff (an empty desired set).
  const stale = (await storedCoverageNodeIds(prisma, connectionId)).filter((id) => !wanted.has(id));
  const all = [...wanted, ...stale];
  const chunks: string[][] = [];
  for (let i = 0; i < all.length; i += NODES_PER_CHUNK) chunks.push(all.slice(i, i + NODES_PER_CHUNK));
  const diffOf = async (db: PrismaClient | Tx, chunk: string[]) =>
    diffCoverage(await existingCoverageRows(db, connectionId, chunk), rowsOf(new Set(chunk)));
  const changes = (d: Awaited<ReturnType<typeof diffOf>>) => d.inserts.length + d.deletes.length + d.updates.size;

  let first = 0;
  while (first < chunks.length && changes(await diffOf(prisma, chunks[first]!)) === 0) first++;
  if (first === chunks.length) return { inserted: 0, updated: 0, deleted: 0 };

  const out: CoverageWrite = { inserted: 0, updated: 0, deleted: 0 };
  await coverageTransaction(
    prisma,
    async (tx) => {
      let bulk = false;
      for (const chunk of chunks.slice(first)) {
        const d = await diffOf(tx, chunk);
        if (!changes(d)) continue;
        const updated = [...d.updates.values()].reduce((n, u) => n + u.ids.length, 0);
        if (!bulk && out.inserted + out.updated + out.deleted + d.inserts.length + updated + d.deletes.length > bulkAfterRows) {
          await startBulkCoverage(tx, connectionId);
          bulk = true;
        }
        await applyCoverageDiff(tx, workspaceId, connectionId, d, BATCH);
        out.inserted += d.inserts.length;
        out.updated += updated;
        out.deleted += d.deletes.length;
      }
      if (bulk) await rebuildCoverageAggregates(tx, connectionId);
    },
    TX_TIMEOUT_MS,
  );
  return out;
}
