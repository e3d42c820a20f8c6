/**
 * Job contracts of the `reports` and `notifications` queues. Payloads carry ids only; handlers
 * reload from the database. Names are `<domain>.<verb>` and never renamed once shipped.
 */
import type { Queue } from "bullmq";
import { z } from "zod";
import { JOB_NAMES } from "../jobs/definitions.ts";

export const REPORT_JOBS = {
  /** Build the week's snapshot and queue one email per active subscription (or the given addresses). */
  weekly: JOB_NAMES.weeklyReport,
  /** Copy today's coverage matrix into CoverageSample. */
  sample: "reports.sample",
  /** Reconcile job schedulers with the workspaces and their settings. */
  syncSchedules: "reports.sync-schedules",
  /** Send one EmailDelivery. */
  sendEmail: JOB_NAMES.sendEmail,
} as const;

/**
 * `schedule`: fired by the workspace's job scheduler; the period ends at the scheduled time.
 * `manual`: "send now"; the period ends at the start of the current local hour.
 */
export const ZWeeklyReportJob = z.object({
  workspaceId: z.string().min(1).max(64),
  trigger: z.enum(["schedule", "manual"]),
  /** Only these addresses (e.g. "send me a copy now"); otherwise every active subscription. */
  to: z.array(z.string().email().max(254)).max(20).optional(),
  requestedBy: z.string().max(200).optional(),
});
export type TWeeklyReportJob = z.infer<typeof ZWeeklyReportJob>;

export const ZSampleJob = z.object({ workspaceId: z.string().min(1).max(64) });
export type TSampleJob = z.infer<typeof ZSampleJob>;

export const ZSendEmailJob = z.object({ deliveryId: z.string().min(1).max(64) });
export type TSendEmailJob = z.infer<typeof ZSendEmailJob>;

export const weeklySchedulerId = (workspaceId: string) => `reports-weekly__${workspaceId}`;
export const sampleSchedulerId = (workspaceId: string) => `reports-sample__${workspaceId}`;
export const SYNC_SCHEDULER_ID = "reports-sync-schedules";
export const emailJobId = (deliveryId: string) => `email__${deliveryId}`;

export interface TDeliveryRetry {
  /** Total attempts per email, the first included. */
  attempts: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
}
/** 1, 2, 4, 8, 16 minutes: rides out an SMTP relay restart or greylisting without giving up. */
export const DEFAULT_DELIVERY_RETRY: TDeliveryRetry = { attempts: 6, backoffMs: 60_000 };

export async function enqueueEmail(queue: Queue, deliveryId: string, retry: TDeliveryRetry = DEFAULT_DELIVERY_RETRY): Promise<void> {
  await queue.add(REPORT_JOBS.sendEmail, { deliveryId } satisfies TSendEmailJob, {
    jobId: emailJobId(deliveryId),
    attempts: retry.attempts,
    backoff: { type: "exponential", delay: retry.backoffMs },
    removeOnComplete: { age: 7 * 86_400, count: 10_000 },
    removeOnFail: { age: 30 * 86_400 },
  });
}

/** "Send now": the worker builds the snapshot and queues the emails. */
export async function enqueueWeeklyReport(queue: Queue, job: TWeeklyReportJob): Promise<string | undefined> {
  const j = await queue.add(REPORT_JOBS.weekly, ZWeeklyReportJob.parse(job), { attempts: 3, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } });
  return j.id;
}
