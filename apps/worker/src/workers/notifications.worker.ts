/**
 * The `notifications` queue: one job per EmailDelivery row (report e-mails) or per invitation
 * (invitation e-mails). Retries with exponential backoff are the job's own options (set when it was
 * enqueued); every report attempt's outcome lands on its row, a failed invitation mail in the audit log.
 */
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { DbClient as PrismaClient } from "@parapet/core/common/actor";
import { jobProcessor, QUEUES, ZSendEmailJob } from "@parapet/core";
import { markDeliveryFailed, sendEmailDelivery } from "@parapet/core/reports/deliver-report";
import { createMailTransport, type TMailTransport, type TReportsConfig } from "@parapet/core/reports/mailer";
import { sendInvitationEmail } from "@parapet/core/members/invitation-email";

export interface NotificationsWorkerDeps {
  prisma: PrismaClient;
  /** A connection BullMQ may block on (maxRetriesPerRequest: null). */
  connection: Redis;
  /** BullMQ prefix, i.e. bullPrefix(PARAPET_REDIS_PREFIX). */
  prefix: string;
  config: TReportsConfig;
  concurrency?: number;
  log?: (line: string) => void;
}

export function createNotificationsWorker(deps: NotificationsWorkerDeps): Worker {
  const log = deps.log ?? (() => undefined);
  let transport: TMailTransport | null = null;
  try {
    transport = deps.config.smtpUrl ? createMailTransport(deps.config.smtpUrl) : null;
  } catch (e) {
    // A malformed URL fails every delivery with this reason instead of crashing the worker.
    log(`notifications: SMTP disabled: ${(e as Error).message}`);
  }
  if (!transport) log("notifications: PARAPET_SMTP_URL is not set; report emails will be logged as failed");

  const worker = new Worker(
    QUEUES.notifications,
    jobProcessor(QUEUES.notifications, {
      "notifications.send-invitation": async ({ invitationId }, job) => ({
        outcome: await sendInvitationEmail({ prisma: deps.prisma, config: deps.config, transport }, invitationId, { number: job.attemptsMade + 1, max: job.opts.attempts ?? 1 }),
      }),
      "notifications.send-email": async ({ deliveryId }, job) => ({
        outcome: await sendEmailDelivery({ prisma: deps.prisma, config: deps.config, transport }, deliveryId, { number: job.attemptsMade + 1, max: job.opts.attempts ?? 1 }),
      }),
    }),
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 4 },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === "UnrecoverableError";
    log(`notifications: ${job.id ?? "?"} attempt ${job.attemptsMade} failed${exhausted ? " (giving up)" : ""}: ${err.message}`);
    // The handler records its own failures; this covers a job BullMQ gave up on outside it (stalled).
    if (exhausted) {
      const parsed = ZSendEmailJob.safeParse(job.data);
      if (parsed.success) void markDeliveryFailed(deps.prisma, parsed.data.deliveryId, `gave up after ${job.attemptsMade} attempts: ${err.message}`).catch(() => undefined);
    }
  });
  worker.on("closed", () => transport?.close());
  return worker;
}
