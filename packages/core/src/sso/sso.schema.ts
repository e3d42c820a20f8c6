import { z } from "zod";
import { ZIsoDateTime } from "../common/wire.schema.ts";

/** Roles an IdP group may grant. Never "owner": an IdP (or whoever administers it) cannot make owners. */
export const SSO_MAPPABLE_ROLES = ["admin", "author", "approver", "viewer"] as const;
export type SsoMappableRole = (typeof SSO_MAPPABLE_ROLES)[number];

/** An e-mail domain: lower-case labels, at least one dot, no scheme, port or path. */
const ZDomain = z
  .string({ error: "domain is required" })
  .trim()
  .toLowerCase()
  .max(253, "domain must be at most 253 characters")
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/, "must be a domain such as example.com");

const ZProviderId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,47}$/, "must be 3–48 characters: lower-case letters, digits and hyphens");

const ZHttpsUrl = (field: string) =>
  z
    .url({ error: `${field} must be a URL` })
    .max(2048, `${field} must be at most 2048 characters`)
    .refine((u) => /^https?:\/\//.test(u), `${field} must be an http(s) URL`);

export const ZRegisterOidcProviderInput = z
  .object({
    protocol: z.literal("oidc"),
    /** Used in the callback URL (/api/auth/sso/callback/<providerId>); chosen by the admin or derived. */
    providerId: ZProviderId.optional(),
    domain: ZDomain,
    issuer: ZHttpsUrl("issuer"),
    /** Defaults to <issuer>/.well-known/openid-configuration. */
    discoveryUrl: ZHttpsUrl("discoveryUrl").optional(),
    clientId: z.string().min(1, "clientId is required").max(512),
    clientSecret: z.string().min(1, "clientSecret is required").max(2048),
    /** Extra scopes to ask for (e.g. "groups"); openid, email and profile are always asked for. */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/, "must be an OAuth scope token"))
      .max(20)
      .optional(),
  })
  .strict();
export type TRegisterOidcProviderInput = z.infer<typeof ZRegisterOidcProviderInput>;

const ZPem = z
  .string({ error: "certificate is required" })
  .max(16_384, "certificate must be at most 16384 characters")
  .regex(
    /^\s*(-----BEGIN CERTIFICATE-----)?[\sA-Za-z0-9+/=]+(-----END CERTIFICATE-----)?\s*$/,
    "must be the IdP's X.509 signing certificate (PEM or base64)",
  );

export const ZRegisterSamlProviderInput = z
  .object({
    protocol: z.literal("saml"),
    providerId: ZProviderId.optional(),
    domain: ZDomain,
    /** The IdP's entity ID (its metadata's entityID). */
    idpEntityId: z.string().min(1, "idpEntityId is required").max(1024),
    /** The IdP's single sign-on URL (HTTP-Redirect binding). */
    ssoUrl: ZHttpsUrl("ssoUrl"),
    /** The certificate the IdP signs assertions with; unsigned assertions are always refused. */
    certificate: ZPem,
  })
  .strict();
export type TRegisterSamlProviderInput = z.infer<typeof ZRegisterSamlProviderInput>;

const ZRoleMappingEntry = z
  .object({
    group: z.string().min(1, "group is required").max(256),
    role: z.enum(SSO_MAPPABLE_ROLES, { error: "role must be admin, author, approver or viewer (never owner)" }),
  })
  .strict();

export const ZUpdateSsoPolicyInput = z
  .object({
    requireSso: z.boolean().optional(),
    /** An owner of the workspace who may still sign in with a password when SSO is required; null clears. */
    breakGlassUserId: z.string().min(1).max(64).nullable().optional(),
    /** The claim (OIDC) or attribute (SAML) that lists the user's groups. */
    groupClaim: z
      .string()
      .regex(/^[A-Za-z0-9_.:/-]{1,256}$/, "must be a claim or attribute name")
      .optional(),
    roleMapping: z.array(ZRoleMappingEntry).max(100, "at most 100 mappings").optional(),
  })
  .strict();
export type TUpdateSsoPolicyInput = z.infer<typeof ZUpdateSsoPolicyInput>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

export const ZSsoProvider = z.object({
  providerId: z.string(),
  protocol: z.enum(["oidc", "saml"]),
  issuer: z.string(),
  domain: z.string(),
  domainVerified: z.boolean(),
  /** Where the IdP must send users back (register it at the IdP). */
  callbackUrl: z.string(),
  /** What to publish to prove the domain: a TXT record `name` with `value`. */
  dnsRecord: z.object({ type: z.literal("TXT"), name: z.string(), value: z.string() }),
  createdAt: ZIsoDateTime,
});

export const ZSsoState = z.object({
  providers: z.array(ZSsoProvider),
  requireSso: z.boolean(),
  breakGlassUserId: z.string().nullable(),
  groupClaim: z.string(),
  roleMapping: z.array(ZRoleMappingEntry),
});

export const ZSsoProviderDeleted = z.object({ providerId: z.string(), deleted: z.literal(true) });
