import { describe, expect, it } from "vitest";
import { judgeSession, TOUCH_EVERY_MS } from "./session-policy.ts";

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const row = (o: Partial<Parameters<typeof judgeSession>[0]> = {}) => ({
  id: "s1",
  userId: "u1",
  createdAtMs: NOW - 3_600_000,
  lastSeenAtMs: NOW - 1_000,
  twoFactorEnabled: false,
  hasPassword: true,
  lifetimeHours: null,
  idleMinutes: null,
  requireMfa: false,
  ...o,
});

describe("judgeSession", () => {
  it("accepts a session under no rules, and touches it only once a minute", () => {
    expect(judgeSession(row(), NOW)).toEqual({ ok: true, mfaEnrolmentRequired: false, touch: false });
    expect(judgeSession(row({ lastSeenAtMs: NOW - TOUCH_EVERY_MS }), NOW)).toMatchObject({ ok: true, touch: true });
  });

  it("ends a session at its lifetime, counted from sign-in", () => {
    expect(judgeSession(row({ lifetimeHours: 2, createdAtMs: NOW - 2 * 3_600_000 + 1 }), NOW).ok).toBe(true);
    expect(judgeSession(row({ lifetimeHours: 2, createdAtMs: NOW - 2 * 3_600_000 }), NOW)).toEqual({ ok: false, reason: "lifetime" });
  });

  it("ends a session idle for the timeout, counted from its last request", () => {
    expect(judgeSession(row({ idleMinutes: 15, lastSeenAtMs: NOW - 15 * 60_000 + 1 }), NOW).ok).toBe(true);
    expect(judgeSession(row({ idleMinutes: 15, lastSeenAtMs: NOW - 15 * 60_000 }), NOW)).toEqual({ ok: false, reason: "idle" });
  });

  it("requires enrolment only of a password user without a factor in a workspace that requires MFA", () => {
    expect(judgeSession(row({ requireMfa: true }), NOW)).toMatchObject({ ok: true, mfaEnrolmentRequired: true });
    expect(judgeSession(row({ requireMfa: true, twoFactorEnabled: true }), NOW)).toMatchObject({ mfaEnrolmentRequired: false });
    expect(judgeSession(row({ requireMfa: true, hasPassword: false }), NOW)).toMatchObject({ mfaEnrolmentRequired: false });
    expect(judgeSession(row({ requireMfa: false }), NOW)).toMatchObject({ mfaEnrolmentRequired: false });
  });
});
