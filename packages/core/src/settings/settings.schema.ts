import { z } from "zod";

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
