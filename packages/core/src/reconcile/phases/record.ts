/**
 * Record phase (live runs): what this run found and did becomes Parapet's record — artifacts, drift
 * findings, coverage rows, uncovered environments, audit events, then the run and the connection's outcome.
 *
 * Reads/writes: see record-artifacts.ts, record-drift.ts, record-coverage.ts, run.ts; audit_event
 * (bounded batches).
 * Guards: drift left in place (notify, or a failed repair) keeps its baseline, so it stays drift next run;
 * audit appends stay short transactions whatever the run's size.
 */
import type { ObservedState } from "@parapet/providers/contract";
import { appendAudit } from "../../audit/audit.repository.ts";
import type { DesiredState } from "../desired-state.ts";
import type { Applied, Loaded, Planned, ReconcileSummary, RunContext, RunRow } from "./context.ts";
import { recordArtifacts } from "./record-artifacts.ts";
import { recordCoverage } from "./record-coverage.ts";
import { recordDrift, recordUncovered } from "./record-drift.ts";
import { finishRun } from "./run.ts";

/** Audit events appended per transaction at the end of a run (drift, problems): bounded, whatever the run's size. */
const AUDIT_BATCH = 200;

export interface RecordInput {
  loaded: Loaded;
  planned: Planned;
  applied: Applied;
  /** The cloud after apply (the first observation when nothing was written). */
  observed: ObservedState;
  newEnvironmentIds: string[];
}

export async function record(ctx: RunContext, run: RunRow, input: RecordInput): Promise<ReconcileSummary> {
  const { loaded, planned, applied, observed } = input;
  const { plan } = planned;
  const { adapter, system, connectionId } = ctx;
  // Everything below writes: only while this run holds the lease (one that lapsed mid-apply stops here).
  ctx.lease.assertHeld();
  // Problems found while applying (cleanups left to a person) count like plan-time ones from here on.
  const state: DesiredState = { ...planned.state, problems: [...planned.state.problems, ...applied.problems] };
  // Drift left in place (notify, or a failed repair) keeps its baseline: the record stays "what we applied".
  const keepBaseline = new Set(plan.drift.filter((d) => !d.repaired || applied.failed > 0).map((d) => d.name));
  const phase = ctx.deps.onPhase ?? (() => undefined);
  phase("record-artifacts");
  await recordArtifacts(ctx, state.artifacts, observed, keepBaseline, (d, o) => adapter.compare(d, o));
  phase("record-drift");
  const findings = await recordDrift(ctx, plan, applied.failed === 0, state.artifacts, observed, loaded.desired.nodeIdByExternal);
  phase("record-coverage");
  await recordCoverage(ctx, state, observed, applied.failed > 0);
  phase("record-uncovered");
  await recordUncovered(ctx, loaded.desired, state, input.newEnvironmentIds);

  phase("record-audit");
  const audit = ctx.audit;
  for (const f of findings.opened)
    audit.push({ ...system, action: "drift.opened", targetType: "drift", targetId: f.id, data: { kind: f.kind, summary: f.summary } });
  for (const f of findings.resolved)
    audit.push({ ...system, action: "drift.resolved", targetType: "drift", targetId: f.id, data: { resolution: f.resolution } });
  for (const p of state.problems)
    audit.push({
      ...system,
      action: "reconcile.problem",
      targetType: "connection",
      targetId: connectionId,
      data: { code: p.code, message: p.message, guardrails: p.guardrailIds },
    });
  // Bounded batches: each is one short transaction, whatever the size of the run.
  for (let i = 0; i < audit.length; i += AUDIT_BATCH) await appendAudit(ctx.deps.prisma, audit.slice(i, i + AUDIT_BATCH));

  return finishRun(ctx, run, { plan, problems: state.problems, applied, findings });
}
