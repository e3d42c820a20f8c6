/**
 * The workspace rules a session must keep on every request (issue 18), on BOTH session paths: the
 * one-statement fast path (session-verify.ts) and better-auth's getSession (apps/web server/api.ts and
 * server/session.ts call `enforceSessionPolicy` after it accepts).
 *
 * - Lifetime: a session older than the workspace's `sessionLifetimeHours` (counted from sign-in) is
 *   ended, whatever better-auth's sliding expiry says.
 * - Idle timeout: a session with no request for `idleTimeoutMinutes` is ended. Its clock is the
 *   session's `lastSeenAt`, touched at most once a minute (so the timeout is exact to a minute).
 * - MFA requirement: a password user (one with a credential login) without an enrolled second factor,
 *   in a workspace that requires one, is signed in but may do nothing except enrol (the API answers
 *   403 `mfa_enrolment_required`, the console sends them to /enrol-mfa). SSO-only users are exempt:
 *   their identity provider owns their second factor.
 *
 * A user in several workspaces is held to the strictest of them (shortest lifetime and idle timeout,
 * MFA if any requires it): one session can act in all of them by switching.
 *
 * API tokens are not sessions and are not subject to these rules: they are long-lived machine
 * credentials with their own expiry, revocation and scope, minted only from a session that kept them.
 */
import type { PrismaClient } from "@parapet/db";
import { deleteSessionById, findSessionPolicy, touchSession, type SessionPolicyRow } from "./sessions.repository.ts";

/** How often a session's `lastSeenAt` is written at most (the idle timeout's resolution). */
export const TOUCH_EVERY_MS = 60_000;

export type SessionVerdict = { ok: true; mfaEnrolmentRequired: boolean; touch: boolean } | { ok: false; reason: "lifetime" | "idle" };

export function judgeSession(row: SessionPolicyRow, now = Date.now()): SessionVerdict {
  if (row.lifetimeHours !== null && now - row.createdAtMs >= row.lifetimeHours * 3_600_000) return { ok: false, reason: "lifetime" };
  if (row.idleMinutes !== null && now - row.lastSeenAtMs >= row.idleMinutes * 60_000) return { ok: false, reason: "idle" };
  return {
    ok: true,
    mfaEnrolmentRequired: row.requireMfa && row.hasPassword && !row.twoFactorEnabled,
    touch: now - row.lastSeenAtMs >= TOUCH_EVERY_MS,
  };
}

export const SESSION_ENDED_MESSAGE: Record<"lifetime" | "idle", string> = {
  lifetime: "your session reached your workspace's session lifetime; sign in again",
  idle: "your session was idle longer than your workspace's idle timeout; sign in again",
};

export const MFA_ENROLMENT_MESSAGE =
  "mfa: your workspace requires a second factor for password sign-in; enrol an authenticator app first (Settings → Security, or /enrol-mfa)";

/**
 * For a session better-auth has just accepted: ends it (deletes the row) when it broke the lifetime or
 * idle rule, otherwise records the request and says whether its user must enrol a second factor first.
 */
export async function enforceSessionPolicy(
  prisma: PrismaClient,
  sessionId: string,
  now = Date.now(),
): Promise<{ ok: true; mfaEnrolmentRequired: boolean } | { ok: false; reason: "lifetime" | "idle" | "gone" }> {
  const row = await findSessionPolicy(prisma, sessionId);
  if (!row) return { ok: false, reason: "gone" };
  const v = judgeSession(row, now);
  if (!v.ok) {
    await deleteSessionById(prisma, sessionId);
    return v;
  }
  if (v.touch) await touchSession(prisma, sessionId);
  return { ok: true, mfaEnrolmentRequired: v.mfaEnrolmentRequired };
}
