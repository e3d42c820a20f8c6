/**
 * The reconcile queue: one job per connection at a time (deterministic job id), looping while new
 * requests arrive during a run (the pending flag), plus the poll tick that requests reconciles for
 * connections whose interval has passed. Per-connection exclusivity across processes is the lease
 * inside reconcileConnection; a job that finds the lease held (a dead worker's, or a run its stalled
 * copy is still doing) waits in the delayed set for the lease to end instead of being dropped.
 */
import { DelayedError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { DbClient as PrismaClient } from "@parapet/core/common/actor";
import { dueConnectionIds } from "@parapet/core/reconcile/reconcile-runs.repository";
import {
  jobData,
  jobProcessor,
  QUEUES,
  reconcilePendingKey,
  reconcileRepairKey,
  requestReconcile,
  ZReconcileJob,
  type Keyring,
  type TReconcileJob,
} from "@parapet/core";
import {
  reconcileConnection,
  type AdapterFactory,
  type ReconcileDeps,
  type ReconcileSummary,
} from "@parapet/core/reconcile/reconcile-connection";
import { retryAfterSkip } from "@parapet/core/reconcile/skip-reason";
import { DEFAULT_LEASE_MS, leaseRenewMs } from "@parapet/core/reconcile/phases/lease";
import { leaseExpiresInMs } from "@parapet/core/reconcile/lease.repository";
import type { Queue } from "bullmq";
import { log, type Logger } from "@parapet/core/common/logger";
import { loggedProcessor, logOtherFailures } from "../job-log.ts";

export interface ReconcileWorkerDeps {
  prisma: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  bullPrefix: string;
  keys: Keyring;
  adapterFor: AdapterFactory;
  workerId: string;
  concurrency: number;
  /** A full discovery runs at most this often per connection without being asked (core's default: 24 h). */
  fullDiscoveryIntervalSec?: number;
  reconcileQueue: Queue;
  /** The per-connection reconcile lease (PARAPET_RECONCILE_LEASE_SEC); DEFAULT_LEASE_MS when unset. */
  leaseMs?: number;
  /** Base of the per-job loggers (the root logger by default). */
  logger?: Logger;
  /** Told as each reconcile phase starts (the memory benchmark's per-phase sampling); see ReconcileDeps. */
  onPhase?: ReconcileDeps["onPhase"];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the run could not do its work because another worker holds, or took, the connection's lease. */
const leaseInTheWay = (s: ReconcileSummary) => s.leaseLost === true || (s.skip !== undefined && retryAfterSkip(s.skip));

/**
 * Puts the job back in the delayed set until the connection's lease can be taken, with the request it
 * was carrying (trigger, reason, discover, repair), and ends this attempt (BullMQ's DelayedError: not
 * counted as a failure or an attempt). The job keeps its deterministic id, so requests arriving in the
 * meantime collapse into it (their pending flag makes it loop) instead of multiplying jobs.
 */
async function deferUntilLeaseEnds(deps: ReconcileWorkerDeps, job: Job, request: TReconcileJob): Promise<never> {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const left = await leaseExpiresInMs(deps.prisma, request.connectionId);
  // Until the holder's lease runs out (a dead holder), but no longer than one renewal period: a live
  // holder renews it and may finish and release long before, and this job should follow soon after.
  // The floor keeps a just-released lease from turning into a tight loop.
  const delay = Math.min(Math.max((left ?? 0) + DEFER_MARGIN_MS, DEFER_MARGIN_MS), leaseRenewMs(leaseMs));
  await job.updateData(request);
  await job.moveToDelayed(Date.now() + delay, job.token);
  log().info(
    { connectionId: request.connectionId, trigger: request.trigger, delayMs: delay, leaseLeftMs: left },
    "reconcile deferred: lease held",
  );
  throw new DelayedError();
}

/** After the lease's recorded end: the database and this process measure the same span, give or take a round trip. */
const DEFER_MARGIN_MS = 500;

/**
 * Runs the job's reconcile, then again while requests arrived during the run. Given the BullMQ job, a
 * held lease defers the job (deferUntilLeaseEnds); called without one (tests, benchmarks, the fault
 * suite's child), it waits in process for up to 30 s instead.
 */
export async function processReconcile(deps: ReconcileWorkerDeps, data: unknown, job?: Job): Promise<ReconcileSummary[]> {
  const request = jobData(QUEUES.reconcile, ZReconcileJob, { name: "reconcile.run", data });
  const key = reconcilePendingKey(deps.redisPrefix, request.connectionId);
  const runs: ReconcileSummary[] = [];
  let discover = request.discover ?? false;
  for (let round = 0; round < 20; round++) {
    const flag = await deps.redis.getdel(key);
    if (flag === "discover") discover = true;
    if (round > 0 && flag === null) break;
    // A repair request may have collapsed into this job (or arrived during the last round): read it per round.
    // Always consumed (even when the job itself asks to repair), so a used request never repairs a later run.
    const flagged = (await deps.redis.getdel(reconcileRepairKey(deps.redisPrefix, request.connectionId))) !== null;
    const repair = request.repair === true || flagged;
    const opts = {
      trigger: round === 0 ? request.trigger : ("event" as const),
      discover,
      repair,
      ...(request.reason ? { reason: request.reason } : {}),
    };
    let summary = await reconcileConnection(deps, request.connectionId, opts);
    // Another process holds the lease (a dead worker's, or a stalled copy of this job still running), or
    // took it mid-run: wait for it instead of racing, and never drop the request.
    // Decided on the typed reason (only a held lease ends by itself), never on the reason's text.
    if (job && leaseInTheWay(summary)) {
      // The flags read above are carried in the job's data, so the deferred run still discovers or repairs.
      await deferUntilLeaseEnds(deps, job, {
        connectionId: request.connectionId,
        trigger: opts.trigger,
        ...(discover ? { discover: true } : {}),
        ...(repair ? { repair: true } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      });
    }
    for (let wait = 0; leaseInTheWay(summary) && wait < 30; wait++) {
      await sleep(1000);
      // The same request (trigger and reason), so the run that finally goes ahead records why it ran.
      summary = await reconcileConnection(deps, request.connectionId, opts);
    }
    runs.push(summary);
    discover = false;
    log()[summary.status === "failed" ? "warn" : "info"](
      {
        connectionId: request.connectionId,
        trigger: request.trigger,
        round,
        status: summary.status,
        ...(summary.skippedReason ? { skippedReason: summary.skippedReason } : {}),
        applied: summary.applied,
        failed: summary.failed,
        driftOpened: summary.driftOpened,
        driftResolved: summary.driftResolved,
        reads: summary.calls.reads,
        writes: summary.calls.writes,
        ...(summary.error ? { error: summary.error } : {}),
      },
      "reconcile run",
    );
  }
  return runs;
}

/** Requests a reconcile for every active connection whose polling interval has passed. */
async function pollDueConnections(deps: ReconcileWorkerDeps): Promise<number> {
  const due = await dueConnectionIds(deps.prisma);
  for (const c of due) await requestReconcile(deps.reconcileQueue, deps.redis, deps.redisPrefix, { connectionId: c.id, trigger: "poll" });
  return due.length;
}

/**
 * How soon a dead worker's reconcile jobs go to another worker. BullMQ's defaults (a 30 s job lock and
 * a 30 s stall check) hand them over 30–90 s after the death: longer than the default lease's 40–60 s
 * left at a kill, so the handover, not the lease, would decide the recovery. A third of the lease for
 * the lock (renewed every sixth) and a sixth for the stall check bring the handover to at most half the
 * lease, so the re-delivered job is waiting (deferred until the lease ends) by the time the lease lapses.
 * Floors of 5 s and 2 s, so an event loop busy for a few seconds (a large plan) does not cost a job its
 * lock; ceilings of BullMQ's defaults. The lease keeps a falsely stalled job harmless (its copy defers
 * until the run ends), so two stalls are allowed before BullMQ fails the job instead of one.
 */
export function reconcileJobLocks(leaseMs: number): { lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  return {
    lockDuration: Math.min(30_000, Math.max(5_000, Math.round(leaseMs / 3))),
    stalledInterval: Math.min(30_000, Math.max(2_000, Math.round(leaseMs / 6))),
    maxStalledCount: 2,
  };
}

export function createReconcileWorker(deps: ReconcileWorkerDeps, connection: Redis): Worker {
  const worker = new Worker(
    QUEUES.reconcile,
    loggedProcessor(
      jobProcessor(QUEUES.reconcile, {
        "reconcile.poll-tick": async () => ({ requested: await pollDueConnections(deps) }),
        "reconcile.run": async (payload, job) => {
          const runs = await processReconcile(deps, payload, job);
          return runs.map((r) => ({
            status: r.status,
            applied: r.applied,
            failed: r.failed,
            driftOpened: r.driftOpened,
            driftResolved: r.driftResolved,
          }));
        },
      }),
      { logger: deps.logger, quiet: ["reconcile.poll-tick"] },
    ),
    { connection, prefix: deps.bullPrefix, concurrency: deps.concurrency, ...reconcileJobLocks(deps.leaseMs ?? DEFAULT_LEASE_MS) },
  );
  logOtherFailures(worker, deps.logger);
  return worker;
}
