/**
 * API-token verification on the request path, without a database write per request.
 *
 * Tokens are issued by better-auth's api-key plugin (create-token.ts) and stored as its rows: the
 * SHA-256 of the secret (base64url, no padding — the plugin's `defaultKeyHasher`), `enabled`,
 * `expiresAt`, the rate-limit settings and `lastRequest`. The plugin's own `verifyApiKey` claims usage
 * in the database on every call: a guarded increment of `requestCount`/`lastRequest` plus an
 * `updatedAt` write, all on the token's one row. Twenty concurrent clients of one token therefore
 * queued on that row's lock (bench/RESULTS.md §4: `/me` p95 340 ms at 20 clients, ~12 ms of server
 * time per request before any work — issue 15).
 *
 * Here the same checks read the row once and keep the per-request counters where they belong:
 * - the rate limit (the token's own `rateLimitMax` per `rateLimitTimeWindow`) is a Redis fixed window
 *   shared by every web process (identity/rate-limit.ts), answered 429 with the seconds to wait — the
 *   plugin's guard answered this as an invalid key (401);
 * - `lastRequest` (shown as "last used") is written at most once a minute per token, by a conditional
 *   UPDATE, so a busy token costs one write a minute instead of two per request.
 * Tokens with a usage quota (`remaining`) or permissions are never issued by Parapet (create-token.ts
 * sets neither, and the plugin's create endpoint is not reachable over HTTP: identity/http-surface.ts);
 * a row carrying either is refused rather than half-enforced.
 */
import { createHash } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import type { Redis } from "ioredis";
import { AppError } from "../common/errors.ts";
import { consumeLimit } from "../identity/rate-limit.ts";
import { findKeyByHash, touchLastRequest } from "./tokens.repository.ts";

/** "Last used" is accurate to this much; finer would cost a write per request again. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const INVALID = "x-api-key is invalid, expired or revoked";

export interface VerifiedToken {
  id: string;
  name: string | null;
  /** The owner's user id. */
  referenceId: string;
  metadata: string | null;
}

export interface VerifyTokenDeps {
  prisma: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  /** Called when the rate limit cannot be checked (Redis away); the request is then served. */
  onLimitUnavailable?: (e: unknown) => void;
}

/** The plugin's storage form of a secret: SHA-256, base64url without padding. */
function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

export async function verifyToken(deps: VerifyTokenDeps, secret: string, now = new Date()): Promise<VerifiedToken> {
  // Parapet's secrets are ~70 characters; a header far longer than any secret is not one (and is not hashed).
  if (secret.length === 0 || secret.length > 512) throw new AppError("unauthenticated", INVALID);
  const row = await findKeyByHash(deps.prisma, hashTokenSecret(secret));
  if (!row || row.enabled === false) throw new AppError("unauthenticated", INVALID);
  if (row.expiresAtMs !== null && row.expiresAtMs <= now.getTime()) throw new AppError("unauthenticated", INVALID);
  if (row.remaining !== null || row.permissions !== null) throw new AppError("unauthenticated", INVALID);

  if (row.rateLimitEnabled !== false && row.rateLimitMax && row.rateLimitTimeWindow) {
    const windowSec = Math.max(1, Math.ceil(row.rateLimitTimeWindow / 1000));
    let retryAfter: number | null = null;
    try {
      retryAfter = await consumeLimit(deps.redis, deps.redisPrefix, `token:${row.id}`, windowSec, row.rateLimitMax);
    } catch (e) {
      // The limit protects capacity, not identity (a 256-bit secret cannot be guessed; the row above
      // decided who this is): with Redis away the request is served and the outage reported.
      deps.onLimitUnavailable?.(e);
    }
    if (retryAfter !== null)
      throw new AppError(
        "rate_limited",
        `x-api-key: this token is limited to ${row.rateLimitMax} requests per ${windowSec} s; try again in ${retryAfter} s`,
        [],
        retryAfter,
      );
  }

  if (row.lastRequestMs === null || now.getTime() - row.lastRequestMs >= LAST_USED_RESOLUTION_MS)
    await touchLastRequest(deps.prisma, row.id, now, LAST_USED_RESOLUTION_MS);

  return { id: row.id, name: row.name, referenceId: row.referenceId, metadata: row.metadata };
}
