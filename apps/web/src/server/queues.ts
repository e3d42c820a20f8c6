import "server-only";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import {
  ALL_QUEUES,
  awaitImpactPreview,
  bullPrefix,
  enqueueConnectionTask as enqueueTask,
  enqueueImpactReplay,
  enqueuePostureScan,
  requestDenialPoll as requestDenials,
  requestReconcile as request,
  type QueueName,
  type TConnectionTaskJob,
  type TImpactPreviewJob,
  type TReconcileJob,
} from "@parapet/core";
import { env } from "@/env";
import { redis } from "./clients";

const holder = globalThis as unknown as { __parapetQueues?: Record<QueueName, Queue> };

/** BullMQ producers for the web process (enqueue only after the database transaction commits). */
export function queues() {
  if (!holder.__parapetQueues) {
    // Producers only (the blocking connection that needs maxRetriesPerRequest: null is the worker's):
    // with null, an enqueue while Redis is away waited forever and so did the request. Bounded like
    // redis() in clients.ts, an enqueue fails within seconds and the use-case answers 503.
    const connection = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 3000 });
    connection.on("error", () => undefined);
    const prefix = bullPrefix(env().PARAPET_REDIS_PREFIX);
    // One producer per queue of the job catalog (connection tasks, on `discovery`, need credentials,
    // so they run in the worker too).
    holder.__parapetQueues = Object.fromEntries(ALL_QUEUES.map((name) => [name, new Queue(name, { connection, prefix })])) as Record<
      QueueName,
      Queue
    >;
    // Each reconnect attempt while Redis is away re-emits the connection's error on every queue, and
    // BullMQ prints an unheard one with console.error (a full stack, five per attempt, for as long as
    // the outage lasts). The outage is already reported: /api/health names Redis and since when, and
    // an enqueue that fails answers 503.
    for (const q of Object.values(holder.__parapetQueues)) q.on("error", () => undefined);
  }
  return holder.__parapetQueues;
}

export function requestReconcile(job: TReconcileJob): Promise<void> {
  return request(queues().reconcile, redis(), env().PARAPET_REDIS_PREFIX, job);
}

/** One connection's denial poll now (a cloud event arrived); duplicates collapse. */
export function requestDenialPoll(connectionId: string): Promise<void> {
  return requestDenials(queues().impact, redis(), env().PARAPET_REDIS_PREFIX, connectionId);
}

/** Verify / discover / preview for one connection, on the `discovery` queue. */
export function enqueueConnectionTask(job: TConnectionTaskJob): Promise<string> {
  return enqueueTask(queues().discovery, job);
}

/** One audit-log replay (ImpactReport), on the `impact` queue. */
export function requestImpact(reportId: string): Promise<void> {
  return enqueueImpactReplay(queues().impact, reportId);
}

/** One posture scan (PostureScan), on the `impact` queue with the other long, paced reads. */
export function requestPostureScan(scanId: string): Promise<void> {
  return enqueuePostureScan(queues().impact, scanId);
}

/** Plan's impact preview on one connection, on the `discovery` queue; waits for the worker's answer until `waitUntil`. */
export function previewImpact(job: TImpactPreviewJob, waitUntil: number) {
  return awaitImpactPreview(queues().discovery, job, waitUntil);
}
