/**
 * SSO at sign-in (issue 18): what better-auth's sso plugin does not decide for Parapet.
 *
 * - `resolveSsoUser` (the plugin's `resolveUser`, run inside the sign-in's own transaction after the
 *   IdP's response is verified): the provider must belong to a workspace whose domain is verified, the
 *   e-mail must be in that domain and the user must be in a group mapped to a role. Otherwise the
 *   sign-in is refused with a code and message (the plugin redirects with both) and, because the
 *   refusal comes before any write, no user, account, membership or session is created. Accepted: the
 *   user is created just in time (or the existing one with that address linked) and their membership
 *   set to the mapped role, in the same transaction as the session.
 * - `ssoPolicy()` plugin: "Continue with SSO" resolves the provider from the e-mail's verified domain
 *   only; password sign-in is refused for a domain whose workspace requires SSO (except its named
 *   break-glass owner); SSO sign-ins and refusals are audited.
 */
import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { log } from "../common/logger.ts";
import { mappedRole, parseRoleMapping } from "../sso/role-mapping.ts";
import { findScimUserOfUser } from "../scim/scim.repository.ts";
import {
  findMemberRole,
  findPolicy,
  findProvider,
  findUserIdByEmail,
  findVerifiedProviderForDomain,
  userWithWorkspaces,
} from "../sso/sso.repository.ts";

const domainOf = (email: string) => email.trim().toLowerCase().split("@")[1] ?? "";

/** The groups a claim or attribute lists: an array, or one string (SAML single value, some IdPs). */
function groupsOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === "string");
  if (typeof v === "string" && v) return [v];
  return [];
}

interface ResolveInput {
  providerId: string;
  protocol: "oidc" | "saml";
  accountKey: { issuer: string; accountId: string };
  providerUser: { email: string; name: string };
  providerClaims?: Record<string, unknown>;
  verifiedIdTokenClaims?: Record<string, unknown>;
  providerAttributes?: Record<string, string | readonly string[]>;
}

/** The transaction adapter better-auth hands the resolver (only what is used here). */
interface TxAdapter {
  findOne<T>(q: { model: string; where: { field: string; value: unknown }[] }): Promise<T | null>;
  create<T>(q: { model: string; data: Record<string, unknown> }): Promise<T>;
  update<T>(q: { model: string; where: { field: string; value: unknown }[]; update: Record<string, unknown> }): Promise<T | null>;
}

type Resolution = { action: "link"; userId: string; profile: "preserve" | "update" } | { action: "reject"; code: string; message: string };

