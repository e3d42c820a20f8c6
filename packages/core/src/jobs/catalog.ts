/**
 * The job catalog: every job the system runs, keyed by its name (`<domain>.<verb>`, never renamed
 * once shipped), with its queue, payload schema, job id rule, retries and retention, and for jobs a
 * BullMQ job scheduler fires, the scheduler's id and repeat. Producers add jobs only through
 * `enqueueJob` / `scheduleJob` (enqueue.ts), which validate the payload and apply these options;
 * workers dispatch on these names through `jobProcessor` (job-data.ts), whose handler map must name
 * every job of its queue, so a job added here without a handler fails the type check.
 */
import type { BackoffOptions, KeepJobs, RepeatOptions } from "bullmq";
import type { z } from "zod";
import {
  alertJobId,
  DENIALS_SCHEDULER_ID,
  DENIALS_TICK_MS,
  denialPollJobId,
  ZDenialPollJob,
  emailJobId,
  NOTIFY_SCHEDULER_ID,
  NOTIFY_SCAN_MS,
  NOTIFY_SCAN_SCHEDULER_ID,
  NOTIFY_TICK_MS,
  ZDeliverAlertJob,
  impactJobId,
  postureJobId,
  ZPostureScanJob,
  POLL_SCHEDULER_ID,
  POLL_TICK_MS,
  reconcileJobId,
  ROLLOUTS_SCHEDULER_ID,
  ROLLOUTS_TICK_MS,
  SAMPLE_CRON,
  sampleSchedulerId,
  SYNC_EVERY_MS,
  SYNC_SCHEDULER_ID,
  weeklySchedulerId,
  ZConnectionTaskJob,
  ZEmptyJob,
  ZImpactPreviewJob,
  ZImpactReplayJob,
  ZInvitationEmailJob,
  ZReconcileJob,
  ZSampleJob,
  ZSendEmailJob,
  ZWeeklyReportJob,
} from "./definitions.ts";
import { QUEUES, type QueueName } from "./queues.ts";

/** Retries and retention of a job: BullMQ's job options, set here and nowhere else. */
export interface TJobOptions {
  /** Total tries, the first included (BullMQ's default is 1). */
  attempts?: number;
  backoff?: BackoffOptions;
  /** How many finished jobs Redis keeps: true = none, a number = the last n, or by age/count. */
  removeOnComplete: boolean | number | KeepJobs;
  removeOnFail: boolean | number | KeepJobs;
}

/** A job a BullMQ job scheduler fires (a repeatable job). */
export interface TJobSchedule<P> {
  /** Stable per payload, so an upsert replaces the scheduler instead of adding a second one. */
  schedulerId(payload: P): string;
  /** The fixed part of the repeat; the caller adds what depends on the workspace (cron, time zone). */
  repeat?: Pick<RepeatOptions, "every" | "pattern">;
  /** Options of the jobs the scheduler fires, where they differ from the job's own `options`. */
  options?: TJobOptions;
}

export interface TJobSpec<Q extends QueueName = QueueName, S extends z.ZodType = z.ZodType> {
  queue: Q;
  /** Checked by the producer (enqueueJob) and again by the worker (a refused payload fails unretried). */
  schema: S;
  /**
   * A deterministic job id: while a job with this id waits or runs, adding another is a no-op, so
   * duplicates collapse. Without one BullMQ numbers the jobs and every add runs.
   */
  jobId?(payload: z.output<S>): string;
  options: TJobOptions;
  schedule?: TJobSchedule<z.input<S>>;
}

// Infer each entry's queue and schema (so payloads are typed per job) while checking its shape; the
// second keeps "has a schedule" in the type, so only scheduled jobs can be given to scheduleJob.
// The options keep their literal types, so a value derived from them (DEFAULT_DELIVERY_RETRY) needs no fallback.
const job = <Q extends QueueName, S extends z.ZodType, const O extends TJobOptions>(
  spec: Omit<TJobSpec<Q, S>, "schedule" | "options"> & { options: O },
): TJobSpec<Q, S> & { options: O; schedule?: never } => spec;
const scheduledJob = <Q extends QueueName, S extends z.ZodType>(spec: TJobSpec<Q, S> & { schedule: TJobSchedule<z.input<S>> }) => spec;

const DAY_SEC = 86_400;

