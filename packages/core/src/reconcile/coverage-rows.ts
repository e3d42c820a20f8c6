/**
 * Coverage rows (one per environment × guardrail) are rewritten from each reconcile's result, but only
 * where something changed: a steady-state reconcile of a 10,000-environment connection with 50
 * guardrails reads its 500,000 rows and writes none, instead of deleting and re-inserting them all
 * (index churn, table bloat and minutes of database work every poll interval). The changes go in one
 * transaction so readers never see a half-updated matrix.
 */
import type { PrismaClient } from "@parapet/db";
import { applyCoverageDiff, existingCoverageRows } from "./coverage-rows.repository.ts";

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

const BATCH = 5000;

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

export async function writeCoverageRows(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  rows: CoverageRowInput[],
): Promise<CoverageWrite> {
  const existing = await existingCoverageRows(prisma, connectionId);
  const { inserts, updates, deletes } = diffCoverage(existing, rows);
  const updated = [...updates.values()].reduce((n, u) => n + u.ids.length, 0);
  if (!inserts.length && !updated && !deletes.length) return { inserted: 0, updated: 0, deleted: 0 };
  await applyCoverageDiff(prisma, workspaceId, connectionId, { inserts, updates, deletes }, BATCH);
  return { inserted: inserts.length, updated, deleted: deletes.length };
}
