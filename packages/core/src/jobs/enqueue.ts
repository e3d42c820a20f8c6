import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { CONNECTION_TASK_JOB, JOB_NAMES, reconcileJobId, reconcilePendingKey, reconcileRepairKey, type TConnectionTaskJob, type TReconcileJob } from "./definitions.ts";

/**
 * Requests a reconcile. The pending flag records the request even while a run is in progress (the
 * running job loops until the flag stays clear); the deterministic job id collapses duplicates.
 */
export async function requestReconcile(queue: Queue, redis: Redis, redisPrefix: string, job: TReconcileJob): Promise<void> {
  // A discovery request is remembered in the flag so it is not lost when a plain run is already queued.
  if (job.repair) await redis.set(reconcileRepairKey(redisPrefix, job.connectionId), "1", "EX", 3600);
  await redis.set(reconcilePendingKey(redisPrefix, job.connectionId), job.discover ? "discover" : "1", "EX", 3600);
  await queue.add(JOB_NAMES.reconcile, job, {
    jobId: reconcileJobId(job.connectionId),
    removeOnComplete: true,
    removeOnFail: true,
    attempts: 5,
    backoff: { type: "exponential", delay: 2000 },
  });
}

/** Verify / discover / preview for one connection; duplicates of the same task collapse while queued. */
export async function enqueueConnectionTask(queue: Queue, job: TConnectionTaskJob): Promise<string> {
  const jobId = `task__${job.connectionId}__${job.task}`;
  await queue.add(CONNECTION_TASK_JOB, job, { jobId, removeOnComplete: true, removeOnFail: { age: 3600 }, attempts: 2, backoff: { type: "exponential", delay: 1000 } });
  return jobId;
}