export function resolveSsoUser(prisma: PrismaClient) {
  return async (input: ResolveInput, ctx: { database: TxAdapter }): Promise<Resolution> => {
    const email = input.providerUser.email.trim().toLowerCase();
    const provider = await findProvider(prisma, input.providerId);
    const workspaceId = provider?.organizationId ?? null;
    const refuse = async (code: string, message: string): Promise<Resolution> => {
      // Written outside the sign-in's transaction, which the refusal rolls back: the failed sign-in
      // stays in the workspace's audit log although nothing else of it does.
      if (workspaceId)
        await appendAudit(prisma, {
          workspaceId,
          actorType: "system",
          actorLabel: `sso ${input.providerId}`,
          action: "auth.sso_sign_in_refused",
          targetType: "user",
          targetId: email,
          data: { code, message, protocol: input.protocol, providerId: input.providerId },
        }).catch((e: unknown) => log().error({ err: e }, "could not audit a refused SSO sign-in"));
      return { action: "reject", code, message };
    };
    if (!provider || !workspaceId) return refuse("SSO_PROVIDER_UNKNOWN", "This SSO provider is not registered to any workspace.");
    if (provider.domainVerified !== true)
      return refuse("SSO_DOMAIN_UNVERIFIED", `The domain ${provider.domain} has not been verified for this workspace's SSO.`);
    if (domainOf(email) !== provider.domain)
      return refuse(
        "SSO_EMAIL_DOMAIN_MISMATCH",
        `${email} is not an address in ${provider.domain}, the domain this identity provider signs in.`,
      );
    const policy = await findPolicy(prisma, workspaceId);
    const claim = policy?.groupClaim ?? "groups";
    const groups =
      input.protocol === "saml"
        ? groupsOf(input.providerAttributes?.[claim])
        : [...new Set([...groupsOf(input.verifiedIdTokenClaims?.[claim]), ...groupsOf(input.providerClaims?.[claim])])];
    // A user the workspace's directory provisions (SCIM) gets its role from its SCIM groups, not from
    // this sign-in's claims; one the directory deactivated does not get in at all.
    const existingId = await findUserIdByEmail(prisma, email);
    const scimUser = existingId ? await findScimUserOfUser(prisma, workspaceId, existingId) : null;
    if (existingId && scimUser) {
      if (!scimUser.active) return refuse("SSO_USER_DEACTIVATED", `${email} has been deactivated by this workspace's directory.`);
      const memberRole = await findMemberRole(prisma, workspaceId, existingId);
      if (!memberRole)
        return refuse(
          "SSO_NO_MAPPED_GROUP",
          `${email} is in none of the directory groups mapped to a Parapet role; ask your administrator to add you to one.`,
        );
      await appendAudit(prisma, {
        workspaceId,
        actorType: "system",
        actorLabel: `sso ${input.providerId}`,
        action: "auth.sso_sign_in",
        targetType: "user",
        targetId: existingId,
        data: { email, protocol: input.protocol, role: memberRole, provisionedBy: "scim" },
      });
      return { action: "link", userId: existingId, profile: "preserve" };
    }
    const role = mappedRole(groups, parseRoleMapping(policy?.roleMapping));
    if (!role)
      return refuse(
        "SSO_NO_MAPPED_GROUP",
        `${email} is in none of the identity provider groups mapped to a Parapet role (claim "${claim}"); ask your administrator to add you to one.`,
      );

    const db = ctx.database;
    let user = await db.findOne<{ id: string }>({ model: "user", where: [{ field: "email", value: email }] });
    const created = !user;
    if (!user) {
      const now = new Date();
      user = await db.create<{ id: string }>({
        model: "user",
        data: { name: input.providerUser.name || email.split("@")[0], email, emailVerified: true, createdAt: now, updatedAt: now },
      });
    }
    const member = await db.findOne<{ id: string; role: string }>({
      model: "member",
      where: [
        { field: "organizationId", value: workspaceId },
        { field: "userId", value: user.id },
      ],
    });
    let previousRole: string | null = member?.role ?? null;
    if (!member) {
      await db.create({ model: "member", data: { organizationId: workspaceId, userId: user.id, role, createdAt: new Date() } });
    } else if (member.role !== "owner" && member.role !== role) {
      // The IdP's groups are the source of truth for every role it can grant; an owner stays an owner
      // (the IdP can neither make nor unmake one).
      await db.update({ model: "member", where: [{ field: "id", value: member.id }], update: { role } });
    } else previousRole = null;
    await appendAudit(prisma, {
      workspaceId,
      actorType: "system",
      actorLabel: `sso ${input.providerId}`,
      action: created ? "auth.sso_user_provisioned" : "auth.sso_sign_in",
      targetType: "user",
      targetId: user.id,
      data: {
        email,
        protocol: input.protocol,
        role: member?.role === "owner" ? "owner" : role,
        ...(previousRole ? { previousRole } : {}),
        groups,
      },
    });
    return { action: "link", userId: user.id, profile: created ? "update" : "preserve" };
  };
}

const bodyOf = (ctx: { body?: unknown }): Record<string, unknown> =>
  ctx.body && typeof ctx.body === "object" ? (ctx.body as Record<string, unknown>) : {};

/** The verified SSO provider for an e-mail's domain, if a workspace has proved that domain. */
async function verifiedProviderFor(prisma: PrismaClient, email: string) {
  const domain = domainOf(email);
  if (!domain) return null;
  return findVerifiedProviderForDomain(prisma, domain);
}

