/**
 * SSO per workspace (issue 18): an admin registers the workspace's identity provider, proves the e-mail
 * domain with a DNS TXT record, maps IdP groups to roles and may require SSO. The rows are the sso
 * plugin's own table (identity/auth.ts reads them at sign-in); the plugin's HTTP endpoints for
 * registering and updating providers stay closed (identity/http-surface.ts), so these use-cases, with
 * their role check and audit events, are the only way in.
 */
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor } from "../common/actor.ts";
import { AppError, invalidField, notFound } from "../common/errors.ts";
import { type TRegisterOidcProviderInput, type TRegisterSamlProviderInput, type TUpdateSsoPolicyInput } from "./sso.schema.ts";
import { parseRoleMapping } from "./role-mapping.ts";
import { resyncScimUsers } from "../scim/scim.ts";
import {
  countVerifiedProviders,
  createProvider,
  deleteProviderAndLinks,
  findMemberRole,
  findPolicy,
  findProvider,
  findVerifiedProviderForDomain,
  listProviders,
  markDomainVerified,
  transaction,
  upsertPolicy,
  verificationTokensForDomain,
} from "./sso.repository.ts";

/** Looks up the TXT records of a DNS name (node:dns/promises `resolveTxt` in production). */
export type ResolveTxt = (name: string) => Promise<string[][]>;

export interface SsoDeps {
  prisma: PrismaClient;
  /** The app's public base URL (callback URLs are built from it). */
  baseURL: string;
  resolveTxt: ResolveTxt;
}

const DNS_RECORD_PREFIX = "_parapet-sso";
const dnsRecordName = (domain: string) => `${DNS_RECORD_PREFIX}.${domain}`;
const dnsRecordValue = (token: string) => `parapet-sso-verification=${token}`;

function providerView(
  baseURL: string,
  p: {
    providerId: string;
    oidcConfig: string | null;
    issuer: string;
    domain: string;
    domainVerified: boolean | null;
    verificationToken: string;
    createdAt: Date;
  },
) {
  const protocol = p.oidcConfig ? ("oidc" as const) : ("saml" as const);
  return {
    providerId: p.providerId,
    protocol,
    issuer: p.issuer,
    domain: p.domain,
    domainVerified: p.domainVerified === true,
    callbackUrl:
      protocol === "oidc" ? `${baseURL}/api/auth/sso/callback/${p.providerId}` : `${baseURL}/api/auth/sso/saml2/sp/acs/${p.providerId}`,
    dnsRecord: { type: "TXT" as const, name: dnsRecordName(p.domain), value: dnsRecordValue(p.verificationToken) },
    createdAt: p.createdAt.toISOString(),
  };
}

export async function getSso(deps: Pick<SsoDeps, "prisma" | "baseURL">, actor: Actor) {
  const [providers, policy] = await Promise.all([
    listProviders(deps.prisma, actor.workspaceId),
    findPolicy(deps.prisma, actor.workspaceId),
  ]);
  return {
    providers: providers.map((p) => providerView(deps.baseURL, p)),
    requireSso: policy?.requireSso ?? false,
    breakGlassUserId: policy?.breakGlassUserId ?? null,
    groupClaim: policy?.groupClaim ?? "groups",
    roleMapping: parseRoleMapping(policy?.roleMapping),
  };
}

