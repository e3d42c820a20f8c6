/**
 * Record phase, coverage: one row per environment × guardrail from what this run saw.
 *
 * Reads: the desired state's coverage intents and problems, the post-apply observation, the stored
 * rows a chunk of environments at a time. Writes: coverage_row, only the rows that changed
 * (coverage-rows.ts), in one transaction.
 * Guards: an unreadable artifact or target makes coverage `unknown`, never `drifted`; a guardrail held
 * back by a limit or compile problem is `pending` with the problem's text, not `enforced`.
 */
import type { ObservedState } from "@parapet/providers/contract";
import { writeCoverageRows, type CoverageRowInput } from "../coverage-rows.ts";
import type { DesiredState } from "../desired-state.ts";
import type { RunContext } from "./context.ts";

/** The coverage rows this run's outcome implies (pure). `applyFailed`: missing pieces are pending, not drifted. */
export function coverageRowsFor(
  state: Pick<DesiredState, "artifacts" | "coverage" | "problems">,
  observed: ObservedState,
  applyFailed: boolean,
): CoverageRowInput[] {
  const obs = new Map(observed.artifacts.filter((o) => o.owned).map((o) => [`${o.kind}|${o.name}`, o]));
  const desiredByKey = new Map(state.artifacts.map((d) => [`${d.kind}|${d.name}`, d]));
  const unreadableNames = new Set(observed.unreadable.filter((u) => u.name).map((u) => u.name!));
  const unreadableTargets = new Set(observed.unreadable.filter((u) => u.target).map((u) => u.target!));
  const limitGuardrails = new Map<string, string>();
  for (const p of state.problems) for (const g of p.guardrailIds) limitGuardrails.set(g, p.message);
  const rows: CoverageRowInput[] = [];
  for (const c of state.coverage) {
    let status: CoverageRowInput["status"] = c.status;
    let detail: string | null = null;
    if (limitGuardrails.has(c.guardrailId)) {
      status = "pending";
      detail = limitGuardrails.get(c.guardrailId)!.slice(0, 500);
    } else if (c.status === "enforced") {
      for (const r of c.requires) {
        if (unreadableNames.has(r.name) || unreadableTargets.has(r.target)) {
          status = "unknown";
          detail = `could not read ${r.name}`;
          break;
        }
        const o = obs.get(`${r.kind}|${r.name}`);
        const d = desiredByKey.get(`${r.kind}|${r.name}`);
        const ok = o && d && o.attachments.includes(r.target);
        if (!ok) {
          status = applyFailed ? "pending" : "drifted";
          detail = `${r.name} is not in place on ${r.target}`;
          break;
        }
      }
    }
    rows.push({ nodeId: c.nodeId, guardrailId: c.guardrailId, status, fidelity: c.fidelity, detail });
  }
  return rows;
}

export async function recordCoverage(ctx: RunContext, state: DesiredState, observed: ObservedState, applyFailed: boolean): Promise<void> {
  const nodeIds = new Set(state.coverage.map((c) => c.nodeId));
  // The rows of one chunk of environments at a time: never the whole connection's rows at once.
  const rowsOf = (chunk: ReadonlySet<string>) =>
    coverageRowsFor({ ...state, coverage: state.coverage.filter((c) => chunk.has(c.nodeId)) }, observed, applyFailed);
  await writeCoverageRows(ctx.deps.prisma, ctx.conn.workspaceId, ctx.connectionId, [...nodeIds], rowsOf);
}
