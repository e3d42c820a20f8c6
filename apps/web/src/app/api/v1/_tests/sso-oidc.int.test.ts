/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * OIDC SSO end to end (issue 18) against a real OpenID Provider (oidc-provider on loopback, its own
 * login and consent pages): an admin registers the IdP, proves the domain (DNS TXT, here through the
 * documented PARAPET_SSO_DNS_OVERRIDE), maps groups to roles; a member of a mapped group signs in and is
 * created just in time with the mapped role. Refused with a clear message and nothing created: an
 * unverified domain, a user in no mapped group, an ID token for another client (wrong audience), an
 * expired ID token, an address outside the domain. Require-SSO refuses passwords in the domain except
 * for the named break-glass owner.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "./harness.ts";
import { callAuth } from "./auth-harness.ts";
import { startIdp, type TestIdp } from "./oidc-idp.ts";

const PROVIDER = "acme-oidc";
const DOMAIN = "acme-sso.test";
const idp: TestIdp = await startIdp([`${BASE_URL}/api/auth/sso/callback/${PROVIDER}`]);
// Both before the first request builds the auth instance and reads the environment: the loopback IdP
// is an operator-trusted origin (better-auth refuses private hosts otherwise), and the domain's TXT
// check is taken as passed.
process.env.PARAPET_TRUSTED_ORIGINS = idp.issuer;
process.env.PARAPET_SSO_DNS_OVERRIDE = DOMAIN;

const prisma = getPrisma();
let A: TestWorkspace;
let B: TestWorkspace;
beforeAll(async () => {
  A = await createWorkspace(prisma, "Acme SSO");
  B = await createWorkspace(prisma, "Bravo SSO");
}, 120_000);
afterAll(async () => {
  await idp.close();
  await prisma.$disconnect();
});

const cookiesOf = (h: Headers) =>
  h
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

/** "Continue with SSO" → the IdP's login page → back to Parapet's callback, as a browser would. */
async function ssoSignIn(email: string, login: string) {
  const start = await callAuth("POST", "/sign-in/sso", { body: { email, callbackURL: "/", errorCallbackURL: "/login" } });
  expect(start.status, start.text).toBe(200);
  const back = await idp.signIn(start.body.url as string, login);
  expect(back.startsWith(`${BASE_URL}/api/auth/sso/callback/${PROVIDER}?`), back).toBe(true);
  const cb = await callAuth("GET", back.slice(`${BASE_URL}/api/auth`.length), { cookie: cookiesOf(start.headers) });
  expect(cb.status, cb.text).toBe(302);
  return { start, location: new URL(cb.headers.get("location")!, BASE_URL), cookie: cookiesOf(cb.headers) };
}

/** Nothing of a refused sign-in may remain: no user, no sign-in link, no session, no membership. */
async function expectNothingFor(email: string) {
  expect(await prisma.user.count({ where: { email } })).toBe(0);
  expect(await prisma.authAccount.count({ where: { providerId: PROVIDER, user: { email } } })).toBe(0);
  expect(await prisma.session.count({ where: { user: { email } } })).toBe(0);
}

const addr = (p: string) => `${p}-${randomBytes(3).toString("hex")}@${DOMAIN}`;
function account(login: string, email: string, groups: string[]) {
  idp.accounts.set(login, { email, name: login, groups });
}

