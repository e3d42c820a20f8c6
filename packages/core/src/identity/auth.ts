import { betterAuth, type BetterAuthPlugin } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { organization } from "better-auth/plugins/organization";
import { createAccessControl } from "better-auth/plugins/access";
import { defaultStatements, ownerAc, adminAc, memberAc } from "better-auth/plugins/organization/access";
import { apiKey } from "@better-auth/api-key";
import { sso } from "@better-auth/sso";
import { twoFactor } from "better-auth/plugins/two-factor";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@parapet/db";
import { ROLE_GRANTS, STATEMENTS, type Role } from "./roles.ts";
import { redisRateLimitStorage } from "./rate-limit.ts";
import { httpAllowList } from "./http-surface.ts";
import { accountGuard } from "./account-guard.ts";
import { mfaPolicy } from "./mfa-auth.ts";
import { resolveSsoUser, ssoPolicy } from "./sso-auth.ts";
import { installSamlXmlGuard } from "./saml-xml-guard.ts";
import { log } from "../common/logger.ts";

const accessControl = createAccessControl({ ...defaultStatements, ...STATEMENTS });

// Workspace management (members, invitations) follows better-auth's built-in grants: owners and
// admins manage; everyone else only belongs.
const orgGrants: Record<Role, Record<string, readonly string[]>> = {
  owner: ownerAc.statements,
  admin: adminAc.statements,
  author: memberAc.statements,
  approver: memberAc.statements,
  viewer: memberAc.statements,
};

type AccessRole = ReturnType<typeof accessControl.newRole>;
const accessRoles = Object.fromEntries(
  (Object.keys(ROLE_GRANTS) as Role[]).map((role) => [role, accessControl.newRole({ ...orgGrants[role], ...ROLE_GRANTS[role] } as never)]),
) as unknown as Record<Role, AccessRole>;

export interface AuthConfig {
  prisma: PrismaClient;
  baseURL: string;
  secret: string;
  trustedOrigins?: string[];
  /** Shared sign-in throttling across web instances; without Redis, better-auth's in-memory limiter. */
  redis?: Redis;
  redisPrefix?: string;
  /** Sign-in attempts per IP per minute. */
  signInPerMinute?: number;
  /**
   * Reverse proxies (IPs or CIDRs) in front of the web app. Only with these set is the client IP read
   * from X-Forwarded-For (walked right to left past the proxies); otherwise no header is believed.
   */
  trustedProxies?: string[];
  secureCookies?: boolean;
  /** Framework glue (e.g. Next.js cookies) appended last. */
  extraPlugins?: BetterAuthPlugin[];
  onInvitation?: (data: { email: string; invitationId: string; role: string; workspaceName: string }) => Promise<void>;
}

