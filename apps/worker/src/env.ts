import { z } from "zod";
import { auditEnvShape } from "@parapet/core/audit/audit-keys";
import { ZLogLevel } from "@parapet/core/common/log-level";

/** The only place apps/worker reads process.env. */
const ZEnv = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (postgresql://user@host:5432/db)"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  PARAPET_REDIS_PREFIX: z.string().max(100).default("parapet:"),
  PARAPET_WORKER_ID: z.string().max(100).optional(),
  /** JSON log lines on stdout at this level and above. */
  LOG_LEVEL: ZLogLevel,
  PARAPET_MASTER_KEY: z.string().optional(),
  PARAPET_MASTER_KEY_ID: z.string().max(64).default("k1"),
  PARAPET_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * The per-connection reconcile lease, renewed every third of it: how long a killed worker's
   * connections wait before another worker takes them over, and how long a run rides out a database
   * that cannot renew it (two thirds) before it stops itself. Every worker on one database should use
   * the same value. Below 3 s renewals (every second) would be too tight for a loaded database.
   */
  PARAPET_RECONCILE_LEASE_SEC: z.coerce
    .number({ message: "PARAPET_RECONCILE_LEASE_SEC must be a whole number of seconds" })
    .int("PARAPET_RECONCILE_LEASE_SEC must be a whole number of seconds")
    .min(3, "PARAPET_RECONCILE_LEASE_SEC must be at least 3 (seconds)")
    .max(3600, "PARAPET_RECONCILE_LEASE_SEC must be at most 3600 (one hour)")
    .default(60),
  /**
   * How long SIGTERM/SIGINT may take to finish current jobs and close connections; past it the worker
   * releases its reconcile leases and exits 1. Below a supervisor's kill grace period (Kubernetes: 30 s).
   */
  PARAPET_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(25_000),
  /**
   * How often staged rollouts are stepped (advanced or halted). A halt is noticed at the first tick
   * after the stage's replay finds an unexpected denial, so this bounds how late a halt can come.
   * 5 s to 1 hour; default 60 s (the journeys use a few seconds).
   */
  PARAPET_ROLLOUTS_TICK_SEC: z.coerce
    .number({ message: "PARAPET_ROLLOUTS_TICK_SEC must be a whole number of seconds" })
    .int("PARAPET_ROLLOUTS_TICK_SEC must be a whole number of seconds")
    .min(5, "PARAPET_ROLLOUTS_TICK_SEC must be at least 5 (seconds)")
    .max(3600, "PARAPET_ROLLOUTS_TICK_SEC must be at most 3600 (one hour)")
    .default(60),
  /**
   * How often every connection's audit log is read for refused calls (denial attribution). Cloud
   * events ask for their connection's read at once; this is the catch-all for calls no event announced.
   * 5 s to 1 hour; default 60 s (the journeys use a few seconds).
   */
  PARAPET_DENIALS_TICK_SEC: z.coerce
    .number({ message: "PARAPET_DENIALS_TICK_SEC must be a whole number of seconds" })
    .int("PARAPET_DENIALS_TICK_SEC must be a whole number of seconds")
    .min(5, "PARAPET_DENIALS_TICK_SEC must be at least 5 (seconds)")
    .max(3600, "PARAPET_DENIALS_TICK_SEC must be at most 3600 (one hour)")
    .default(60),
  /** SMTP relay for report emails: smtp://user:pass@host:587 or smtps://…:465. Unset = deliveries fail visibly. */
  PARAPET_SMTP_URL: z
    .string()
    .max(500)
    .regex(/^smtps?:\/\/[^\s]+$/, "PARAPET_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
    .optional(),
  PARAPET_MAIL_FROM: z.string().min(3).max(200).default("Parapet <reports@parapet.local>"),
  /** PagerDuty Events API v2 endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue). */
  PARAPET_PAGERDUTY_EVENTS_URL: z.string().url().max(500).optional(),
  /** Public URL of the web app, for links in emails (report page, unsubscribe). */
  PARAPET_BASE_URL: z.string().url().default("http://127.0.0.1:3000"),
  /** Same value as the web app's: unsubscribe links are signed here and verified there. */
  PARAPET_AUTH_SECRET: z.string().min(32, "PARAPET_AUTH_SECRET must be at least 32 characters").optional(),
  /**
   * Operator-only: hosts outside the clouds' own API domains that connections may use (simulators,
   * private endpoints), as host[:port] patterns separated by commas: `127.0.0.1:4010,*.corp.example`.
   * Allowlisted hosts also skip the private-address check. Same value as the web app's.
   */
  PARAPET_ENDPOINT_ALLOWLIST: z.string().max(4000).default(""),
  /**
   * A full hierarchy discovery runs at most this often per connection without being asked (the catch-all
   * for cloud events that never arrived); between sweeps, events update the hierarchy by targeted reads.
   * "Discover now" always sweeps. 1 minute to 30 days; default 24 h.
   */
  PARAPET_FULL_DISCOVERY_EVERY_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400),
  ...auditEnvShape,
  /** How often the worker checkpoints every workspace's audit chain head (when the head moved). */
  PARAPET_AUDIT_CHECKPOINT_EVERY_SEC: z.coerce.number().int().min(10).max(86_400).default(300),
});
export type WorkerEnv = z.infer<typeof ZEnv>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`configuration: ${first?.path.join(".")}: ${first?.message}`);
  }
  return parsed.data;
}

/** Just the endpoint allowlist (for code that builds adapters without the rest of the worker's configuration). */
export function endpointAllowlist(source: NodeJS.ProcessEnv = process.env): string {
  return source.PARAPET_ENDPOINT_ALLOWLIST ?? "";
}
