/**
 * Adding the `reports` and `notifications` jobs of reports. Their names, payload schemas, ids,
 * retries and retention are in the job catalog (jobs/catalog.ts).
 */
import type { Queue } from "bullmq";
import { JOBS } from "../jobs/catalog.ts";
import type { TWeeklyReportJob } from "../jobs/definitions.ts";
import { enqueueJob } from "../jobs/enqueue.ts";

export interface TDeliveryRetry {
  /** Total attempts per email, the first included. */
  attempts: number;
  /** First retry delay; doubles each time. */
  backoffMs: number;
}
const emailOptions = JOBS["notifications.send-email"].options;
/** The catalog's retries for an email (1, 2, 4, 8, 16 minutes apart); a reports config may override them. */
export const DEFAULT_DELIVERY_RETRY: TDeliveryRetry = { attempts: emailOptions.attempts, backoffMs: emailOptions.backoff.delay };

export async function enqueueEmail(queue: Queue, deliveryId: string, retry: TDeliveryRetry = DEFAULT_DELIVERY_RETRY): Promise<void> {
  await enqueueJob(
    queue,
    "notifications.send-email",
    { deliveryId },
    { attempts: retry.attempts, backoff: { type: "exponential", delay: retry.backoffMs } },
  );
}

/** "Send now": the worker builds the snapshot and queues the emails. */
export async function enqueueWeeklyReport(queue: Queue, job: TWeeklyReportJob): Promise<string | undefined> {
  const j = await enqueueJob(queue, "reports.weekly", job);
  return j.id;
}
