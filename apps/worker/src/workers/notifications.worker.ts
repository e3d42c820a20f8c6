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
import { rootLogger, type Logger } from "@parapet/core/common/logger";
import { failureLogged, loggedProcessor } from "../job-log.ts";

export interface NotificationsWorkerDeps {
  prisma: PrismaClient;
  /** A connection BullMQ may block on (maxRetriesPerRequest: null). */
  connection: Redis;
  /** BullMQ prefix, i.e. bullPrefix(PARAPET_REDIS_PREFIX). */
  prefix: string;
  config: TReportsConfig;
  concurrency?: number;
  /** Base of the per-job loggers and of the queue's own lines (the root logger by default). */
  logger?: Logger;
}

export function createNotificationsWorker(deps: NotificationsWorkerDeps): Worker {
  const logger = (deps.logger ?? rootLogger()).child({ queue: QUEUES.notifications });
  let transport: TMailTransport | null = null;
  try {
    transport = deps.config.smtpUrl ? createMailTransport(deps.config.smtpUrl) : null;
  } catch (e) {
    // A malformed URL fails every delivery with this reason instead of crashing the worker.
    logger.error({ err: e }, "SMTP disabled: PARAPET_SMTP_URL cannot be used");
  }
  if (!transport) logger.warn("PARAPET_SMTP_URL is not set; report emails will be logged as failed");

  const worker = new Worker(
    QUEUES.notifications,
    loggedProcessor(
      jobProcessor(QUEUES.notifications, {
        "notifications.send-invitation": async ({ invitationId }, job) => ({
          outcome: await sendInvitationEmail({ prisma: deps.prisma, config: deps.config, transport }, invitationId, {
            number: job.attemptsMade + 1,
            max: job.opts.attempts ?? 1,
          }),
        }),
        "notifications.send-email": async ({ deliveryId }, job) => ({
          outcome: await sendEmailDelivery({ prisma: deps.prisma, config: deps.config, transport }, deliveryId, {
            number: job.attemptsMade + 1,
            max: job.opts.attempts ?? 1,
          }),
        }),
      }),
      { logger: deps.logger },
    ),
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 4 },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === "UnrecoverableError";
    // The processor logged its own failures; this covers a job BullMQ gave up on outside it (stalled).
    if (!failureLogged(err))
      logger.error({ jobId: job.id, job: job.name, attempt: job.attemptsMade, willRetry: !exhausted, err }, "job failed");
    // The handler records its own failures; this covers a job BullMQ gave up on outside it (stalled).
    if (exhausted) {
      const parsed = ZSendEmailJob.safeParse(job.data);
      if (parsed.success)
        void markDeliveryFailed(deps.prisma, parsed.data.deliveryId, `gave up after ${job.attemptsMade} attempts: ${err.message}`).catch(
          () => undefined,
        );
    }
  });
  worker.on("closed", () => transport?.close());
  return worker;
}
