/**
 * The second factor at the auth layer (issue 18), around better-auth's twoFactor plugin:
 *
 * - The workspace rules (session-policy.ts) hold on the plugin's session endpoints too: a session past
 *   its workspace's lifetime or idle timeout cannot enrol, regenerate recovery codes or disable.
 * - No "trust this device": every password sign-in of an enrolled user asks for the code.
 * - A password user whose workspace requires MFA cannot disable their second factor (403 MFA_REQUIRED);
 *   an admin's reset (members/reset-mfa.ts) is the audited way out for a lost authenticator.
 * - Every MFA event lands in the audit log of each workspace the user belongs to: enrolled, verified at
 *   sign-in (authenticator or recovery code), failed, disabled, recovery codes regenerated. Reset is
 *   audited by its use-case.
 */
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, getSessionFromCtx, isAPIError } from "better-auth/api";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { log } from "../common/logger.ts";
import { enforceSessionPolicy, SESSION_ENDED_MESSAGE } from "./session-policy.ts";
import { findTwoFactor, mfaRequiredFor, workspaceIdsOf } from "./mfa.repository.ts";

const SESSION_PATHS = new Set(["/two-factor/enable", "/two-factor/disable", "/two-factor/generate-backup-codes"]);
const VERIFY_PATHS = new Set(["/two-factor/verify-totp", "/two-factor/verify-backup-code"]);

/** What a verify request was about, noted before the endpoint runs (it replaces the session it reads). */
interface Attempt {
  userId: string;
  /** Entering the first code of a new authenticator (signed in), rather than a sign-in's second step. */
  enrolment: boolean;
}

/** Audits a user's MFA event in every workspace they belong to; a failure to audit is logged, never thrown at the sign-in. */
async function auditUserEvent(
  prisma: PrismaClient,
  userId: string,
  action: string,
  data: Record<string, unknown>,
  userAgent: string,
): Promise<void> {
  try {
    const who = await workspaceIdsOf(prisma, userId);
    if (!who || who.workspaceIds.length === 0) return;
    await appendAudit(
      prisma,
      who.workspaceIds.map((workspaceId) => ({
        workspaceId,
        actorType: "user" as const,
        actorId: userId,
        actorLabel: who.email,
        action,
        targetType: "user",
        targetId: userId,
        data: { ...data, ...(userAgent ? { userAgent } : {}) },
      })),
    );
  } catch (e) {
    log().error({ err: e, action }, "could not audit an MFA event");
  }
}

export function mfaPolicy(cfg: { prisma: PrismaClient }): BetterAuthPlugin {
  const { prisma } = cfg;
  // Keyed by the request object, which better-auth hands to both the before and the after hook.
  const attempts = new WeakMap<Request, Attempt>();
  const ua = (ctx: { request?: Request }) => (ctx.request?.headers.get("user-agent") ?? "").slice(0, 200);
  return {
    id: "parapet-mfa-policy",
    hooks: {
      before: [
        {
          matcher: (ctx) => SESSION_PATHS.has(ctx.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx);
            if (!session) return; // the endpoint's own session middleware answers 401
            const policy = await enforceSessionPolicy(prisma, session.session.id);
            if (!policy.ok)
              throw new APIError("UNAUTHORIZED", {
                code: "SESSION_ENDED",
                message: policy.reason === "gone" ? "sign in first" : SESSION_ENDED_MESSAGE[policy.reason],
              });
            if (ctx.path === "/two-factor/disable" && (await mfaRequiredFor(prisma, session.user.id)))
              throw new APIError("FORBIDDEN", {
                code: "MFA_REQUIRED",
                message: "a workspace you belong to requires a second factor for password sign-in; it cannot be turned off",
              });
          }),
        },
        {
          matcher: (ctx) => VERIFY_PATHS.has(ctx.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            // "Trust this device" would skip the second factor for 30 days on whatever holds the cookie;
            // Parapet asks for it at every password sign-in.
            const body = ctx.body && typeof ctx.body === "object" ? (ctx.body as Record<string, unknown>) : {};
            if (body.trustDevice !== undefined && body.trustDevice !== false)
              throw new APIError("BAD_REQUEST", {
                code: "TRUST_DEVICE_NOT_OFFERED",
                message: "trustDevice: not offered; every sign-in asks for the code",
              });
            if (!ctx.request) return;
            const session = await getSessionFromCtx(ctx).catch(() => null);
            if (session) {
              const tf = await findTwoFactor(prisma, session.user.id);
              attempts.set(ctx.request, { userId: session.user.id, enrolment: tf !== null && tf.verified === false });
              return;
            }
            // A sign-in's second step: the user is the one the signed two-factor cookie was issued for.
            const cookie = ctx.context.createAuthCookie("two_factor");
            const challenge = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
            const v = challenge ? await ctx.context.internalAdapter.findVerificationValue(challenge) : null;
            const userId = v && v.expiresAt > new Date() ? v.value : null;
            if (userId) attempts.set(ctx.request, { userId, enrolment: false });
          }),
        },
      ],
      after: [
        {
          matcher: (ctx) => VERIFY_PATHS.has(ctx.path ?? ""),
          handler: createAuthMiddleware(async (ctx) => {
            const attempt = ctx.request ? attempts.get(ctx.request) : undefined;
            if (!attempt) return;
            const method = ctx.path === "/two-factor/verify-totp" ? "totp" : "recovery_code";
            const returned = ctx.context.returned;
            if (isAPIError(returned)) {
              // A malformed body is not an attempt at a code.
              if (returned.statusCode !== 401 && returned.statusCode !== 429 && returned.statusCode !== 400) return;
              await auditUserEvent(
                prisma,
                attempt.userId,
                "auth.mfa_failed",
                { method, during: attempt.enrolment ? "enrolment" : "sign-in", code: String(returned.body?.code ?? returned.status) },
                ua(ctx),
              );
              return;
            }
            await auditUserEvent(
              prisma,
              attempt.userId,
              attempt.enrolment ? "auth.mfa_enrolled" : "auth.mfa_verified",
              { method },
              ua(ctx),
            );
          }),
        },
        {
          matcher: (ctx) => ctx.path === "/two-factor/disable" || ctx.path === "/two-factor/generate-backup-codes",
          handler: createAuthMiddleware(async (ctx) => {
            if (isAPIError(ctx.context.returned)) return;
            const session = ctx.context.session ?? (await getSessionFromCtx(ctx).catch(() => null));
            const userId = session?.user.id;
            if (!userId) return;
            await auditUserEvent(
              prisma,
              userId,
              ctx.path === "/two-factor/disable" ? "auth.mfa_disabled" : "auth.mfa_recovery_codes_regenerated",
              {},
              ua(ctx),
            );
          }),
        },
      ],
    },
  };
}
