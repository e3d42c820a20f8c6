/**
 * Report schedules as BullMQ job schedulers, one pair per workspace with stable ids: the weekly
 * report (cron on the workspace's day and hour, evaluated in its time zone via `tz`, so 08:00 stays
 * 08:00 local across daylight-saving changes) and a daily coverage sample late in the local evening.
 */
import { getNextMillis, type Queue } from "bullmq";
import type { PrismaClient } from "@parapet/db";
import { AppError } from "../common/errors.ts";
import { DEFAULT_REPORT_SETTINGS, type TWorkspaceReportSettings } from "./reports.repository.ts";
import { sampleSchedulerId, weeklySchedulerId } from "../jobs/definitions.ts";
import { scheduleJob } from "../jobs/enqueue.ts";
import { isValidTimeZone } from "./zoned-time.ts";
import { workspaceSchedules } from "./report-store.repository.ts";

export function weeklyCron(s: Pick<TWorkspaceReportSettings, "reportDay" | "reportHour">): string {
  return `0 ${s.reportHour} * * ${s.reportDay}`;
}

export function validateReportSettings(s: TWorkspaceReportSettings): TWorkspaceReportSettings {
  if (!isValidTimeZone(s.timezone))
    throw new AppError("validation", `timezone: "${s.timezone.slice(0, 64)}" is not an IANA time zone (e.g. Europe/Berlin)`, [
      { field: "timezone", message: "unknown time zone" },
    ]);
  if (!Number.isInteger(s.reportDay) || s.reportDay < 0 || s.reportDay > 6)
    throw new AppError("validation", `reportDay: expected 0 (Sunday) … 6 (Saturday), got ${s.reportDay}`, [
      { field: "reportDay", message: "0..6" },
    ]);
  if (!Number.isInteger(s.reportHour) || s.reportHour < 0 || s.reportHour > 23)
    throw new AppError("validation", `reportHour: expected 0 … 23, got ${s.reportHour}`, [{ field: "reportHour", message: "0..23" }]);
  return s;
}

/** The next `count` fire times after `fromMs`, as BullMQ's scheduler computes them. */
export function nextRunTimes(pattern: string, timezone: string, fromMs: number, count: number): Date[] {
  const out: Date[] = [];
  let t = fromMs;
  for (let i = 0; i < count; i++) {
    const next = getNextMillis(t, { pattern, tz: timezone });
    if (next === undefined) break;
    out.push(new Date(next));
    t = next;
  }
  return out;
}

export function nextWeeklyRuns(settings: TWorkspaceReportSettings, fromMs: number, count: number): Date[] {
  return nextRunTimes(weeklyCron(settings), settings.timezone, fromMs, count);
}

/** Creates or updates the workspace's two schedulers (idempotent; same ids every time). */
export async function upsertReportSchedules(
  queue: Queue,
  workspaceId: string,
  settings: TWorkspaceReportSettings,
  opts: { startDate?: Date } = {},
): Promise<void> {
  validateReportSettings(settings);
  const start = opts.startDate ? { startDate: opts.startDate } : {};
  await scheduleJob(
    queue,
    "reports.weekly",
    { workspaceId, trigger: "schedule" },
    { pattern: weeklyCron(settings), tz: settings.timezone, ...start },
  );
  await scheduleJob(queue, "reports.sample", { workspaceId }, { tz: settings.timezone, ...start });
}

export interface TSyncResult {
  upserted: number;
  removed: number;
}

/**
 * Makes the schedulers match the database: one pair per workspace with its settings (defaults for
 * workspaces without a settings row), none for deleted workspaces. Also keeps an hourly sync job,
 * so workspaces created by the web app get their schedules without a worker restart.
 */
export async function syncReportSchedules(prisma: PrismaClient, queue: Queue): Promise<TSyncResult> {
  const workspaces = await workspaceSchedules(prisma);
  const live = new Set<string>();
  let upserted = 0;
  for (const w of workspaces) {
    const s = w.settings ?? DEFAULT_REPORT_SETTINGS;
    // A settings row written before validation existed must not stop every other workspace's schedule.
    const settings = isValidTimeZone(s.timezone) ? s : { ...s, timezone: "UTC" };
    await upsertReportSchedules(queue, w.id, settings);
    live.add(weeklySchedulerId(w.id)).add(sampleSchedulerId(w.id));
    upserted++;
  }
  let removed = 0;
  for (let start = 0; ; start += 500) {
    const page = await queue.getJobSchedulers(start, start + 499, true);
    for (const s of page) {
      if ((s.key.startsWith("reports-weekly__") || s.key.startsWith("reports-sample__")) && !live.has(s.key)) {
        await queue.removeJobScheduler(s.key);
        removed++;
      }
    }
    if (page.length < 500) break;
  }
  await scheduleJob(queue, "reports.sync-schedules", {});
  return { upserted, removed };
}
