/**
 * The `reports` queue: weekly reports (per-workspace job schedulers in the workspace's time zone, or
 * "send now"), the daily coverage sample, and the hourly re-sync of schedules with the database.
 */
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { DbClient as PrismaClient } from "@parapet/core/common/actor";
import { jobProcessor, QUEUES } from "@parapet/core";
import type { TReportsConfig } from "@parapet/core/reports/mailer";
import { runDailySample, runWeeklyReport } from "@parapet/core/reports/run-report-jobs";
import { syncReportSchedules, type TSyncResult } from "@parapet/core/reports/schedule";
import { log, type Logger } from "@parapet/core/common/logger";
import { loggedProcessor, logOtherFailures } from "../job-log.ts";

export interface ReportsWorkerDeps {
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

export interface ReportsWorker {
  worker: Worker;
  /** Upserts every workspace's schedulers (and the hourly re-sync); call once at start-up. */
  syncReportSchedules(): Promise<TSyncResult>;
  close(): Promise<void>;
}

export function createReportsWorker(deps: ReportsWorkerDeps): ReportsWorker {
  const reports = new Queue(QUEUES.reports, { connection: deps.connection, prefix: deps.prefix });
  const notifications = new Queue(QUEUES.notifications, { connection: deps.connection, prefix: deps.prefix });
  const ctx = { prisma: deps.prisma, notifications, ...(deps.config.retry ? { retry: deps.config.retry } : {}) };
  const sync = () => syncReportSchedules(deps.prisma, reports);

  const worker = new Worker(
    QUEUES.reports,
    loggedProcessor(
      jobProcessor(QUEUES.reports, {
        "reports.weekly": async (data, job) => {
          // A scheduler's job carries the time it was due; the report covers the week ending then.
          const scheduledAt = job.repeatJobKey && job.opts.prevMillis ? new Date(job.opts.prevMillis) : null;
          const r = await runWeeklyReport(ctx, data, scheduledAt);
          log().info(
            {
              trigger: data.trigger,
              snapshotId: r.snapshotId,
              periodStart: r.periodStart,
              periodEnd: r.periodEnd,
              deliveries: r.deliveries,
            },
            "weekly report built",
          );
          return r;
        },
        "reports.sample": (data) => runDailySample(ctx, data.workspaceId),
        "reports.sync-schedules": () => sync(),
      }),
      { logger: deps.logger },
    ),
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 2 },
  );
  logOtherFailures(worker, deps.logger);

  return {
    worker,
    syncReportSchedules: sync,
    async close() {
      await worker.close();
      await Promise.allSettled([reports.close(), notifications.close()]);
    },
  };
}
