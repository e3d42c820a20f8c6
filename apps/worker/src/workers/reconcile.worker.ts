/**
 * The reconcile queue: one job per connection at a time (deterministic job id), looping while new
 * requests arrive during a run (the pending flag), plus the poll tick that requests reconciles for
 * connections whose interval has passed. Per-connection exclusivity across processes is the lease
 * inside reconcileConnection.
 */
import { Worker } from "bullmq";
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
} from "@parapet/core";
import {
  reconcileConnection,
  type AdapterFactory,
  type ReconcileDeps,
  type ReconcileSummary,
} from "@parapet/core/reconcile/reconcile-connection";
import { retryAfterSkip } from "@parapet/core/reconcile/skip-reason";
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
  reconcileQueue: Queue;
  /** Base of the per-job loggers (the root logger by default). */
  logger?: Logger;
  /** Told as each reconcile phase starts (the memory benchmark's per-phase sampling); see ReconcileDeps. */
  onPhase?: ReconcileDeps["onPhase"];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function processReconcile(deps: ReconcileWorkerDeps, data: unknown): Promise<ReconcileSummary[]> {
  const job = jobData(QUEUES.reconcile, ZReconcileJob, { name: "reconcile.run", data });
  const key = reconcilePendingKey(deps.redisPrefix, job.connectionId);
  const runs: ReconcileSummary[] = [];
  let discover = job.discover ?? false;
  for (let round = 0; round < 20; round++) {
    const flag = await deps.redis.getdel(key);
    if (flag === "discover") discover = true;
    if (round > 0 && flag === null) break;
    // A repair request may have collapsed into this job (or arrived during the last round): read it per round.
    // Always consumed (even when the job itself asks to repair), so a used request never repairs a later run.
    const flagged = (await deps.redis.getdel(reconcileRepairKey(deps.redisPrefix, job.connectionId))) !== null;
    const repair = job.repair === true || flagged;
    const opts = {
      trigger: round === 0 ? job.trigger : ("event" as const),
      discover,
      repair,
      ...(job.reason ? { reason: job.reason } : {}),
    };
    let summary = await reconcileConnection(deps, job.connectionId, opts);
    // Another process holds the lease (e.g. a stalled job re-delivered): wait for it instead of racing.
    // Decided on the typed reason (only a held lease ends by itself), never on the reason's text.
    for (let wait = 0; summary.skip !== undefined && retryAfterSkip(summary.skip) && wait < 30; wait++) {
      await sleep(1000);
      // The same request (trigger and reason), so the run that finally goes ahead records why it ran.
      summary = await reconcileConnection(deps, job.connectionId, opts);
    }
    runs.push(summary);
    discover = false;
    log()[summary.status === "failed" ? "warn" : "info"](
      {
        connectionId: job.connectionId,
        trigger: job.trigger,
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

export function createReconcileWorker(deps: ReconcileWorkerDeps, connection: Redis): Worker {
  const worker = new Worker(
    QUEUES.reconcile,
    loggedProcessor(
      jobProcessor(QUEUES.reconcile, {
        "reconcile.poll-tick": async () => ({ requested: await pollDueConnections(deps) }),
        "reconcile.run": async (payload) => {
          const runs = await processReconcile(deps, payload);
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
    { connection, prefix: deps.bullPrefix, concurrency: deps.concurrency },
  );
  logOtherFailures(worker, deps.logger);
  return worker;
}
