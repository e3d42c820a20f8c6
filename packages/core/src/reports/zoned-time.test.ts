import { describe, expect, it } from "vitest";
import { addLocalDays, isValidTimeZone, localDateString, localParts, startOfLocalHour, zonedTime } from "./zoned-time.ts";

describe("zoned time", () => {
  it("maps local wall time to UTC in winter and summer", () => {
    expect(zonedTime(2026, 1, 12, 8, 0, "Europe/Berlin").toISOString()).toBe("2026-01-12T07:00:00.000Z");
    expect(zonedTime(2026, 7, 13, 8, 0, "Europe/Berlin").toISOString()).toBe("2026-07-13T06:00:00.000Z");
    expect(zonedTime(2026, 7, 13, 8, 0, "America/New_York").toISOString()).toBe("2026-07-13T12:00:00.000Z");
    expect(zonedTime(2026, 1, 1, 9, 0, "Asia/Kolkata").toISOString()).toBe("2026-01-01T03:30:00.000Z");
  });

  it("resolves a time skipped by spring-forward to just after the gap, and a repeated one to its first occurrence", () => {
    // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    expect(zonedTime(2026, 3, 29, 2, 30, "Europe/Berlin").toISOString()).toBe("2026-03-29T01:30:00.000Z");
    // Berlin 2026-10-25: 02:30 happens twice (CEST then CET); the first is 00:30Z.
    expect(zonedTime(2026, 10, 25, 2, 30, "Europe/Berlin").toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });

  it("makes a report week 7 local days, i.e. 167 hours across spring-forward and 169 across fall-back", () => {
    const springEnd = zonedTime(2026, 3, 30, 8, 0, "Europe/Berlin");
    const springStart = addLocalDays(springEnd, -7, "Europe/Berlin");
    expect(springStart.toISOString()).toBe("2026-03-23T07:00:00.000Z");
    expect((springEnd.getTime() - springStart.getTime()) / 3_600_000).toBe(167);
    const fallEnd = zonedTime(2026, 11, 2, 8, 0, "America/New_York");
    const fallStart = addLocalDays(fallEnd, -7, "America/New_York");
    expect(fallStart.toISOString()).toBe("2026-10-26T12:00:00.000Z");
    expect((fallEnd.getTime() - fallStart.getTime()) / 3_600_000).toBe(169);
  });

  it("reads local parts, dates and hour starts, including half-hour offsets", () => {
    const t = new Date("2026-01-01T10:10:42.500Z");
    expect(localParts(t, "Asia/Kolkata")).toMatchObject({ year: 2026, month: 1, day: 1, hour: 15, minute: 40, weekday: 4 });
    expect(startOfLocalHour(t, "Asia/Kolkata").toISOString()).toBe("2026-01-01T09:30:00.000Z");
    expect(startOfLocalHour(t, "UTC").toISOString()).toBe("2026-01-01T10:00:00.000Z");
    expect(localDateString(new Date("2026-01-01T23:30:00Z"), "Europe/Berlin")).toBe("2026-01-02");
    expect(localDateString(new Date("2026-01-01T03:30:00Z"), "America/Los_Angeles")).toBe("2025-12-31");
  });

  it("validates IANA names", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});