/** Fields "Continue with SSO" may send to /sign-in/sso (the rest of the plugin's body is not for browsers). */
const SIGN_IN_SSO_FIELDS = new Set(["email", "callbackURL", "errorCallbackURL", "newUserCallbackURL"]);

export function ssoPolicy(cfg: { prisma: PrismaClient }): BetterAuthPlugin {
  const { prisma } = cfg;
  return {
    id: "parapet-sso-policy",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = bodyOf(ctx).email;
            if (typeof email !== "string" || !email) return;
            const provider = await verifiedProviderFor(prisma, email);
            if (!provider?.organizationId) return;
            const policy = await findPolicy(prisma, provider.organizationId);
            if (!policy?.requireSso) return;
            if (policy.breakGlassUserId) {
              if ((await findUserIdByEmail(prisma, email.trim().toLowerCase())) === policy.breakGlassUserId) return;
            }
            await appendAudit(prisma, {
              workspaceId: provider.organizationId,
              actorType: "system",
              actorLabel: "sign-in",
              action: "auth.password_sign_in_refused",
              targetType: "user",
              targetId: email.trim().toLowerCase(),
              data: { reason: "sso_required", domain: provider.domain },
            });
            throw new APIError("FORBIDDEN", {
              code: "SSO_REQUIRED",
              message: `${provider.domain} signs in with SSO: use "Continue with SSO" instead of a password`,
            });
          }),
        },
        {
          matcher: (ctx) => ctx.path === "/sign-in/sso",
          handler: createAuthMiddleware(async (ctx) => {
            const body = bodyOf(ctx);
            const extra = Object.keys(body).filter((k) => !SIGN_IN_SSO_FIELDS.has(k));
            if (extra.length) throw new APIError("BAD_REQUEST", { code: "INVALID_FIELD", message: `${extra[0]}: is not accepted here` });
            const email = body.email;
            if (typeof email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(email))
              throw new APIError("BAD_REQUEST", { code: "INVALID_EMAIL", message: "email: enter your work e-mail address" });
            const provider = await verifiedProviderFor(prisma, email);
            // Only a verified domain leads anywhere: an unverified claim on a domain (anyone's) never
            // sends its users to the claimant's IdP.
            if (!provider)
              throw new APIError("NOT_FOUND", {
                code: "SSO_NOT_CONFIGURED",
                message: `SSO is not set up for ${domainOf(email)}; sign in with your password`,
              });
            return { context: { body: { ...body, providerId: provider.providerId } } };
          }),
        },
      ],
      after: [
        {
          // Password sign-ins and their failures, in the audit log of every workspace the account
          // belongs to (an address without an account belongs nowhere: nothing to record it in).
          matcher: (ctx) => ctx.path === "/sign-in/email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = bodyOf(ctx).email;
            if (typeof email !== "string" || !email) return;
            const returned = ctx.context.returned;
            const failed = isAPIError(returned);
            // A refusal before the password was checked (rate limit, lock, SSO required) is not a failed guess.
            if (failed && returned.statusCode !== 401) return;
            // The password was right but the twoFactor plugin (which runs first) holds the session back
            // until the code: not signed in yet (mfa-auth.ts audits the second step).
            const pendingSecondFactor = !failed && typeof returned === "object" && returned !== null && "twoFactorRedirect" in returned;
            const who = await userWithWorkspaces(prisma, email.trim().toLowerCase());
            if (!who || who.workspaceIds.length === 0) return;
            const userAgent = (ctx.request?.headers.get("user-agent") ?? "").slice(0, 200);
            await appendAudit(
              prisma,
              who.workspaceIds.map((workspaceId) => ({
                workspaceId,
                actorType: "user" as const,
                actorId: who.userId,
                actorLabel: email.trim().toLowerCase(),
                action: failed ? "auth.sign_in_failed" : pendingSecondFactor ? "auth.mfa_challenged" : "auth.signed_in",
                targetType: "user",
                targetId: who.userId,
                data: { method: "password", ...(userAgent ? { userAgent } : {}) },
              })),
            ).catch((e: unknown) => log().error({ err: e }, "could not audit a sign-in"));
          }),
        },
      ],
    },
  };
}
