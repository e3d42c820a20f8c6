import { z } from "zod";

/**
 * `LOG_LEVEL` as both apps' env.ts parse it. Its own module (zod only) so the web's proxy, which reads
 * env.ts, does not load the logger.
 */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type TLogLevel = (typeof LOG_LEVELS)[number];
export const ZLogLevel = z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }).default("info");