describe("OIDC SSO against a real OpenID Provider", () => {
  it("only an admin registers an IdP; the answer says what to publish in DNS", async () => {
    const body = {
      protocol: "oidc",
      providerId: PROVIDER,
      domain: DOMAIN,
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ["groups"],
    };
    for (const role of ["author", "approver", "viewer"] as const) {
      const r = await call("POST", "/sso/providers", { key: A.members[role].key, body });
      expect(r.status, role).toBe(403);
    }
    expect(await prisma.ssoProvider.count()).toBe(0);
    const r = await call("POST", "/sso/providers", { key: A.members.admin.key, body });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({
      providerId: PROVIDER,
      protocol: "oidc",
      domain: DOMAIN,
      domainVerified: false,
      callbackUrl: `${BASE_URL}/api/auth/sso/callback/${PROVIDER}`,
      dnsRecord: { type: "TXT", name: `_parapet-sso.${DOMAIN}` },
    });
    expect(r.body.dnsRecord.value).toMatch(/^parapet-sso-verification=[A-Za-z0-9_-]{20,}$/);
    // The client secret never comes back.
    expect(r.text).not.toContain(idp.clientSecret);
    const audit = await prisma.auditEvent.findFirst({ where: { workspaceId: A.id, action: "sso.provider_registered" } });
    expect(JSON.stringify(audit?.data)).not.toContain(idp.clientSecret);
  });

  it("before the domain is verified, SSO sign-in is refused and nothing is created", async () => {
    const email = addr("early");
    account("early", email, ["engineers"]);
    const r = await callAuth("POST", "/sign-in/sso", { body: { email, callbackURL: "/" } });
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(`SSO is not set up for ${DOMAIN}; sign in with your password`);
    // Naming the provider directly is not accepted from a browser either.
    const direct = await callAuth("POST", "/sign-in/sso", { body: { providerId: PROVIDER, callbackURL: "/" } });
    expect(direct.status).toBe(400);
    expect(direct.body.message).toBe("providerId: is not accepted here");
    await expectNothingFor(email);
  });

  it("the plugin's own provider endpoints stay closed over HTTP", async () => {
    for (const path of [
      "/sso/register",
      "/sso/update-provider",
      "/sso/verify-domain",
      "/sso/request-domain-verification",
      "/sso/providers",
      "/sso/delete-provider",
    ]) {
      const r = await callAuth("POST", path, { body: { providerId: PROVIDER } });
      expect(r.status, path).toBe(404);
    }
  });

  it("another workspace cannot see, verify or remove the provider", async () => {
    expect((await call("POST", "/sso/providers/{id}/verify", { key: B.members.owner.key, params: { id: PROVIDER } })).status).toBe(404);
    expect((await call("DELETE", "/sso/providers/{id}", { key: B.members.owner.key, params: { id: PROVIDER } })).status).toBe(404);
    const list = await call("GET", "/sso", { key: B.members.owner.key });
    expect(list.body.providers).toEqual([]);
  });

  it("verifies the domain from its TXT record; a verified domain cannot be claimed again", async () => {
    const r = await call("POST", "/sso/providers/{id}/verify", { key: A.members.admin.key, params: { id: PROVIDER } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.domainVerified).toBe(true);
    const claim = await call("POST", "/sso/providers", {
      key: B.members.admin.key,
      body: { protocol: "oidc", domain: DOMAIN, issuer: idp.issuer, clientId: "x", clientSecret: "y" },
    });
    expect(claim.status).toBe(422);
    expect(claim.body.error.message ?? claim.text).toContain(`${DOMAIN} is already verified for SSO`);
  });

  it("a domain whose TXT record is missing stays unverified", async () => {
    const r = await call("POST", "/sso/providers", {
      key: B.members.admin.key,
      body: { protocol: "oidc", domain: "not-published.invalid", issuer: idp.issuer, clientId: "x", clientSecret: "y" },
    });
    expect(r.status, r.text).toBe(201);
    const v = await call("POST", "/sso/providers/{id}/verify", { key: B.members.admin.key, params: { id: r.body.providerId as string } });
    expect(v.status).toBe(412);
    expect(v.text).toContain("no TXT record");
    expect((await prisma.ssoProvider.findUnique({ where: { providerId: r.body.providerId as string } }))?.domainVerified).toBe(false);
  });

  it("maps groups to roles; owner cannot be mapped; only an owner requires SSO", async () => {
    const toOwner = await call("PATCH", "/sso", { key: A.members.admin.key, body: { roleMapping: [{ group: "x", role: "owner" }] } });
    expect(toOwner.status).toBe(422);
    expect(toOwner.text).toContain("never owner");
    const byAdmin = await call("PATCH", "/sso", { key: A.members.admin.key, body: { requireSso: true } });
    expect(byAdmin.status).toBe(403);
    const r = await call("PATCH", "/sso", {
      key: A.members.admin.key,
      body: {
        roleMapping: [
          { group: "parapet-admins", role: "admin" },
          { group: "engineers", role: "author" },
          { group: "auditors", role: "viewer" },
        ],
      },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.roleMapping).toHaveLength(3);
    expect(r.body.groupClaim).toBe("groups");
  });

  it("a member of a mapped group signs in through the IdP's login page and is created with the mapped role", async () => {
    const email = addr("alice");
    account("alice", email, ["engineers", "auditors"]);
    const { location, cookie } = await ssoSignIn(email, "alice");
    expect(location.pathname, location.toString()).toBe("/");
    expect(location.searchParams.get("error")).toBeNull();
    expect(cookie).toContain("session_token");
    const user = await prisma.user.findUniqueOrThrow({ where: { email }, include: { members: true, authAccounts: true } });
    expect(user.members).toMatchObject([{ organizationId: A.id, role: "author" }]);
    expect(user.authAccounts.map((a) => a.providerId)).toEqual([PROVIDER]);
    const me = await call("GET", "/me", { headers: { cookie } });
    expect(me.status, me.text).toBe(200);
    expect(me.body.workspace.id).toBe(A.id);
    expect(me.body.role).toBe("author");
    const ev = await prisma.auditEvent.findFirst({ where: { workspaceId: A.id, action: "auth.sso_user_provisioned", targetId: user.id } });
    expect(ev?.data).toMatchObject({ email, role: "author", protocol: "oidc" });

    // Next sign-in after the IdP moved her to the admins group: the role follows the groups.
    account("alice", email, ["parapet-admins"]);
    await ssoSignIn(email, "alice");
    expect((await prisma.member.findFirstOrThrow({ where: { userId: user.id, organizationId: A.id } })).role).toBe("admin");
    expect(await prisma.user.count({ where: { email } })).toBe(1);
  });

  it("a user in no mapped group is refused with a clear message and nothing is created", async () => {
    const email = addr("bob");
    account("bob", email, ["marketing"]);
    const { location } = await ssoSignIn(email, "bob");
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("error")).toBe("SSO_NO_MAPPED_GROUP");
    expect(location.searchParams.get("error_description")).toBe(
      `${email} is in none of the identity provider groups mapped to a Parapet role (claim "groups"); ask your administrator to add you to one.`,
    );
    await expectNothingFor(email);
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "auth.sso_sign_in_refused", targetId: email } })).toBe(1);
  });

  it("an ID token issued for another client (wrong audience) is refused and nothing is created", async () => {
    const email = addr("carol");
    account("carol", email, ["engineers"]);
    idp.mode.idToken = "wrong-audience";
    try {
      const { location } = await ssoSignIn(email, "carol");
      expect(location.pathname).toBe("/login");
      expect(location.searchParams.get("error")).toBe("invalid_provider");
      expect(location.searchParams.get("error_description")).toBe("token_not_verified");
    } finally {
      idp.mode.idToken = "normal";
    }
    await expectNothingFor(email);
  });

  it("an expired ID token is refused and nothing is created", async () => {
    const email = addr("dan");
    account("dan", email, ["engineers"]);
    idp.mode.idToken = "expired";
    try {
      const { location } = await ssoSignIn(email, "dan");
      expect(location.searchParams.get("error")).toBe("invalid_provider");
      expect(location.searchParams.get("error_description")).toBe("token_not_verified");
    } finally {
      idp.mode.idToken = "normal";
    }
    await expectNothingFor(email);
  });

  it("an IdP account whose address is outside the verified domain is refused", async () => {
    const email = `eve-${randomBytes(3).toString("hex")}@elsewhere.test`;
    account("eve", email, ["parapet-admins"]);
    // Eve types an address in the domain at Parapet but the IdP vouches for another one.
    const { location } = await ssoSignIn(addr("eve"), "eve");
    expect(location.searchParams.get("error")).toBe("SSO_EMAIL_DOMAIN_MISMATCH");
    await expectNothingFor(email);
  });

  it("require SSO: a password in the domain is refused, except for the break-glass owner; the IdP never demotes an owner", async () => {
    const { auth } = await import("@/server/auth");
    const password = "correct horse battery staple";
    const root = addr("root");
    const dave = addr("dave");
    const rootUser = await auth().api.signUpEmail({ body: { email: root, password, name: "root" } });
    await auth().api.signUpEmail({ body: { email: dave, password, name: "dave" } });
    await prisma.member.create({
      data: {
        id: `m${randomBytes(6).toString("hex")}`,
        organizationId: A.id,
        userId: rootUser.user.id,
        role: "owner",
        createdAt: new Date(),
      },
    });

    const notOwner = await call("PATCH", "/sso", {
      key: A.members.owner.key,
      body: { requireSso: true, breakGlassUserId: A.members.admin.userId },
    });
    expect(notOwner.status).toBe(422);
    expect(notOwner.text).toContain("breakGlassUserId: must be an owner of this workspace");
    const r = await call("PATCH", "/sso", { key: A.members.owner.key, body: { requireSso: true, breakGlassUserId: rootUser.user.id } });
    expect(r.status, r.text).toBe(200);

    const refused = await callAuth("POST", "/sign-in/email", { body: { email: dave, password } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`${DOMAIN} signs in with SSO: use "Continue with SSO" instead of a password`);
    expect(refused.headers.getSetCookie().join("")).not.toContain("session_token");
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "auth.password_sign_in_refused", targetId: dave } })).toBe(
      1,
    );

    const breakGlass = await callAuth("POST", "/sign-in/email", { body: { email: root, password } });
    expect(breakGlass.status, breakGlass.text).toBe(200);
    // Password sign-ins and failed ones land in the audit log of the account's workspaces.
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "auth.signed_in", actorId: rootUser.user.id } })).toBe(1);
    const wrong = await callAuth("POST", "/sign-in/email", { body: { email: root, password: "not the password at all" } });
    expect(wrong.status).toBe(401);
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "auth.sign_in_failed", targetId: rootUser.user.id } })).toBe(
      1,
    );
    // Addresses outside the domain keep their passwords.
    const other = await callAuth("POST", "/sign-in/email", { body: { email: "nobody@example.test", password } });
    expect(other.status).toBe(401);

    // The owner signing in through the IdP as an engineer stays owner.
    account("root", root, ["engineers"]);
    const { location } = await ssoSignIn(root, "root");
    expect(location.searchParams.get("error")).toBeNull();
    expect((await prisma.member.findFirstOrThrow({ where: { userId: rootUser.user.id, organizationId: A.id } })).role).toBe("owner");
  });
});
