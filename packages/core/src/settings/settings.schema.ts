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
});
/** The weekly schedule and the next three runs (instant, and local time in the workspace's zone). */
export const ZReportSchedule = z.object({
  timezone: z.string(),
  reportDay: z.number().int(),
  reportHour: z.number().int(),
  nextRuns: z.array(z.object({ at: ZIsoDateTime, local: z.string() })),
});
