import { describe, expect, it } from "vitest";
import { AppError } from "../common/errors.ts";
import { SAMPLE_CRON } from "../jobs/definitions.ts";
import { nextRunTimes, nextWeeklyRuns, validateReportSettings, weeklyCron } from "./schedule.ts";
import { localParts } from "./zoned-time.ts";

const local = (d: Date, tz: string) => {
  const p = localParts(d, tz);
  return `${["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][p.weekday]} ${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")} ${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
};

describe("weekly report schedule (BullMQ's cron evaluation with tz)", () => {
  it("uses Monday 08:00 by default and builds the cron from day and hour", () => {
    expect(weeklyCron({ reportDay: 1, reportHour: 8 })).toBe("0 8 * * 1");
    expect(weeklyCron({ reportDay: 0, reportHour: 23 })).toBe("0 23 * * 0");
  });

  it("stays at 08:00 New York time across the March daylight-saving change", () => {
    const runs = nextWeeklyRuns({ timezone: "America/New_York", reportDay: 1, reportHour: 8 }, Date.parse("2026-03-01T00:00:00Z"), 3);
    expect(runs.map((r) => r.toISOString())).toEqual(["2026-03-02T13:00:00.000Z", "2026-03-09T12:00:00.000Z", "2026-03-16T12:00:00.000Z"]);
    expect(runs.map((r) => local(r, "America/New_York"))).toEqual(["Mon 2026-03-02 08:00", "Mon 2026-03-09 08:00", "Mon 2026-03-16 08:00"]);
  });

  it("stays at 08:00 Berlin time across the October change (the UTC hour moves, the local one does not)", () => {
    const runs = nextWeeklyRuns({ timezone: "Europe/Berlin", reportDay: 1, reportHour: 8 }, Date.parse("2026-10-19T12:00:00Z"), 2);
    expect(runs.map((r) => r.toISOString())).toEqual(["2026-10-26T07:00:00.000Z", "2026-11-02T07:00:00.000Z"]);
    const before = nextWeeklyRuns({ timezone: "Europe/Berlin", reportDay: 1, reportHour: 8 }, Date.parse("2026-10-12T12:00:00Z"), 1);
    expect(before[0]!.toISOString()).toBe("2026-10-19T06:00:00.000Z");
    expect([...before, ...runs].map((r) => local(r, "Europe/Berlin"))).toEqual([
      "Mon 2026-10-19 08:00",
      "Mon 2026-10-26 08:00",
      "Mon 2026-11-02 08:00",
    ]);
  });

  it("fires exactly once on a Sunday whose scheduled hour does not exist (02:00 on spring-forward day)", () => {
    const runs = nextWeeklyRuns({ timezone: "Europe/Berlin", reportDay: 0, reportHour: 2 }, Date.parse("2026-03-22T12:00:00Z"), 2);
    expect(runs).toHaveLength(2);
    expect(local(runs[0]!, "Europe/Berlin").startsWith("Sun 2026-03-29")).toBe(true);
    expect(local(runs[1]!, "Europe/Berlin")).toBe("Sun 2026-04-05 02:00");
  });

  it("samples daily at 23:50 local time, every day, across a change", () => {
    const runs = nextRunTimes(SAMPLE_CRON, "America/New_York", Date.parse("2026-10-31T00:00:00Z"), 3);
    expect(runs.map((r) => local(r, "America/New_York"))).toEqual(["Fri 2026-10-30 23:50", "Sat 2026-10-31 23:50", "Sun 2026-11-01 23:50"]);
  });

  it("refuses unknown zones and out-of-range days and hours, naming the field", () => {
    expect(() => validateReportSettings({ timezone: "Mars/Base", reportDay: 1, reportHour: 8 })).toThrow(/timezone: "Mars\/Base"/);
    expect(() => validateReportSettings({ timezone: "UTC", reportDay: 7, reportHour: 8 })).toThrow(AppError);
    expect(() => validateReportSettings({ timezone: "UTC", reportDay: 1, reportHour: 24 })).toThrow(/reportHour/);
  });
});
