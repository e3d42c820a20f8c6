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
import { emitNotifications } from "../../notifications/emit.ts";
import type { NotificationEventInput } from "../../notifications/events.ts";

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

  await emitNotifications(
    ctx.deps.prisma,
    driftNotices(ctx, loaded, state, findings, plan.drift.some((d) => d.repaired) && applied.failed > 0, applied.applyError),
  );

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

/**
 * Alert events for what this run found (rows only: the notifications worker sends them later, so a
 * slow receiver never slows the engine). A drift's dedup key is its finding, so a repair closes the
 * incident its detection opened.
 */
function driftNotices(
  ctx: RunContext,
  loaded: Loaded,
  state: DesiredState,
  findings: Awaited<ReturnType<typeof recordDrift>>,
  repairFailed: boolean,
  applyError: string | undefined,
): NotificationEventInput[] {
  const nodes = new Map(loaded.desired.input.nodes.map((n) => [n.id, n]));
  const { workspaceId, id: connectionId, name: connectionName } = ctx.conn;
  const attachedTo = new Map(state.artifacts.map((a) => [a.name, a.attachments[0]]));
  const { nodeIdByExternal } = loaded.desired;
  const out: NotificationEventInput[] = findings.notices.map((n) => {
    // A finding on a node, else the first place its artifact attaches (a deleted policy names none).
    const external = n.artifact ? attachedTo.get(n.artifact) : undefined;
    const nodeId = n.nodeId ?? (external ? nodeIdByExternal.get(external) : undefined);
    const node = nodeId ? nodes.get(nodeId) : undefined;
    const where = node ? ` in ${node.name}` : "";
    const title =
      n.event === "drift.repaired"
        ? `Drift repaired${where}: ${n.summary}`
        : n.event === "drift.left_open"
          ? `Drift left open for review${where}: ${n.summary}`
          : `Drift detected${where}: ${n.summary}`;
    return {
      workspaceId,
      type: n.event,
      severity: n.event === "drift.repaired" ? "info" : "warning",
      title,
      connectionId,
      guardrailId: n.guardrailId,
      labels: node?.labels ?? {},
      detail: { connection: connectionName, environment: node?.name ?? null, kind: n.kind },
      dedupKey: `drift:${n.findingId}`,
      resolves: n.event === "drift.repaired",
    };
  });
  if (repairFailed)
    out.push({
      workspaceId,
      type: "repair.failed",
      severity: "critical",
      title: `Repair failed on ${connectionName}`,
      connectionId,
      detail: { connection: connectionName, error: (applyError ?? "").slice(0, 300) || null },
      dedupKey: `repair-failed:${connectionId}`,
    });
  return out;
}