export const JOBS = {
  /** Reconcile one connection; the pending flag in Redis makes the running job loop (enqueue.ts). */
  "reconcile.run": job({
    queue: QUEUES.reconcile,
    schema: ZReconcileJob,
    jobId: (p) => reconcileJobId(p.connectionId),
    options: { attempts: 5, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: true, removeOnFail: true },
  }),
  /** One tick for all connections: requests reconciles for those whose polling interval passed. */
  "reconcile.poll-tick": scheduledJob({
    queue: QUEUES.reconcile,
    schema: ZEmptyJob,
    // No retries: the next tick comes 15 s later anyway.
    options: { removeOnComplete: true, removeOnFail: 100 },
    schedule: { schedulerId: () => POLL_SCHEDULER_ID, repeat: { every: POLL_TICK_MS } },
  }),
  /** Verify / discover / preview for one connection; duplicates of the same task collapse while queued. */
  "connections.task": job({
    queue: QUEUES.discovery,
    schema: ZConnectionTaskJob,
    jobId: (p) => `task__${p.connectionId}__${p.task}`,
    options: { attempts: 2, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 3600 } },
  }),
  /**
   * Plan's would-have-blocked preview of proposed guardrails on one connection. On the discovery queue
   * with the other interactive connection tasks (a person or a CI job waits for it), not behind the long
   * replays of the impact queue. No retry: the plan's time budget would be gone; the answer is the
   * return value, kept ten minutes for the plan that waits on it.
   */
  "impact.preview": job({
    queue: QUEUES.discovery,
    schema: ZImpactPreviewJob,
    options: { attempts: 1, removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } },
  }),
  /** Build the week's snapshot and queue one email per active subscription (or the given addresses). */
  "reports.weekly": scheduledJob({
    queue: QUEUES.reports,
    schema: ZWeeklyReportJob,
    // "Send now": someone is waiting for the mail, so retries come sooner and finished jobs go sooner.
    options: {
      attempts: 3,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: { age: DAY_SEC },
      removeOnFail: { age: 7 * DAY_SEC },
    },
    // Per workspace, on its day and hour in its time zone (schedule.ts adds pattern and tz).
    schedule: {
      schedulerId: (p) => weeklySchedulerId(p.workspaceId),
      options: {
        attempts: 3,
        backoff: { type: "exponential", delay: 30_000 },
        removeOnComplete: { age: 7 * DAY_SEC },
        removeOnFail: { age: 30 * DAY_SEC },
      },
    },
  }),
  /** Copy today's coverage matrix into CoverageSample (daily, late in the workspace's evening). */
  "reports.sample": scheduledJob({
    queue: QUEUES.reports,
    schema: ZSampleJob,
    options: { attempts: 3, backoff: { type: "exponential", delay: 30_000 }, removeOnComplete: true, removeOnFail: { age: 7 * DAY_SEC } },
    schedule: { schedulerId: (p) => sampleSchedulerId(p.workspaceId), repeat: { pattern: SAMPLE_CRON } },
  }),
  /** Make the job schedulers match the workspaces and their settings (hourly). */
  "reports.sync-schedules": scheduledJob({
    queue: QUEUES.reports,
    schema: ZEmptyJob,
    options: { removeOnComplete: true, removeOnFail: 50 },
    schedule: { schedulerId: () => SYNC_SCHEDULER_ID, repeat: { every: SYNC_EVERY_MS } },
  }),
  /**
   * Send one EmailDelivery. 1, 2, 4, 8, 16 minutes between tries: rides out an SMTP relay restart
   * or greylisting without giving up (the reports config may override attempts and delay).
   */
  "notifications.send-email": job({
    queue: QUEUES.notifications,
    schema: ZSendEmailJob,
    jobId: (p) => emailJobId(p.deliveryId),
    options: {
      attempts: 6,
      backoff: { type: "exponential", delay: 60_000 },
      removeOnComplete: { age: 7 * DAY_SEC, count: 10_000 },
      removeOnFail: { age: 30 * DAY_SEC },
    },
  }),
  /** One mail per invitation (the job id collapses duplicates), retried with backoff on SMTP trouble. */
  "notifications.send-invitation": job({
    queue: QUEUES.notifications,
    schema: ZInvitationEmailJob,
    jobId: (p) => `invitation__${p.invitationId}`,
    options: { attempts: 5, backoff: { type: "exponential", delay: 30_000 }, removeOnComplete: 1000, removeOnFail: 1000 },
  }),
  /**
   * One send of an alert delivery. No BullMQ retries: the row keeps attempts and the next time
   * (backoff or the receiver's Retry-After), and the handler queues the next attempt as a new job; if
   * that job is lost, the tick finds the row due. Finished jobs go at once so their ids are free.
   */
  "notifications.deliver": job({
    queue: QUEUES.notifications,
    schema: ZDeliverAlertJob,
    jobId: (p) => alertJobId(p.deliveryId, p.attempt),
    options: { removeOnComplete: true, removeOnFail: true },
  }),
  /** Route alert events into deliveries and queue the due ones (deliver.ts notificationTick). */
  "notifications.tick": scheduledJob({
    queue: QUEUES.notifications,
    schema: ZEmptyJob,
    // No retries: the next tick comes two seconds later.
    options: { removeOnComplete: true, removeOnFail: 100 },
    schedule: { schedulerId: () => NOTIFY_SCHEDULER_ID, repeat: { every: NOTIFY_TICK_MS } },
  }),
  /** Exemption expiry and coverage-threshold alerts (notifications/scan.ts); each is told once by its dedup key. */
  "notifications.scan": scheduledJob({
    queue: QUEUES.notifications,
    schema: ZEmptyJob,
    options: { removeOnComplete: true, removeOnFail: 100 },
    schedule: { schedulerId: () => NOTIFY_SCAN_SCHEDULER_ID, repeat: { every: NOTIFY_SCAN_MS } },
  }),
  /**
   * Replay one ImpactReport: read the connection's audit log for the window and judge each distinct
   * request. One retry (a blip mid-read); the report row says failed with the reason after that.
   */
  "impact.replay": job({
    queue: QUEUES.impact,
    schema: ZImpactReplayJob,
    jobId: (p) => impactJobId(p.reportId),
    options: { attempts: 2, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: true, removeOnFail: { age: DAY_SEC } },
  }),
  /** Read each connection's audit log for refused calls and attribute them (denials/attribute-denials.ts). */
  "impact.denials": scheduledJob({
    queue: QUEUES.impact,
    schema: ZEmptyJob,
    // No retries: the next poll comes a minute later and starts where this one's cursor stopped.
    options: { removeOnComplete: true, removeOnFail: 100 },
    schedule: { schedulerId: () => DENIALS_SCHEDULER_ID, repeat: { every: DENIALS_TICK_MS } },
  }),
  /**
   * Read one connection's audit log for refused calls now (a cloud event for it arrived): the event
   * path, so a denial does not wait for the minute poll. Same queue as the minute poll, so the two never
   * read one connection's log at once. No retries: the minute poll reads from the same cursor.
   */
  "impact.denials-connection": job({
    queue: QUEUES.impact,
    schema: ZDenialPollJob,
    jobId: (p) => denialPollJobId(p.connectionId),
    options: { removeOnComplete: true, removeOnFail: 100 },
  }),
  /**
   * One posture scan: reads the customer's own policies at the cloud's read rates, so it shares the
   * impact queue (long, paced reads; concurrency 1) rather than the discovery queue. No retry: the
   * scan row says failed with the reason, and "scan again" is one click.
   */
  "posture.scan": job({
    queue: QUEUES.impact,
    schema: ZPostureScanJob,
    jobId: (p) => postureJobId(p.scanId),
    options: { attempts: 1, removeOnComplete: true, removeOnFail: { age: DAY_SEC } },
  }),
  /**
   * Step every running rollout (rollouts/advance-rollouts.ts): advance those whose soak passed with clean
   * halt checks, halt those whose checks failed. No retries: the next tick comes a minute later.
   */
  "rollouts.advance": scheduledJob({
    queue: QUEUES.rollouts,
    schema: ZEmptyJob,
    options: { removeOnComplete: true, removeOnFail: 100 },
    schedule: { schedulerId: () => ROLLOUTS_SCHEDULER_ID, repeat: { every: ROLLOUTS_TICK_MS } },
  }),
} as const satisfies Record<string, TJobSpec>;

