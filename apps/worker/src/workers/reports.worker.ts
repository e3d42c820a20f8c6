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

export interface ReportsWorkerDeps {
  prisma: PrismaClient;
  /** A connection BullMQ may block on (maxRetriesPerRequest: null). */
  connection: Redis;
  /** BullMQ prefix, i.e. bullPrefix(PARAPET_REDIS_PREFIX). */
  prefix: string;
  config: TReportsConfig;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface ReportsWorker {
  worker: Worker;
  /** Upserts every workspace's schedulers (and the hourly re-sync); call once at start-up. */
  syncReportSchedules(): Promise<TSyncResult>;
  close(): Promise<void>;
}

export function createReportsWorker(deps: ReportsWorkerDeps): ReportsWorker {
  const log = deps.log ?? (() => undefined);
  const reports = new Queue(QUEUES.reports, { connection: deps.connection, prefix: deps.prefix });
  const notifications = new Queue(QUEUES.notifications, { connection: deps.connection, prefix: deps.prefix });
  const ctx = { prisma: deps.prisma, notifications, ...(deps.config.retry ? { retry: deps.config.retry } : {}) };
  const sync = () => syncReportSchedules(deps.prisma, reports);

  const worker = new Worker(
    QUEUES.reports,
    jobProcessor(QUEUES.reports, {
      "reports.weekly": async (data, job) => {
        // A scheduler's job carries the time it was due; the report covers the week ending then.
        const scheduledAt = job.repeatJobKey && job.opts.prevMillis ? new Date(job.opts.prevMillis) : null;
        const r = await runWeeklyReport(ctx, data, scheduledAt);
        log(`reports: ${data.trigger} report ${r.snapshotId} for ${data.workspaceId} (${r.periodStart} → ${r.periodEnd}), ${r.deliveries} email(s) queued`);
        return r;
      },
      "reports.sample": (data) => runDailySample(ctx, data.workspaceId),
      "reports.sync-schedules": () => sync(),
    }),
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 2 },
  );
  worker.on("failed", (job, err) => log(`reports: ${job?.name ?? "?"} ${job?.id ?? ""} failed: ${err.message}`));

  return {
    worker,
    syncReportSchedules: sync,
    async close() {
      await worker.close();
      await Promise.allSettled([reports.close(), notifications.close()]);
    },
  };
}
