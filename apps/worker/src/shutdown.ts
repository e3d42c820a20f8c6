import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { DbClient as PrismaClient } from "@parapet/core/common/actor";
import { shutdownInOrder, withinDeadline } from "@parapet/core";
import { releaseLeasesHeldBy } from "@parapet/core/reconcile/lease.repository";
import type { Logger } from "@parapet/core/common/logger";
import type { WorkerRuntime } from "./runtime.ts";

export interface WorkerShutdownDeps {
  workerId: string;
  workers: readonly Worker[];
  runtime: Pick<WorkerRuntime, "stop">;
  workerConnection: Redis;
  prisma: PrismaClient;
  deadlineMs: number;
  logger: Logger;
}

/** How long the forced path may spend releasing leases (the database may be the thing that is away). */
const RELEASE_DEADLINE_MS = 3_000;

/**
 * SIGTERM/SIGINT: finish current jobs, then close queues, Redis and the database pool, in that order,
 * under one deadline. Returns the exit code. When a step overruns (a dependency that went away, a
 * library close that never settles), the worker releases the reconcile leases it holds so another
 * worker takes those connections at once, logs one line naming the step, and exits 1 — a supervisor
 * sees a failed stop instead of a process that never ends.
 */
export async function shutdownWorker(deps: WorkerShutdownDeps, signal: string): Promise<number> {
  const { workerId: id, logger } = deps;
  logger.info({ signal }, `parapet-worker ${id}: ${signal}, finishing current jobs (deadline ${deps.deadlineMs / 1000} s)`);
  const out = await shutdownInOrder(
    [
      { name: "finishing current jobs and closing the queue workers", run: () => Promise.all(deps.workers.map((w) => w.close())) },
      { name: "closing the queues and the heartbeat", run: () => deps.runtime.stop() },
      { name: "closing the workers' Redis connection", run: () => deps.workerConnection.quit() },
      { name: "closing the database pool", run: () => deps.prisma.$disconnect() },
    ],
    deps.deadlineMs,
  );
  for (const f of out.failed) logger.warn({ step: f.name, error: f.error }, `parapet-worker ${id}: shutdown: ${f.name} failed: ${f.error}`);
  if (out.ok) {
    logger.info({ durationMs: out.ms }, `parapet-worker ${id}: stopped in ${out.ms} ms`);
    return 0;
  }
  const released = await withinDeadline("releasing reconcile leases", RELEASE_DEADLINE_MS, releaseLeasesHeldBy(deps.prisma, id)).then(
    (n) => `released ${n} reconcile lease(s)`,
    (e: unknown) =>
      `could not release its reconcile leases (${e instanceof Error ? e.message.split("\n")[0] : String(e)}), they expire on their own`,
  );
  logger.error(
    { stuckIn: out.stuckIn },
    `parapet-worker ${id}: shutdown did not finish within ${deps.deadlineMs / 1000} s (stuck ${out.stuckIn}); ${released}; exiting with status 1`,
  );
  return 1;
}
