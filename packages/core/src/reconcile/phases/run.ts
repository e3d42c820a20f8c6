/**
 * Record phase, the run itself: the reconcile_run row (opened before anything is written, closed with the
 * outcome) and the connection's last outcome, which the console shows.
 *
 * Reads: nothing. Writes: reconcile_run (insert, update), connection (`lastReconciledAt`,
 * `lastReconcileStatus`, `lastError`, and `status` back to active after an error clears).
 * Guards: users read classified text only (a provider's raw answer goes to the operator log); a run that
 * dies mid-way is still reported as failed when the database allows, and the next run closes it anyway.
 */
import type { CallStats } from "@parapet/providers/contract";
import { isProviderError, logDetail, publicMessage } from "@parapet/providers/contract";
import { AppError } from "../../common/errors.ts";
import type { Plan } from "../plan.ts";
import { insertReconcileRun, updateConnectionOutcome, updateReconcileRun } from "../reconcile-runs.repository.ts";
import type { DesiredState } from "../desired-state.ts";
import type { FindingChanges } from "./record-drift.ts";
import {
  EMPTY_CALLS,
  type Applied,
  type ReconcilableConnection,
  type ReconcileDeps,
  type ReconcileOptions,
  type ReconcileSummary,
  type RunContext,
  type RunRow,
} from "./context.ts";
import { skipReasonText, type SkipReason } from "../skip-reason.ts";
import { LeaseLostError } from "./lease.ts";
import { emitNotifications } from "../../notifications/emit.ts";

const NOTHING_DONE = { problems: [], applied: 0, failed: 0, driftOpened: 0, driftResolved: 0, calls: EMPTY_CALLS };

/** The summary of a reconcile that did not run (nothing was written). */
export function skipped(connectionId: string, reason: SkipReason): ReconcileSummary {
  return { connectionId, ...NOTHING_DONE, status: "skipped", skip: reason, skippedReason: skipReasonText(reason) };
}

export async function openRun(deps: ReconcileDeps, conn: ReconcilableConnection, opts: ReconcileOptions): Promise<RunRow> {
  return insertReconcileRun(deps.prisma, { workspaceId: conn.workspaceId, connectionId: conn.id, trigger: opts.trigger });
}

/** The summary of a dry run: the plan, nothing applied or recorded. */
export function dryRunSummary(connectionId: string, plan: Plan, problems: DesiredState["problems"], calls: CallStats): ReconcileSummary {
  return { connectionId, ...NOTHING_DONE, status: "succeeded", plan, problems, calls };
}

export async function finishRun(
  ctx: RunContext,
  run: RunRow,
  outcome: { plan: Plan; problems: DesiredState["problems"]; applied: Applied; findings: FindingChanges },
): Promise<ReconcileSummary> {
  const { prisma } = ctx.deps;
  const { connectionId, conn } = ctx;
  const { plan, problems, findings } = outcome;
  const { applied, failed, applyError } = outcome.applied;
  const calls = ctx.adapter.stats();
  const status = failed ? "failed" : problems.length || plan.unknown.length ? "partial" : "succeeded";
  await updateReconcileRun(prisma, run.id, {
    status,
    plan: JSON.parse(
      JSON.stringify({
        changes: plan.changes.map((c) => ({ op: c.change.op, cause: c.cause, reason: c.change.reason })),
        problems,
        unknown: plan.unknown,
      }),
    ) as object,
    readCalls: calls.reads,
    writeCalls: calls.writes,
    throttled: calls.throttled,
    driftOpened: findings.opened.length,
    driftResolved: findings.resolved.length,
    error: applyError ?? null,
    finishedAt: new Date(),
  });
  await updateConnectionOutcome(prisma, connectionId, {
    lastReconciledAt: new Date(),
    lastReconcileStatus: status,
    lastError: applyError ?? problems[0]?.message ?? null,
    ...(conn.status === "error" && !applyError ? { status: "active" } : {}),
  });
  return {
    connectionId,
    ...NOTHING_DONE,
    status,
    runId: run.id,
    plan,
    problems,
    applied,
    failed,
    driftOpened: findings.opened.length,
    driftResolved: findings.resolved.length,
    calls,
    ...(applyError ? { error: applyError } : {}),
  };
}

/**
 * The text users read for a failed run. Parapet's own refusals (AppError) are written for people from
 * facts Parapet checked and say what to do; anything else may carry a cloud's or a library's raw text
 * and is classified (SSRF: nothing read back).
 */
export function runFailureMessage(e: unknown): string {
  // Parapet's own text (lease.ts), naming no cloud or library.
  if (e instanceof LeaseLostError) return e.message;
  return isProviderError(e) ? `${e.kind}: ${publicMessage(e)}` : e instanceof AppError ? e.message : publicMessage(e);
}

/** Ends a run that threw: logged for the operator, reported as failed on the run and the connection. */
export async function failRun(
  deps: ReconcileDeps,
  connectionId: string,
  run: RunRow | undefined,
  e: unknown,
  calls: CallStats,
): Promise<ReconcileSummary> {
  const message = runFailureMessage(e);
  deps.log?.(`reconcile ${connectionId} failed: ${logDetail(e)}`);
  if (e instanceof LeaseLostError) {
    // Another worker may be reconciling the connection now: close this run, but leave the connection's
    // outcome to the run that holds the lease.
    if (run)
      await updateReconcileRun(deps.prisma, run.id, { status: "failed", error: message.slice(0, 2000), finishedAt: new Date() }).catch(
        () => undefined,
      );
    return { connectionId, ...NOTHING_DONE, status: "failed", ...(run ? { runId: run.id } : {}), error: message, calls, leaseLost: true };
  }
  if (run) {
    // Tell people (a row; the notifications worker sends it). The database may be what failed: then nothing is told.
    if (run.workspaceId)
      await emitNotifications(deps.prisma, [
        {
          workspaceId: run.workspaceId,
          type: "reconcile.failed",
          severity: "critical",
          title: `Reconcile run failed: ${message.slice(0, 200)}`,
          connectionId,
          detail: { run: run.id, error: message.slice(0, 300) },
          dedupKey: `reconcile-failed:${connectionId}`,
        },
      ]).catch(() => undefined);
    // The failure may be the database itself (restarted mid-run): report the run as failed either way;
    // the next run closes this one and settles its open intents.
    await updateReconcileRun(deps.prisma, run.id, { status: "failed", error: message.slice(0, 2000), finishedAt: new Date() }).catch(
      () => undefined,
    );
    await updateConnectionOutcome(deps.prisma, connectionId, {
      lastReconcileStatus: "failed",
      lastError: message.slice(0, 2000),
      lastReconciledAt: new Date(),
    }).catch(() => undefined);
  }
  return { connectionId, ...NOTHING_DONE, status: "failed", ...(run ? { runId: run.id } : {}), error: message, calls };
}
