/**
 * The sign-in endpoint's per-IP limit, taken by callers outside better-auth's router (issue 18: the
 * invitation accept endpoint's password step). It consumes from the very bucket POST /sign-in/email
 * uses — same storage key (`<ip>|/sign-in/email`, better-auth's createRateLimitKey), same client IP
 * resolution (better-auth's getIP under the configured trusted proxies), same window and maximum — so
 * switching between the two endpoints buys no extra guesses.
 */
import { createRateLimitKey, getIP } from "@better-auth/core/utils/ip";
import type { Redis } from "ioredis";
import type { ParapetAuth } from "./auth.ts";
import { consumeLimit } from "./rate-limit.ts";

const SIGN_IN_WINDOW_SECONDS = 60;

/** Null when allowed, else the seconds until the window ends. */
export async function consumeSignInAttempt(
  auth: ParapetAuth,
  redis: Redis,
  prefix: string,
  req: Request,
  maxPerMinute: number,
): Promise<number | null> {
  const ctx = await auth.$context;
  // Without a trusted client IP better-auth falls back to one shared bucket; so does this.
  const ip = getIP(req, ctx.options) ?? "no-trusted-ip";
  return consumeLimit(redis, prefix, createRateLimitKey(ip, "/sign-in/email"), SIGN_IN_WINDOW_SECONDS, maxPerMinute);
}
