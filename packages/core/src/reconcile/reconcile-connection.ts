/**
 * One reconcile of one connection, as a pipeline of named phases (each in `phases/`, each saying what it
 * reads, writes and guards):
 *
 *   load connection → lease → open run → connect → discover → load state → observe → settle intents
 *   → plan → (dry run: stop here) → apply → observe again → adopt (approved adoptions only) → record
 *
 * Level-triggered and idempotent: running it again converges, and a crash anywhere is repaired by the
 * next run. Each applied change is recorded (artifact record, intent, audit event) as soon as the cloud
 * takes it, and the next run settles the one change a dead worker had in flight from what the cloud shows
 * (apply-journal.ts): what Parapet did is never reported as drift. Drift itself is detected in
 * `drift/detect-drift.ts`.
 *
 * A reconcile that cannot start comes back `skipped` with a typed `skip` (skip-reason.ts); one that
 * fails after starting comes back `failed`, with the run and the connection saying why.
 */
import type { CloudAdapter } from "@parapet/providers/contract";
import {
  EMPTY_CALLS,
  type ReconcilableConnection,
  type ReconcileDeps,
  type ReconcileOptions,
  type ReconcileSummary,
  type RunContext,
  type RunRow,
} from "./phases/context.ts";
import { adopt } from "./phases/adopt.ts";
import { apply } from "./phases/apply.ts";
import { discover } from "./phases/discover.ts";
import { NO_LEASE, takeLease, type RunLease } from "./phases/lease.ts";
import { connect, loadConnection, loadState } from "./phases/load.ts";
import { observe, observeAfterApply } from "./phases/observe.ts";
import { plan } from "./phases/plan.ts";
import { record } from "./phases/record.ts";
import { dryRunSummary, failRun, openRun, skipped } from "./phases/run.ts";
import { settleIntents } from "./phases/settle-intents.ts";

export type { AdapterFactory, AdapterRequest, ReconcileDeps, ReconcileOptions, ReconcileSummary } from "./phases/context.ts";
export { loadDesired } from "./phases/load.ts";

export async function reconcileConnection(deps: ReconcileDeps, connectionId: string, opts: ReconcileOptions): Promise<ReconcileSummary> {
  const found = await loadConnection(deps.prisma, connectionId);
  if (found.kind === "skip") return skipped(connectionId, found.reason);
  const { conn } = found;
  // A dry run writes nothing, so it needs no lease and opens no run.
  const lease = opts.dryRun ? NO_LEASE : await takeLease(deps, connectionId);
  if (!lease) return skipped(connectionId, { kind: "lease-held" });
  try {
    // A run row that cannot be written throws from here (the job is retried); the lease is given back
    // either way, or its renew timer would hold it (and every other worker off this connection) for as
    // long as this process lives.
    const run = opts.dryRun ? undefined : await openRun(deps, conn, opts);
    return await runPhases(deps, conn, opts, run, lease);
  } finally {
    lease.stopRenewing();
    await lease.release();
  }
}

/** Connect → … → record, for a connection whose lease is held (or a dry run); a failure ends the run as failed. */
async function runPhases(
  deps: ReconcileDeps,
  conn: ReconcilableConnection,
  opts: ReconcileOptions,
  run: RunRow | undefined,
  lease: RunLease,
): Promise<ReconcileSummary> {
  const connectionId = conn.id;
  let adapter: CloudAdapter | undefined;
  try {
    const connected = await connect(deps, conn);
    adapter = connected.adapter;
    const system = {
      workspaceId: conn.workspaceId,
      actorType: "system" as const,
      actorId: deps.workerId,
      actorLabel: "Parapet reconciler",
    };
    // Each phase that writes checks the lease first (ctx.lease.assertHeld): a run whose lease lapsed stops.
    const ctx: RunContext = { deps, opts, connectionId, conn, adapter, system, audit: [], lease };

    const phase = deps.onPhase ?? (() => undefined);
    phase("discover");
    const { newEnvironmentIds } = await discover(ctx);
    phase("load");
    const loaded = await loadState(ctx, connected.credentials, run);
    phase("observe");
    const seen = await observe(ctx, loaded);
    phase("settle");
    const recorded = run ? await settleIntents(ctx, run, loaded, seen.observed) : loaded.recorded;
    phase("plan");
    const planned = plan(ctx, loaded, seen.observed, recorded);
    if (!run) return dryRunSummary(connectionId, planned.plan, planned.state.problems, adapter.stats());

    phase("apply");
    const applied = await apply(ctx, run, planned.plan, seen.observed);
    phase("observe-after");
    const observed = await observeAfterApply(ctx, seen, planned.state.artifacts, applied);
    phase("adopt");
    await adopt(ctx, planned.state.artifacts, observed);
    return await record(ctx, run, { loaded, planned, applied, observed, newEnvironmentIds });
  } catch (e) {
    return await failRun(deps, connectionId, run, e, adapter?.stats() ?? EMPTY_CALLS);
  } finally {
    await adapter?.close().catch(() => undefined);
    deps.onPhase?.("done");
  }
}
