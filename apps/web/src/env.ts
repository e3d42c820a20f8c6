import "server-only";
import { isIP } from "node:net";
import { z } from "zod";
import { parseEndpointAllowlist } from "@parapet/core/connections/create-connection";
import { auditConfigFromEnv, auditEnvShape, configureAudit } from "@parapet/core/audit/audit-keys";
import { ZLogLevel } from "@parapet/core/common/log-level";

/** An IP address or CIDR range (v4 or v6), as a reverse proxy's address is written. */
const isIpOrCidr = (v: string) => {
  const [ip, bits, ...rest] = v.split("/");
  if (rest.length || !ip) return false;
  const family = isIP(ip);
  if (!family) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};

/** The only place apps/web reads process.env. */
const ZEnv = z.object({
  /** Set by Next itself; only "development" loosens anything (React's dev build needs eval). */
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (postgresql://user@host:5432/db)"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  PARAPET_REDIS_PREFIX: z.string().max(100).default("parapet:"),
  PARAPET_BASE_URL: z.string().url().default("http://127.0.0.1:3000"),
  PARAPET_AUTH_SECRET: z.string().min(32, "PARAPET_AUTH_SECRET must be at least 32 characters"),
  PARAPET_TRUSTED_ORIGINS: z.string().default(""),
  PARAPET_SIGNIN_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /**
   * Reverse proxies in front of the web app ("10.0.0.5,10.1.0.0/16"). Only then is the client IP read
   * from X-Forwarded-For; unset, a client-sent header is never believed.
   */
  PARAPET_TRUSTED_PROXIES: z
    .string()
    .max(2000)
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.every(isIpOrCidr),
      "PARAPET_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (e.g. 10.0.0.5,10.1.0.0/16)",
    ),
  PARAPET_MASTER_KEY: z.string().optional(),
  PARAPET_MASTER_KEY_ID: z.string().max(64).default("k1"),
  /** Keys being retired ("id:base64,…"): they still open secrets until `parapet keys rotate` has run. */
  PARAPET_MASTER_KEYS_OLD: z.string().default(""),
  PARAPET_DEMO: z.enum(["0", "1"]).default("0"),
  /** JSON log lines on stdout at this level and above (server/request-log.ts). */
  LOG_LEVEL: ZLogLevel,
  /** The AWS identity Parapet's workers assume connector roles from (shown in the AWS bootstrap). */
  PARAPET_AWS_PRINCIPAL_ARN: z.string().max(2048).default(""),
  /** SMTP relay for report emails (the worker sends; listed here so both apps read one configuration). */
  PARAPET_SMTP_URL: z
    .string()
    .max(500)
    .regex(/^smtps?:\/\/[^\s]+$/, "PARAPET_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
    .optional(),
  PARAPET_MAIL_FROM: z.string().min(3).max(200).default("Parapet <reports@parapet.local>"),
  /** Demo mode's local mail catcher inbox page, linked from the Reports page. */
  PARAPET_MAIL_CATCHER_URL: z.string().url().optional(),
  /**
   * Operator-only: hosts beyond the clouds' own API hosts that connection endpoints and Azure
   * authorities may name (simulators, private endpoints): host[:port] patterns, comma-separated,
   * e.g. `127.0.0.1:4010,*.corp.example:443`. Same value as the worker's.
   */
  PARAPET_ENDPOINT_ALLOWLIST: z
    .string()
    .max(4000)
    .default("")
    .superRefine((v, ctx) => {
      try {
        parseEndpointAllowlist(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
  /**
   * Tests and local demos only (refused when NODE_ENV is production): domains, comma-separated, whose
   * SSO DNS TXT check is treated as passed without a DNS lookup (server/sso.ts).
   */
  PARAPET_SSO_DNS_OVERRIDE: z.string().max(2000).default(""),
  ...auditEnvShape,
});

export type Env = z.infer<typeof ZEnv>;

let cached: Env | undefined;
export function env(): Env {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`configuration: ${first?.path.join(".")}: ${first?.message}`);
  }
  // The audit chain's key is process configuration: every audit append in this process uses it.
  configureAudit(auditConfigFromEnv(parsed.data));
  cached = parsed.data;
  return cached;
}