export async function registerOidcProvider(deps: Pick<SsoDeps, "prisma" | "baseURL">, actor: Actor, input: TRegisterOidcProviderInput) {
  const providerId = input.providerId ?? `${input.domain.replace(/[^a-z0-9]+/g, "-").slice(0, 32)}-${randomBytes(3).toString("hex")}`;
  if (await findProvider(deps.prisma, providerId))
    throw new AppError("conflict", `providerId: "${providerId}" is already taken`, [{ field: "providerId", message: "is already taken" }]);
  // A domain already verified by any workspace cannot be claimed again (another workspace's domain, or
  // this one's twice); an unverified claim costs nothing and proves nothing until its TXT record exists.
  if (await findVerifiedProviderForDomain(deps.prisma, input.domain))
    throw invalidField("domain", `${input.domain} is already verified for SSO`);
  const issuer = input.issuer.replace(/\/+$/, "");
  const oidcConfig = {
    issuer,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    discoveryEndpoint: input.discoveryUrl ?? `${issuer}/.well-known/openid-configuration`,
    pkce: true,
    scopes: [...new Set(["openid", "email", "profile", ...(input.scopes ?? [])])],
  };
  const row = await transaction(deps.prisma, async (tx) => {
    const row = await createProvider(tx, {
      id: randomBytes(12).toString("hex"),
      providerId,
      issuer,
      oidcConfig: JSON.stringify(oidcConfig),
      userId: actor.userId,
      organizationId: actor.workspaceId,
      domain: input.domain,
      domainVerified: false,
      verificationToken: randomBytes(18).toString("base64url"),
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "sso.provider_registered",
      targetType: "sso_provider",
      targetId: providerId,
      // Never the client secret.
      data: { protocol: "oidc", issuer, domain: input.domain, clientId: input.clientId },
    });
    return row;
  });
  return providerView(deps.baseURL, row);
}

/** The SP entity ID Parapet presents to a SAML IdP for one provider (also the assertions' required Audience). */
const samlSpEntityId = (baseURL: string, providerId: string) => `${baseURL}/api/auth/sso/saml2/sp/metadata?providerId=${providerId}`;

