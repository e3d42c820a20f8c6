/**
 * The `notifications` queue: one job per EmailDelivery row (report e-mails) or per invitation
 * (invitation e-mails). Retries with exponential backoff are the job's own options (set when it was
 * enqueued); every report attempt's outcome lands on its row, a failed invitation mail in the audit log.
 * Alerts (issue 17): the `notifications.tick` job routes alert events and queues due deliveries, one
 * `notifications.deliver` job per send; the rows in Postgres hold the state (core/notifications/deliver.ts).
 */
import { Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { DbClient as PrismaClient } from "@parapet/core/common/actor";
import { enqueueJob, jobProcessor, QUEUES, ZSendEmailJob, type Keyring } from "@parapet/core";
import { scanNotifications } from "@parapet/core/notifications/scan";
import { notificationTick, sendDelivery, type DeliverConfig } from "@parapet/core/notifications/deliver";
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
  /** Alerts: the keys that open channel secrets, and how receivers are reached. */
  alerts?: Pick<DeliverConfig, "keys" | "dispatcher" | "pagerDutyUrl" | "backoffBaseMs" | "failureThreshold"> & { keys: Keyring };
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
  const queue = new Queue(QUEUES.notifications, { connection: deps.connection, prefix: deps.prefix });
  const alertConfig: DeliverConfig | null = deps.alerts
    ? { ...deps.alerts, baseUrl: deps.config.baseUrl, mailFrom: deps.config.mailFrom, transport }
    : null;

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
        "notifications.tick": async () => {
          const { routed, due } = await notificationTick(deps.prisma);
          for (const d of due) await enqueueJob(queue, "notifications.deliver", { deliveryId: d.id, attempt: d.attempts });
          return { routed, queued: due.length };
        },
        "notifications.scan": async () => scanNotifications(deps.prisma),
        "notifications.deliver": async ({ deliveryId }) => {
          // Without the keys no channel secret opens; the row stays due for a worker that has them.
          if (!alertConfig) throw new UnrecoverableError("notifications.deliver: this worker has no alert configuration");
          const outcome = await sendDelivery(deps.prisma, alertConfig, deliveryId);
          // The next attempt as a delayed job; should it be lost, the tick finds the row due anyway.
          if (outcome.kind === "retry")
            await enqueueJob(
              queue,
              "notifications.deliver",
              { deliveryId, attempt: outcome.attempts },
              undefined,
              outcome.at.getTime() - Date.now(),
            );
          return { outcome: outcome.kind };
        },
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
  worker.on("closed", () => {
    transport?.close();
    void queue.close();
  });
  return worker;
}