type TJobs = typeof JOBS;
export type JobName = keyof TJobs;
/** The names of the jobs that run on queue `Q`. */
export type JobNameOf<Q extends QueueName> = { [N in JobName]: TJobs[N]["queue"] extends Q ? N : never }[JobName];
/** What a producer passes. */
export type TJobInput<N extends JobName> = z.input<TJobs[N]["schema"]>;
/** What a handler receives (the schema's output). */
export type TJobPayload<N extends JobName> = z.output<TJobs[N]["schema"]>;
/** Jobs a job scheduler fires. */
export type ScheduledJobName = { [N in JobName]: TJobs[N]["schedule"] extends TJobSchedule<never> ? N : never }[JobName];

export const ALL_JOB_NAMES = Object.keys(JOBS) as JobName[];

/** The catalog entry of a job name read from Redis, or undefined for a name the catalog lacks. */
export function jobSpec(name: string): TJobSpec | undefined {
  return Object.hasOwn(JOBS, name) ? JOBS[name as JobName] : undefined;
}

/** The job names of one queue, in catalog order. */
export function jobNamesOf<Q extends QueueName>(queue: Q): JobNameOf<Q>[] {
  return ALL_JOB_NAMES.filter((n): n is JobNameOf<Q> => JOBS[n].queue === queue);
}
