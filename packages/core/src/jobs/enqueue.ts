/**
 * Adding jobs. Every producer goes through `enqueueJob` / `scheduleJob`: the payload is checked
 * against the catalog's schema before it reaches Redis (a ZodError naming the field, like any
 * refused input), and the job id, retries and retention are the catalog's.
 */
import { Job, type Queue, type RepeatOptions } from "bullmq";
import type { Redis } from "ioredis";
import { JOBS, type JobName, type ScheduledJobName, type TJobInput, type TJobOptions, type TJobSpec } from "./catalog.ts";
import {
  denialPollPendingKey,
  reconcilePendingKey,
  reconcileRepairKey,
  type TConnectionTaskJob,
  type TImpactPreviewJob,
  type TReconcileJob,
} from "./definitions.ts";

function checkQueue(queue: Queue, name: JobName, spec: TJobSpec): void {
  // A job on the wrong queue would sit there forever (its queue's worker never sees it).
  if (queue.name !== spec.queue) throw new Error(`job ${name} belongs on queue ${spec.queue}, not ${queue.name}`);
}

/**
 * Adds job `name` to `queue` (which must be the catalog's queue for it) with the catalog's job id,
 * retries and retention. `retry` overrides attempts and backoff where a deployment configures them.
 */
export async function enqueueJob<N extends JobName>(
  queue: Queue,
  name: N,
  payload: TJobInput<N>,
  retry?: Pick<TJobOptions, "attempts" | "backoff">,
  /** Run no sooner than this many milliseconds from now (an alert's next attempt after Retry-After). */
  delayMs?: number,
): Promise<Job> {
  const spec: TJobSpec = JOBS[name];
  checkQueue(queue, name, spec);
  const data: unknown = spec.schema.parse(payload);
  const jobId = spec.jobId?.(data);
  return queue.add(name, data, {
    ...spec.options,
    ...retry,
    ...(jobId === undefined ? {} : { jobId }),
    ...(delayMs && delayMs > 0 ? { delay: Math.ceil(delayMs) } : {}),
  });
}

/**
 * Creates or updates the job scheduler that fires job `name` with `payload` (idempotent: the
 * scheduler id comes from the payload). `repeat` adds to the catalog's fixed repeat (cron, time zone).
 */
export async function scheduleJob<N extends ScheduledJobName>(
  queue: Queue,
  name: N,
  payload: TJobInput<N>,
  repeat: Omit<RepeatOptions, "key"> = {},
): Promise<void> {
  const spec: TJobSpec = JOBS[name];
  checkQueue(queue, name, spec);
  const schedule = spec.schedule;
  if (!schedule) throw new Error(`job ${name} has no schedule in the job catalog`);
  const data: unknown = spec.schema.parse(payload);
  await queue.upsertJobScheduler(
    schedule.schedulerId(data),
    { ...schedule.repeat, ...repeat },
    { name, data, opts: schedule.options ?? spec.options },
  );
}

/**
 * Requests a reconcile. The pending flag records the request even while a run is in progress (the
 * running job loops until the flag stays clear); the deterministic job id collapses duplicates.
 */
export async function requestReconcile(queue: Queue, redis: Redis, redisPrefix: string, job: TReconcileJob): Promise<void> {
  // A discovery request is remembered in the flag so it is not lost when a plain run is already queued.
  if (job.repair) await redis.set(reconcileRepairKey(redisPrefix, job.connectionId), "1", "EX", 3600);
  await redis.set(reconcilePendingKey(redisPrefix, job.connectionId), job.discover ? "discover" : "1", "EX", 3600);
  await enqueueJob(queue, "reconcile.run", job);
}

/** Verify / discover / preview for one connection; duplicates of the same task collapse while queued. */
export async function enqueueConnectionTask(queue: Queue, job: TConnectionTaskJob): Promise<string> {
  const { id } = await enqueueJob(queue, "connections.task", job);
  // The catalog gives this job a deterministic id, so BullMQ always returns it.
  if (!id) throw new Error("connections.task: BullMQ returned no job id");
  return id;
}

/** Queues the replay of one ImpactReport (the id collapses duplicates while it waits or runs). */
export async function enqueueImpactReplay(queue: Queue, reportId: string): Promise<void> {
  await enqueueJob(queue, "impact.replay", { reportId });
}

/** Queues one posture scan (the id collapses duplicates while it waits or runs). */
export async function enqueuePostureScan(queue: Queue, scanId: string): Promise<void> {
  await enqueueJob(queue, "posture.scan", { scanId });
}

/**
 * Queues plan's impact preview for one connection and waits for its answer (the job's return value)
 * until `waitUntil` (epoch ms). Polls the job rather than subscribing to queue events: a producer has no
 * blocking connection, and a plan waits seconds, not hours. Returns the worker's answer, a failure
 * message, or null when the answer did not come in time (the worker is busy or down).
 */
export async function awaitImpactPreview(
  queue: Queue,
  payload: TImpactPreviewJob,
  waitUntil: number,
  pollMs = 250,
): Promise<{ result: unknown } | { error: string } | null> {
  const job = await enqueueJob(queue, "impact.preview", payload);
  for (;;) {
    const j = job.id ? await Job.fromId(queue, job.id) : undefined;
    if (j?.finishedOn) return j.failedReason ? { error: j.failedReason.slice(0, 300) } : { result: j.returnvalue as unknown };
    if (Date.now() >= waitUntil) {
      // Nobody will read a late answer: a job still waiting is dropped (a running one finishes and expires).
      if (j && (await j.isWaiting().catch(() => false))) await j.remove().catch(() => undefined);
      return null;
    }
    await new Promise((ok) => setTimeout(ok, Math.min(pollMs, Math.max(0, waitUntil - Date.now()))));
  }
}

/**
 * Asks for one connection's denial poll now (a cloud event arrived). The flag is set first, so an
 * event that lands while the poll is reading makes it read once more; the job id collapses the rest.
 */
export async function requestDenialPoll(queue: Queue, redis: Redis, redisPrefix: string, connectionId: string): Promise<void> {
  await redis.set(denialPollPendingKey(redisPrefix, connectionId), "1", "EX", 3600);
  await enqueueJob(queue, "impact.denials-connection", { connectionId });
}
