import { z } from "zod";
import { ZIsoDateTime } from "../common/wire.schema.ts";

const validZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const ZUpdateSettingsInput = z
  .object({
    timezone: z.string().min(1).max(64).refine(validZone, "must be an IANA time zone such as Europe/London").optional(),
    reportDay: z.number().int().min(0).max(6).optional(),
    reportHour: z.number().int().min(0).max(23).optional(),
    /** Password users must enrol a second factor before anything else works (SSO-only users are exempt). */
    requireMfa: z.boolean().optional(),
    /** A session's absolute lifetime from sign-in, 1 hour to 30 days; null = the 7-day sliding expiry alone. */
    sessionLifetimeHours: z.number().int().min(1).max(720).nullable().optional(),
    /** End a session unused this long, 5 minutes to 7 days; null = no idle timeout. */
    idleTimeoutMinutes: z.number().int().min(5).max(10_080).nullable().optional(),
  })
  .strict();
export type TUpdateSettingsInput = z.infer<typeof ZUpdateSettingsInput>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** Workspace settings: time zone, the weekly report's day (0 = Sunday) and hour, the two-person rule. */
export const ZSettings = z.object({
  timezone: z.string(),
  reportDay: z.number().int(),
  reportHour: z.number().int(),
  twoPersonRule: z.boolean(),
  requireMfa: z.boolean(),
  sessionLifetimeHours: z.number().int().nullable(),
  idleTimeoutMinutes: z.number().int().nullable(),
});
/** The weekly schedule and the next three runs (instant, and local time in the workspace's zone). */
export const ZReportSchedule = z.object({
  timezone: z.string(),
  reportDay: z.number().int(),
  reportHour: z.number().int(),
  nextRuns: z.array(z.object({ at: ZIsoDateTime, local: z.string() })),
});
