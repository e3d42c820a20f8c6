/**
 * Staged rollouts: the `rollouts.advance` step, fired every minute by its job scheduler. Concurrency 1:
 * a step is a handful of queries per running rollout, and two at once would only race each other's
 * guarded transitions.
 */
import { Worker, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import { enqueueConnectionTask, enqueueImpactReplay, jobProcessor, QUEUES, requestReconcile } from "@parapet/core";
import type { DbClient as PrismaClient, JobPort } from "@parapet/core/common/actor";
import type { Logger } from "@parapet/core/common/logger";
import { advanceRollouts } from "@parapet/core/rollouts/advance-rollouts";
import { loggedProcessor, logOtherFailures } from "../job-log.ts";

export interface RolloutsWorkerDeps {
  prisma: PrismaClient;
  bullPrefix: string;
  /** Where a stage change asks for reconciles and replays. */
  queues: { reconcile: Queue; discovery: Queue; impact: Queue };
  redis: Redis;
  redisPrefix: string;
  logger?: Logger;
}

/** The producers a rollout step uses, on the worker's own queues. */
export function rolloutJobPort(deps: Pick<RolloutsWorkerDeps, "queues" | "redis" | "redisPrefix">): JobPort {
  return {
    requestReconcile: (job) => requestReconcile(deps.queues.reconcile, deps.redis, deps.redisPrefix, job),
    enqueueConnectionTask: (job) => enqueueConnectionTask(deps.queues.discovery, job),
    requestImpact: (reportId) => enqueueImpactReplay(deps.queues.impact, reportId),
  };
}

export function createRolloutsWorker(deps: RolloutsWorkerDeps, connection: Redis): Worker {
  const jobs = rolloutJobPort(deps);
  const worker = new Worker(
    QUEUES.rollouts,
    loggedProcessor(jobProcessor(QUEUES.rollouts, { "rollouts.advance": () => advanceRollouts({ prisma: deps.prisma, jobs }) }), {
      logger: deps.logger,
      quiet: ["rollouts.advance"],
    }),
    { connection, prefix: deps.bullPrefix, concurrency: 1 },
  );
  logOtherFailures(worker, deps.logger);
  return worker;
}