export async function registerSamlProvider(deps: Pick<SsoDeps, "prisma" | "baseURL">, actor: Actor, input: TRegisterSamlProviderInput) {
  const providerId = input.providerId ?? `${input.domain.replace(/[^a-z0-9]+/g, "-").slice(0, 32)}-${randomBytes(3).toString("hex")}`;
  if (await findProvider(deps.prisma, providerId))
    throw new AppError("conflict", `providerId: "${providerId}" is already taken`, [{ field: "providerId", message: "is already taken" }]);
  if (await findVerifiedProviderForDomain(deps.prisma, input.domain))
    throw invalidField("domain", `${input.domain} is already verified for SSO`);
  const body = input.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");
  const cert = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join("\n") ?? ""}\n-----END CERTIFICATE-----`;
  const spEntityId = samlSpEntityId(deps.baseURL, providerId);
  // The sso plugin's SAMLConfig: `issuer` and `spMetadata.entityID` are OUR entity ID (the audience every
  // assertion must name); the IdP is idpMetadata. Signed assertions are required, whatever the IdP sends.
  const samlConfig = {
    issuer: spEntityId,
    audience: spEntityId,
    entryPoint: input.ssoUrl,
    cert,
    wantAssertionsSigned: true,
    identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    idpMetadata: {
      entityID: input.idpEntityId,
      cert,
      singleSignOnService: [{ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", Location: input.ssoUrl }],
    },
    spMetadata: { entityID: spEntityId },
    mapping: { email: "email", name: "displayName" },
  };
  const row = await transaction(deps.prisma, async (tx) => {
    const row = await createProvider(tx, {
      id: randomBytes(12).toString("hex"),
      providerId,
      issuer: input.idpEntityId,
      samlConfig: JSON.stringify(samlConfig),
      userId: actor.userId,
      organizationId: actor.workspaceId,
      domain: input.domain,
      domainVerified: false,
      verificationToken: randomBytes(18).toString("base64url"),
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "sso.provider_registered",
      targetType: "sso_provider",
      targetId: providerId,
      data: { protocol: "saml", idpEntityId: input.idpEntityId, domain: input.domain, ssoUrl: input.ssoUrl },
    });
    return row;
  });
  return providerView(deps.baseURL, row);
}

async function ownProvider(prisma: PrismaClient, actor: Actor, providerId: string) {
  const p = await findProvider(prisma, providerId);
  // Another workspace's provider is answered exactly like one that does not exist.
  if (!p || p.organizationId !== actor.workspaceId) throw notFound("SSO provider", providerId);
  return p;
}

/**
 * Checks the TXT record at _parapet-sso.<domain> for the provider's token. Until it matches, sign-in
 * through the provider is refused (the plugin checks `domainVerified` too).
 */
export async function verifySsoDomain(deps: SsoDeps, actor: Actor, providerId: string) {
  const p = await ownProvider(deps.prisma, actor, providerId);
  if (p.domainVerified) return providerView(deps.baseURL, p);
  const name = dnsRecordName(p.domain);
  const expected = dnsRecordValue(p.verificationToken);
  let records: string[][] = [];
  try {
    records = await deps.resolveTxt(name);
  } catch {
    records = [];
  }
  // A TXT record may arrive split into several strings; they are one value joined.
  if (!records.some((chunks) => chunks.join("") === expected))
    throw new AppError("precondition", `domain: no TXT record "${expected}" found at ${name}; publish it and try again`, [
      { field: "domain", message: `no TXT record "${expected}" at ${name}` },
    ]);
  const row = await transaction(deps.prisma, async (tx) => {
    if (await findVerifiedProviderForDomain(tx, p.domain)) throw invalidField("domain", `${p.domain} is already verified for SSO`);
    const row = await markDomainVerified(tx, p.id);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "sso.domain_verified",
      targetType: "sso_provider",
      targetId: providerId,
      data: { domain: p.domain },
    });
    return row;
  });
  return providerView(deps.baseURL, row);
}

export async function deleteSsoProvider(deps: Pick<SsoDeps, "prisma">, actor: Actor, providerId: string) {
  const p = await ownProvider(deps.prisma, actor, providerId);
  await transaction(deps.prisma, async (tx) => {
    await deleteProviderAndLinks(tx, p.id, providerId);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "sso.provider_deleted",
      targetType: "sso_provider",
      targetId: providerId,
      data: { domain: p.domain },
    });
  });
  return { providerId, deleted: true as const };
}

export async function updateSsoPolicy(deps: Pick<SsoDeps, "prisma" | "baseURL">, actor: Actor, input: TUpdateSsoPolicyInput) {
  // Requiring SSO takes password sign-in away from every member of the domain, owners included, and the
  // break-glass account is the one way back in: both are an owner's decision, not an admin's.
  if ((input.requireSso !== undefined || input.breakGlassUserId !== undefined) && actor.role !== "owner")
    throw new AppError("forbidden", "only an owner may require SSO or name the break-glass account");
  const current = await findPolicy(deps.prisma, actor.workspaceId);
  const breakGlass = input.breakGlassUserId !== undefined ? input.breakGlassUserId : (current?.breakGlassUserId ?? null);
  if (breakGlass) {
    if ((await findMemberRole(deps.prisma, actor.workspaceId, breakGlass)) !== "owner")
      throw invalidField("breakGlassUserId", "must be an owner of this workspace");
  }
  const requireSso = input.requireSso ?? current?.requireSso ?? false;
  if (requireSso && !current?.requireSso) {
    const verified = await countVerifiedProviders(deps.prisma, actor.workspaceId);
    if (verified === 0) throw invalidField("requireSso", "needs an SSO provider with a verified domain first");
  }
  await transaction(deps.prisma, async (tx) => {
    const data = {
      requireSso,
      breakGlassUserId: breakGlass,
      ...(input.groupClaim !== undefined ? { groupClaim: input.groupClaim } : {}),
      ...(input.roleMapping !== undefined ? { roleMapping: input.roleMapping } : {}),
    };
    await upsertPolicy(tx, actor.workspaceId, data);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "sso.policy_updated",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { ...input },
    });
    // SCIM-provisioned members get their roles from their groups under this mapping: re-derived now,
    // not at their next directory change.
    if (input.roleMapping !== undefined) await appendAudit(tx, await resyncScimUsers(tx, actor.workspaceId));
  });
  return getSso(deps, actor);
}

/** The TXT values that would verify `domain` (every provider claiming it); for the test DNS override only. */
export async function expectedTxtValues(prisma: PrismaClient, domain: string): Promise<string[]> {
  return (await verificationTokensForDomain(prisma, domain)).map((r) => dnsRecordValue(r.verificationToken));
}
