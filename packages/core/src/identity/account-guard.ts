/**
 * Password guessing protection that holds whoever asks and however they ask: a better-auth plugin
 * whose hooks run for the HTTP routes AND for server-side `auth.api.*` calls (better-auth's HTTP rate
 * limiter runs only in its router, so a server-side `signInEmail` used to skip every limit).
 *
 * - Per account (the e-mail address, whatever the client IP): the first few failures are free, then
 *   each further failure locks the account's sign-in for an exponentially growing delay (capped). The
 *   state lives in Redis, so every web instance sees the same lock.
 * - One attempt per account in flight: parallel guesses cannot all slip in before the first failure
 *   sets the lock.
 * - Failed sign-ins of an address count against its pending invitations; an invitation is revoked
 *   after `revokeInvitationAfter` of them (an invitation is the lure of the "invite a stranger's
 *   address to my workspace, then guess" attack, so it does not outlive the guessing).
 * - New passwords (sign-up, change, reset) are refused when they are on the common-password list.
 * - Workspace and person names (they reach invitation e-mails) are held to names.ts's safe set.
 *
 * The per-IP limit is better-auth's own limiter (see auth.ts: which IP it uses depends on the trusted
 * proxy setting).
 */
import { createHash } from "node:crypto";
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@parapet/db";
import { recordFailedSignIn } from "../members/invitation-attempts.ts";
import { isCommonPassword } from "./common-passwords.ts";
import { ZPersonName, ZWorkspaceName } from "./names.ts";

export interface AccountGuardConfig {
  /** Without Redis (the demo seeding, the CLI) only the common-password check runs. */
  redis?: Redis;
  prefix: string;
  prisma: PrismaClient;
  /** Failures before the back-off starts. */
  freeFailures?: number;
  /** First delay once the back-off starts, doubled per further failure, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failed sign-ins of the invited address after which a pending invitation is revoked. */
  revokeInvitationAfter?: number;
}

const ACCOUNT_GUARD_DEFAULTS = { freeFailures: 3, baseDelayMs: 2_000, maxDelayMs: 15 * 60_000, revokeInvitationAfter: 5 } as const;

// One atomic step per failure: count it (kept a day after the last one), and once past the free
// failures set the lock for base·2^(n-free) ms, capped. Returns [failures, lock ms].
const FAIL = `
local n = redis.call('HINCRBY', KEYS[1], 'fails', 1)
redis.call('PEXPIRE', KEYS[1], 86400000)
local free = tonumber(ARGV[1])
local delay = 0
if n > free then
  delay = math.min(tonumber(ARGV[2]) * (2 ^ math.min(n - free - 1, 30)), tonumber(ARGV[3]))
  redis.call('SET', KEYS[2], '1', 'PX', math.floor(delay))
end
return {n, math.floor(delay)}
`;

const accountKey = (email: string) => createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32);

function tooMany(retryAfterMs: number, message: string): APIError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new APIError(
    "TOO_MANY_REQUESTS",
    { message: `${message}; try again in ${seconds} s`, code: "TOO_MANY_ATTEMPTS" },
    { "Retry-After": String(seconds), "X-Retry-After": String(seconds) },
  );
}

const bodyOf = (ctx: { body?: unknown }): Record<string, unknown> =>
  ctx.body && typeof ctx.body === "object" ? (ctx.body as Record<string, unknown>) : {};

/** Where better-auth accepts a name, and where in the body it sits. */
const NAME_FIELDS: Record<string, { pick: (b: Record<string, unknown>) => unknown; schema: typeof ZPersonName; field: string }> = {
  "/sign-up/email": { pick: (b) => b.name, schema: ZPersonName, field: "name" },
  "/update-user": { pick: (b) => b.name, schema: ZPersonName, field: "name" },
  "/organization/create": { pick: (b) => b.name, schema: ZWorkspaceName, field: "name" },
  "/organization/update": {
    pick: (b) => (b.data && typeof b.data === "object" ? (b.data as Record<string, unknown>).name : undefined),
    schema: ZWorkspaceName,
    field: "data.name",
  },
};

const NEW_PASSWORD_PATHS: Record<string, string> = {
  "/sign-up/email": "password",
  "/change-password": "newPassword",
  "/reset-password": "newPassword",
  "/set-password": "newPassword",
};

export function accountGuard(cfg: AccountGuardConfig): BetterAuthPlugin {
  const o = { ...ACCOUNT_GUARD_DEFAULTS, ...Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined)) } as Required<
    Omit<AccountGuardConfig, "redis">
  >;
  const redis = cfg.redis;
  const keys = (email: string) => {
    const k = accountKey(email);
    return { fails: `${o.prefix}signin:fails:${k}`, lock: `${o.prefix}signin:lock:${k}`, inflight: `${o.prefix}signin:inflight:${k}` };
  };
  return {
    id: "parapet-account-guard",
    hooks: {
      before: [
        {
          matcher: (ctx) => redis !== undefined && ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = bodyOf(ctx).email;
            if (!redis || typeof email !== "string" || !email) return;
            const k = keys(email);
            const locked = await redis.pttl(k.lock);
            if (locked > 0) throw tooMany(locked, "too many failed sign-ins for this account");
            // One guess at a time per account; released by the after hook (or by expiry if the process dies).
            const took = await redis.set(k.inflight, "1", "PX", 10_000, "NX");
            if (took !== "OK") throw tooMany(1000, "another sign-in for this account is in progress");
          }),
        },
        {
          matcher: (ctx) => (ctx.path ?? "") in NEW_PASSWORD_PATHS,
          handler: createAuthMiddleware(async (ctx) => {
            const field = NEW_PASSWORD_PATHS[ctx.path ?? ""];
            if (!field) return;
            const pw = bodyOf(ctx)[field];
            if (typeof pw === "string" && isCommonPassword(pw)) {
              throw new APIError("BAD_REQUEST", {
                message: `${field}: this password is on a list of commonly used passwords; choose another`,
                code: "PASSWORD_TOO_COMMON",
              });
            }
          }),
        },
        {
          matcher: (ctx) => (ctx.path ?? "") in NAME_FIELDS,
          handler: createAuthMiddleware(async (ctx) => {
            const rule = NAME_FIELDS[ctx.path ?? ""];
            const name = rule?.pick(bodyOf(ctx));
            if (!rule || name === undefined) return;
            const r = rule.schema.safeParse(name);
            if (!r.success)
              throw new APIError("BAD_REQUEST", {
                message: `${rule.field}: ${r.error.issues[0]?.message ?? "is not allowed"}`,
                code: "INVALID_NAME",
              });
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => redis !== undefined && ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = bodyOf(ctx).email;
            if (!redis || typeof email !== "string" || !email) return;
            const k = keys(email);
            const returned = ctx.context.returned;
            try {
              if (isAPIError(returned)) {
                // Only a wrong e-mail/password counts (a locked or malformed request is not a guess).
                if (returned.statusCode !== 401) return;
                await redis.eval(FAIL, 2, k.fails, k.lock, o.freeFailures, o.baseDelayMs, o.maxDelayMs);
                await recordFailedSignIn(o.prisma, email, o.revokeInvitationAfter);
              } else {
                await redis.del(k.fails, k.lock);
              }
            } finally {
              await redis.del(k.inflight);
            }
          }),
        },
      ],
    },
  };
}
