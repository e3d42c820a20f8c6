/**
 * What the `reports` queue's jobs do, independent of BullMQ plumbing (the worker file only adapts
 * Job objects to these calls).
 */
import type { Queue } from "bullmq";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { createReportSnapshot } from "./build-report.ts";
import { queueReportDeliveries, requeueStaleDeliveries } from "./deliver-report.ts";
import type { TWeeklyReportJob } from "../jobs/definitions.ts";
import { DEFAULT_DELIVERY_RETRY, type TDeliveryRetry } from "./report-jobs.ts";
import { getReportSettings } from "./reports.repository.ts";
import { findWorkspaceId } from "./report-store.repository.ts";
import { sampleCoverage } from "./sample-coverage.ts";
import { localDateString, startOfLocalHour } from "./zoned-time.ts";

export interface TReportJobContext {
  prisma: PrismaClient;
  notifications: Queue;
  retry?: TDeliveryRetry;
}

export interface TWeeklyReportResult {
  snapshotId: string;
  created: boolean;
  periodStart: string;
  periodEnd: string;
  deliveries: number;
}

/**
 * A scheduled run reports on the 7 days ending at its scheduled time (not when a busy worker got to
 * it), so a late or retried run produces the same week; "send now" ends at the current local hour.
 */
export async function runWeeklyReport(
  ctx: TReportJobContext,
  job: TWeeklyReportJob,
  scheduledAt: Date | null,
  now: Date = new Date(),
): Promise<TWeeklyReportResult> {
  const { prisma } = ctx;
  const ws = await findWorkspaceId(prisma, job.workspaceId);
  if (!ws) return { snapshotId: "", created: false, periodStart: "", periodEnd: "", deliveries: 0 };
  const { timezone } = await getReportSettings(prisma, job.workspaceId);
  const end = startOfLocalHour(job.trigger === "schedule" && scheduledAt ? scheduledAt : now, timezone);
  // The sample is the state at the end of the period, so it is filed under the period's last day
  // (a report due at 00:00 Monday reads Sunday's sample, not one dated after its own end).
  await sampleCoverage(prisma, job.workspaceId, localDateString(new Date(end.getTime() - 1), timezone));
  const snap = await createReportSnapshot(prisma, job.workspaceId, { end, now });
  const queued = await queueReportDeliveries(
    prisma,
    ctx.notifications,
    { id: snap.id, workspaceId: job.workspaceId, model: snap.model },
    { trigger: job.trigger, ...(job.to ? { to: job.to } : {}) },
    ctx.retry ?? DEFAULT_DELIVERY_RETRY,
  );
  if (snap.created || job.trigger === "manual") {
    await appendAudit(prisma, {
      workspaceId: job.workspaceId,
      actorType: "system",
      actorLabel: job.requestedBy ? `Parapet worker for ${job.requestedBy}` : "Parapet worker",
      action: job.trigger === "manual" ? "report.send_now" : "report.generated",
      targetType: "report_snapshot",
      targetId: snap.id,
      data: { periodStart: snap.periodStart.toISOString(), periodEnd: snap.periodEnd.toISOString(), deliveries: queued.created },
    });
  }
  return {
    snapshotId: snap.id,
    created: snap.created,
    periodStart: snap.periodStart.toISOString(),
    periodEnd: snap.periodEnd.toISOString(),
    deliveries: queued.deliveryIds.length,
  };
}

export async function runDailySample(
  ctx: TReportJobContext,
  workspaceId: string,
  now: Date = new Date(),
): Promise<{ day: string; rows: number; requeued: number }> {
  const ws = await findWorkspaceId(ctx.prisma, workspaceId);
  if (!ws) return { day: "", rows: 0, requeued: 0 };
  const { timezone } = await getReportSettings(ctx.prisma, workspaceId);
  const r = await sampleCoverage(ctx.prisma, workspaceId, localDateString(now, timezone));
  const requeued = await requeueStaleDeliveries(
    ctx.prisma,
    ctx.notifications,
    workspaceId,
    now,
    15 * 60_000,
    ctx.retry ?? DEFAULT_DELIVERY_RETRY,
  );
  return { ...r, requeued };
}