export function createAuth(cfg: AuthConfig) {
  installSamlXmlGuard();
  return betterAuth({
    baseURL: cfg.baseURL,
    secret: cfg.secret,
    trustedOrigins: cfg.trustedOrigins,
    telemetry: { enabled: false },
    // better-auth's own lines go through the apps' logger: JSON, redacted, with the request's id (log()).
    logger: {
      log: (level, message, ...args: unknown[]) =>
        log()[level](
          {
            source: "better-auth",
            ...(args.length
              ? { args: args.map((a) => (a instanceof Error ? { type: a.name, message: a.message, stack: a.stack } : a)) }
              : {}),
          },
          message,
        ),
    },
    // Native transactions: the sso plugin runs its user resolution (resolveSsoUser), account link and
    // session in one, so a refused or failed SSO sign-in leaves nothing behind (issue 18).
    database: prismaAdapter(cfg.prisma, { provider: "postgresql", transaction: true }),
    account: { modelName: "authAccount" },
    // autoSignIn off: sign-up then answers an existing address exactly like a new one ({ token: null,
    // user }, password hashed either way), so it cannot be used to learn who has an account.
    emailAndPassword: { enabled: true, minPasswordLength: 10, maxPasswordLength: 128, autoSignIn: false },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    advanced: {
      // A client-sent X-Forwarded-For must not choose the rate-limit bucket (rotating it bypassed the
      // limit): without a configured proxy no header is read and the per-IP limit is one shared bucket;
      // the per-account back-off (accountGuard) holds either way.
      ipAddress: cfg.trustedProxies?.length
        ? { ipAddressHeaders: ["x-forwarded-for"], trustedProxies: cfg.trustedProxies }
        : { ipAddressHeaders: [] },
      useSecureCookies: cfg.secureCookies ?? cfg.baseURL.startsWith("https://"),
      defaultCookieAttributes: { sameSite: "lax", httpOnly: true },
    },
    rateLimit: {
      enabled: true,
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: 60, max: cfg.signInPerMinute ?? 10 },
        "/sign-up/email": { window: 60, max: cfg.signInPerMinute ?? 10 },
        "/sign-in/sso": { window: 60, max: cfg.signInPerMinute ?? 10 },
        // The twoFactor plugin's own rule (3 per 10 s per IP and path) would, without a trusted proxy
        // (one shared bucket), let three people a minute finish their sign-in; guessing is held by its
        // 5 tries per challenge and the account lock after 10 failures, so sign-in's limit applies.
        "/two-factor/*": { window: 60, max: cfg.signInPerMinute ?? 10 },
      },
      ...(cfg.redis ? { customStorage: redisRateLimitStorage(cfg.redis, cfg.redisPrefix ?? "parapet:") } : {}),
    },
    plugins: [
      organization({
        ac: accessControl,
        roles: accessRoles,
        creatorRole: "owner",
        schema: { organization: { modelName: "workspace" } },
        sendInvitationEmail: async (data) => {
          await cfg.onInvitation?.({
            email: data.email,
            invitationId: data.id,
            role: data.role,
            workspaceName: data.organization.name,
          });
        },
      }),
      // Metadata carries the token's workspace and role ({workspaceId, role}); the API reads it on every call.
      // No `enableSessionForAPIKeys`: it turned any key into a full session of its owner on every auth
      // endpoint (a viewer-scoped token minted an owner key, issue 22). /api/v1 verifies keys itself.
      apiKey({ defaultPrefix: "ppt_", enableMetadata: true }),
      // SSO per workspace (issue 18). Providers are rows written by Parapet's /api/v1/sso use-cases (the
      // plugin's register/update/verify endpoints stay closed, http-surface.ts); who may sign in, with which
      // role, is decided by resolveSsoUser inside the sign-in's transaction, so membership is Parapet's
      // decision and the plugin's own organization provisioning is off.
      sso({
        domainVerification: { enabled: true },
        organizationProvisioning: { disabled: true },
        resolveUser: resolveSsoUser(cfg.prisma),
      }),
      // TOTP second factor and recovery codes (issue 18). Before ssoPolicy: its sign-in audit reads
      // whether this plugin turned a password sign-in into a pending second step. No trusted-device
      // cookie is offered (the UI never sends trustDevice): every password sign-in asks for the code.
      // Recovery codes are stored encrypted (the plugin's default).
      twoFactor({ issuer: "Parapet", twoFactorCookieMaxAge: 600 }),
      mfaPolicy({ prisma: cfg.prisma }),
      ssoPolicy({ prisma: cfg.prisma }),
      // Only the sign-in/sign-out endpoints answer over HTTP; see http-surface.ts (issue 22).
      httpAllowList(),
      // Per-account back-off, invitation revocation and the common-password check (see account-guard.ts).
      accountGuard({ redis: cfg.redis, prefix: cfg.redisPrefix ?? "parapet:", prisma: cfg.prisma }),
      ...(cfg.extraPlugins ?? []),
    ],
  });
}

export type ParapetAuth = ReturnType<typeof createAuth>;
