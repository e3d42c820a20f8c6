/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * SCIM-provisioned users sign in with SSO (issue 18), against a real OpenID Provider on loopback: the
 * directory's SCIM groups, not the sign-in's claims, decide the role; a user the directory deactivated
 * is refused at sign-in and loses the session it had.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "../../v1/_tests/harness.ts";
import { callAuth } from "../../v1/_tests/auth-harness.ts";
import { startIdp, type TestIdp } from "../../v1/_tests/oidc-idp.ts";
import { scim } from "./scim-harness.ts";

const PROVIDER = "scim-oidc";
const DOMAIN = "scim-sso.test";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const idp: TestIdp = await startIdp([`${BASE_URL}/api/auth/sso/callback/${PROVIDER}`]);
// Before the first request builds the auth instance: the loopback IdP is trusted, the TXT check passes.
process.env.PARAPET_TRUSTED_ORIGINS = idp.issuer;
process.env.PARAPET_SSO_DNS_OVERRIDE = DOMAIN;

const prisma = getPrisma();
let A: TestWorkspace;
let token = "";
beforeAll(async () => {
  A = await createWorkspace(prisma, "SCIM SSO");
  const reg = await call("POST", "/sso/providers", {
    key: A.members.admin.key,
    body: {
      protocol: "oidc",
      providerId: PROVIDER,
      domain: DOMAIN,
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ["groups"],
    },
  });
  if (reg.status !== 201) throw new Error(reg.text);
  await call("POST", "/sso/providers/{id}/verify", { key: A.members.admin.key, params: { id: PROVIDER } });
  await call("PATCH", "/sso", { key: A.members.admin.key, body: { roleMapping: [{ group: "Engineers", role: "author" }] } });
  token = (await call("POST", "/scim/token", { key: A.members.admin.key })).body.token as string;
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

async function ssoSignIn(email: string, login: string) {
  const start = await callAuth("POST", "/sign-in/sso", { body: { email, callbackURL: "/", errorCallbackURL: "/login" } });
  expect(start.status, start.text).toBe(200);
  const back = await idp.signIn(start.body.url as string, login);
  const cb = await callAuth("GET", back.slice(`${BASE_URL}/api/auth`.length), { cookie: cookiesOf(start.headers) });
  expect(cb.status, cb.text).toBe(302);
  return { location: new URL(cb.headers.get("location")!, BASE_URL), cookie: cookiesOf(cb.headers) };
}

const addr = (p: string) => `${p}-${randomBytes(3).toString("hex")}@${DOMAIN}`;

describe("SCIM-provisioned users and SSO sign-in", () => {
  it("a SCIM user in a mapped SCIM group signs in with the role its SCIM groups grant, whatever the claims say", async () => {
    const email = addr("alice");
    const u = await scim("POST", A.id, token, "/Users", { body: { schemas: [USER], userName: email, name: { givenName: "Alice" } } });
    expect(u.status, u.text).toBe(201);
    const g = await scim("POST", A.id, token, "/Groups", {
      body: { schemas: [GROUP], displayName: "Engineers", members: [{ value: u.body.id as string }] },
    });
    expect(g.status, g.text).toBe(201);
    // The IdP's token claims no group at all: the directory (SCIM) is what decides.
    idp.accounts.set("alice", { email, name: "Alice", groups: [] });
    const { location, cookie } = await ssoSignIn(email, "alice");
    expect(location.searchParams.get("error"), location.toString()).toBeNull();
    const me = await call("GET", "/me", { headers: { cookie } });
    expect(me.status, me.text).toBe(200);
    expect(me.body.role).toBe("author");
    const user = await prisma.user.findUniqueOrThrow({ where: { email }, include: { authAccounts: true } });
    expect(user.authAccounts.map((a) => a.providerId)).toEqual([PROVIDER]);
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "auth.sso_sign_in", targetId: user.id } })).toBe(1);

    // Deactivated by the directory: the live session ends at once, and signing in again is refused.
    const off = await scim("PATCH", A.id, token, `/Users/${u.body.id}`, {
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] },
    });
    expect(off.status, off.text).toBe(200);
    expect((await call("GET", "/me", { headers: { cookie } })).status).toBe(401);
    const again = await ssoSignIn(email, "alice");
    expect(again.location.searchParams.get("error")).toBe("SSO_USER_DEACTIVATED");
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await prisma.member.count({ where: { organizationId: A.id, userId: user.id } })).toBe(0);
  });

  it("a SCIM user in no mapped SCIM group is refused even when the IdP's claims name a mapped group", async () => {
    const email = addr("bob");
    const u = await scim("POST", A.id, token, "/Users", { body: { schemas: [USER], userName: email } });
    expect(u.status).toBe(201);
    idp.accounts.set("bob", { email, name: "Bob", groups: ["Engineers"] });
    const { location } = await ssoSignIn(email, "bob");
    expect(location.searchParams.get("error")).toBe("SSO_NO_MAPPED_GROUP");
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await prisma.member.count({ where: { organizationId: A.id, userId: user.id } })).toBe(0);
  });
});
