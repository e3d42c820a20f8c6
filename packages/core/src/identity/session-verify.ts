/**
 * The session cookie of an /api/v1 request, checked in one statement instead of better-auth's
 * `getSession` (issue 15: ~6.5 ms of server CPU per request more than an API token, measured in
 * bench/RESULTS.md §4f — its endpoint pipeline, two Prisma queries for the session and its user, and a
 * third for the memberships).
 *
 * Nothing is cached: every request reads the session, the user and the memberships from the database,
 * so a sign-out, a revoked or expired session, a removed member or a changed role takes effect on the
 * very next request, as before.
 *
 * This path only ever ACCEPTS, and only in the plain case, where better-auth would accept the same
 * request without writing anything: the cookie's HMAC signature is valid (the same check as
 * better-call's `getSignedCookie`), the session row exists with its user, it has not expired, and it is
 * not yet due for its sliding refresh (`updateAge`). Every other case — no or a malformed cookie, a bad
 * signature, an unknown, expired or refresh-due session, one that broke its workspace's lifetime or
 * idle rule (better-auth accepts it, then `enforceSessionPolicy` ends it), a cookie-cache cookie, a
 * configuration with a cookie cache, secondary storage or deferred refresh — answers "defer", and the
 * caller asks better-auth, which then refuses, deletes, refreshes or cleans up exactly as it always did.
 * The one write of its own is the idle clock (`lastSeenAt`, at most once a minute; session-policy.ts);
 * whether the user must enrol a second factor first comes back with the session.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { parseCookies } from "better-call";
import type { PrismaClient } from "@parapet/db";
import type { ParapetAuth } from "./auth.ts";
import { judgeSession } from "./session-policy.ts";
import { findSessionByToken, touchSession } from "./sessions.repository.ts";

export interface VerifiedSession {
  sessionId: string;
  userId: string;
  email: string;
  activeOrganizationId: string | null;
  /** The user's memberships, oldest first. */
  memberships: { organizationId: string; role: string }[];
  /** A workspace requires MFA and this password user has not enrolled: only enrolment may proceed. */
  mfaEnrolmentRequired: boolean;
}

/** better-call's signed-cookie check: `value.base64(HMAC-SHA256(secret, value))`, a 44-character signature ending in "=". */
function signedValue(raw: string, secret: string): string | null {
  const dot = raw.lastIndexOf(".");
  if (dot < 1) return null;
  const value = raw.slice(0, dot);
  const signature = raw.slice(dot + 1);
  if (signature.length !== 44 || !signature.endsWith("=")) return null;
  const given = Buffer.from(signature, "base64");
  const expected = createHmac("sha256", secret).update(value, "utf8").digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}

/**
 * The verified session of a request's Cookie header, or "defer" when better-auth must decide (see
 * above). `now` is for tests.
 */
export async function verifySessionCookie(
  auth: ParapetAuth,
  prisma: PrismaClient,
  cookieHeader: string | null,
  now = Date.now(),
): Promise<VerifiedSession | "defer"> {
  if (!cookieHeader) return "defer";
  const ctx = await auth.$context;
  // Read as the general options type: today's configuration (auth.ts) sets none of these, and a future
  // one that does must not silently skip what they change.
  const o = ctx.options as {
    session?: { cookieCache?: { enabled?: boolean }; deferSessionRefresh?: boolean; disableSessionRefresh?: boolean };
    secondaryStorage?: unknown;
  };
  if (o.session?.cookieCache?.enabled || o.secondaryStorage || o.session?.deferSessionRefresh || o.session?.disableSessionRefresh)
    return "defer";
  const cookies = parseCookies(cookieHeader);
  // A cookie-cache cookie under a configuration without a cache is cleaned up by better-auth.
  if ([...cookies.keys()].some((k) => k.startsWith(ctx.authCookies.sessionData.name))) return "defer";
  const raw = cookies.get(ctx.authCookies.sessionToken.name);
  if (!raw) return "defer";
  const token = signedValue(raw, ctx.secret);
  if (!token) return "defer";
  const row = await findSessionByToken(prisma, token);
  if (!row) return "defer";
  // better-auth refuses (and deletes) a session whose expiresAt has passed; it refreshes one whose
  // expiresAt - expiresIn + updateAge has (session.mjs, getSession). Both stay with it.
  const { expiresIn, updateAge } = ctx.sessionConfig;
  if (row.expiresAtMs < now || row.expiresAtMs - expiresIn * 1000 + updateAge * 1000 <= now) return "defer";
  // The workspace rules (session-policy.ts): a broken one is better-auth's path to end the session on.
  const verdict = judgeSession(row, now);
  if (!verdict.ok) return "defer";
  if (verdict.touch) await touchSession(prisma, row.id);
  return {
    mfaEnrolmentRequired: verdict.mfaEnrolmentRequired,
    sessionId: row.id,
    userId: row.userId,
    email: row.email,
    activeOrganizationId: row.activeOrganizationId,
    memberships: row.memberships,
  };
}
