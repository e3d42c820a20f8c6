/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- SCIM bodies are untyped JSON, checked by the assertions themselves */
/**
 * SCIM 2.0 provisioning (issue 18) through the real route handlers and database: the workspace's
 * token (shown once, hashed, rotated, revoked), discovery, and the request sequences Okta and
 * Microsoft Entra ID document for provisioning and deprovisioning, replayed with their own bodies:
 *
 * - Okta: "SCIM 2.0 protocol reference" (https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/)
 *   and "Test your SCIM API" (https://developer.okta.com/docs/guides/scim-provisioning-integration-test/main/).
 * - Entra ID: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
 *   (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
 *   its "User operations" / "Group operations" request examples; and the known "False"-as-string
 *   PATCH (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility).
 *
 * Plus: group membership → role through the workspace's SSO mapping, deprovisioning ends every
 * session and token at once, an owner cannot be deprovisioned, a token acts on its own workspace
 * only, and a bad-input campaign whose every answer is a SCIM error and changes nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, MASTER_KEY, type TestWorkspace } from "../../v1/_tests/harness.ts";
import { diffFingerprints, fingerprint, NASTY_STRINGS, type SqlQuery } from "../../v1/_tests/bad-input.ts";
import { scim, type ScimCall } from "./scim-harness.ts";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

const prisma = getPrisma();
const sql: SqlQuery = (q, params = []) => prisma.$queryRawUnsafe(q, ...params);
const DOMAIN_A = "contoso-scim.test";
const DOMAIN_B = "fabrikam-scim.test";
/** Entra's tutorial group externalId; the mapping names it (groups map by displayName or externalId). */
const ENTRA_GROUP_EXTERNAL_ID = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159";

let A: TestWorkspace;
let B: TestWorkspace;
let tokenA = "";
let tokenB = "";

async function verifiedDomain(workspaceId: string, domain: string) {
  await prisma.ssoProvider.create({
    data: {
      id: randomBytes(8).toString("hex"),
      providerId: `${domain.split(".")[0]}-${randomBytes(2).toString("hex")}`,
      issuer: `https://idp.${domain}`,
      oidcConfig: "{}",
      organizationId: workspaceId,
      domain,
      domainVerified: true,
    },
  });
}

beforeAll(async () => {
  A = await createWorkspace(prisma, "Contoso");
  B = await createWorkspace(prisma, "Fabrikam");
  await verifiedDomain(A.id, DOMAIN_A);
  await verifiedDomain(B.id, DOMAIN_B);
  const map = await call("PATCH", "/sso", {
    key: A.members.admin.key,
    body: {
      roleMapping: [
        { group: "Parapet Admins", role: "admin" },
        { group: "Engineers", role: "author" },
        { group: ENTRA_GROUP_EXTERNAL_ID, role: "viewer" },
      ],
    },
  });
  if (map.status !== 200) throw new Error(map.text);
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

function expectScimError(r: ScimCall, status: number, scimType?: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("content-type")).toBe("application/scim+json");
  expect(r.body.schemas).toEqual([ERROR]);
  expect(r.body.status).toBe(String(status));
  expect(typeof r.body.detail).toBe("string");
  if (scimType) expect(r.body.scimType).toBe(scimType);
}

/** A session and an API token for `userId` in workspace `ws` (and one token in another workspace). */
async function giveAccess(userId: string, ws: string) {
  const { auth } = await import("@/server/auth");
  await prisma.session.create({
    data: {
      id: randomUUID(),
      userId,
      token: randomBytes(16).toString("hex"),
      expiresAt: new Date(Date.now() + 3_600_000),
      activeOrganizationId: ws,
    },
  });
  const k = await auth().api.createApiKey({
    body: { userId, name: "scim victim", metadata: { workspaceId: ws, role: "viewer" }, rateLimitEnabled: false },
  });
  return k.key;
}

const memberRole = async (ws: string, userId: string) =>
  (await prisma.member.findFirst({ where: { organizationId: ws, userId }, select: { role: true } }))?.role ?? null;

describe("SCIM token (/api/v1/scim)", () => {
  it("only admins create it; shown once, stored hashed, audited without the secret", async () => {
    for (const role of ["author", "approver", "viewer"] as const) {
      expect((await call("POST", "/scim/token", { key: A.members[role].key })).status, role).toBe(403);
    }
    const before = await call("GET", "/scim", { key: A.members.admin.key });
    expect(before.body).toMatchObject({ enabled: false, tokenStart: null, baseUrl: `http://127.0.0.1:3999/api/scim/v2/${A.id}` });
    const r = await call("POST", "/scim/token", { key: A.members.admin.key });
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body.token).toMatch(/^pscim_[A-Za-z0-9_-]{43}$/);
    expect(r.body.rotated).toBe(false);
    tokenA = r.body.token as string;
    const row = await prisma.workspaceScim.findUniqueOrThrow({ where: { workspaceId: A.id } });
    expect(row.tokenHash).not.toContain(tokenA);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const state = await call("GET", "/scim", { key: A.members.viewer.key });
    expect(state.body).toMatchObject({ enabled: true, tokenStart: tokenA.slice(0, 12) });
    expect(state.text).not.toContain(tokenA);
    const ev = await prisma.auditEvent.findFirstOrThrow({ where: { workspaceId: A.id, action: "scim.token_created" } });
    expect(JSON.stringify(ev)).not.toContain(tokenA);
    tokenB = (await call("POST", "/scim/token", { key: B.members.owner.key })).body.token as string;
  });

  it("rotating stops the old token at once; revoking closes the endpoint; revoking twice is a 404", async () => {
    const old = tokenA;
    const r = await call("POST", "/scim/token", { key: A.members.admin.key });
    expect(r.status).toBe(201);
    expect(r.body.rotated).toBe(true);
    tokenA = r.body.token as string;
    expectScimError(await scim("GET", A.id, old, "/Users"), 401);
    expect((await scim("GET", A.id, tokenA, "/Users")).status).toBe(200);
    expect((await call("DELETE", "/scim/token", { key: A.members.author.key })).status).toBe(403);
    expect((await call("DELETE", "/scim/token", { key: A.members.admin.key })).status).toBe(200);
    expectScimError(await scim("GET", A.id, tokenA, "/Users"), 401);
    const again = await call("DELETE", "/scim/token", { key: A.members.admin.key });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("not_found");
    tokenA = (await call("POST", "/scim/token", { key: A.members.admin.key })).body.token as string;
    const actions = (await prisma.auditEvent.findMany({ where: { workspaceId: A.id, action: { startsWith: "scim.token_" } } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(expect.arrayContaining(["scim.token_created", "scim.token_rotated", "scim.token_revoked"]));
  });
});

describe("SCIM authentication", () => {
  it("no token, a wrong one, an API key or another workspace's token: 401 in SCIM's shape", async () => {
    for (const [note, t, ws] of [
      ["none", null, A.id],
      ["wrong", `pscim_${randomBytes(32).toString("base64url")}`, A.id],
      ["an API key", A.members.owner.key, A.id],
      ["B's token on A's endpoint", tokenB, A.id],
      ["A's token on B's endpoint", tokenA, B.id],
      ["A's token on an unknown workspace", tokenA, "no-such-workspace"],
    ] as const) {
      const r = await scim("GET", ws, t, "/Users");
      expectScimError(r, 401);
      expect(r.headers.get("www-authenticate"), note).toMatch(/^Bearer/);
    }
    const basic = await scim("GET", A.id, null, "/Users", {
      headers: { authorization: `Basic ${Buffer.from(`x:${tokenA}`).toString("base64")}` },
    });
    expectScimError(basic, 401);
  });

  it("discovery: ServiceProviderConfig, ResourceTypes and Schemas describe what is supported", async () => {
    const spc = await scim("GET", A.id, tokenA, "/ServiceProviderConfig");
    expect(spc.status).toBe(200);
    expect(spc.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    const rt = await scim("GET", A.id, tokenA, "/ResourceTypes");
    expect(rt.body.Resources.map((x: { id: string }) => x.id)).toEqual(["User", "Group"]);
    expect((await scim("GET", A.id, tokenA, "/ResourceTypes/User")).body.endpoint).toBe("/Users");
    const schemas = await scim("GET", A.id, tokenA, "/Schemas");
    expect(schemas.body.Resources.map((x: { id: string }) => x.id)).toEqual([USER, GROUP]);
    expect((await scim("GET", A.id, tokenA, `/Schemas/${USER}`)).body.name).toBe("User");
    expectScimError(await scim("GET", A.id, tokenA, "/Schemas/urn:nope"), 404);
    expectScimError(await scim("POST", A.id, tokenA, "/ServiceProviderConfig", { body: {} }), 405);
  });
});

describe("Okta's documented provisioning sequence", () => {
  const userName = `test.user@${DOMAIN_A}`;
  let id = "";
  let groupId = "";
  let userId = "";

  it("connection test and existence check: GET /Users?count=…, filter userName eq → empty list", async () => {
    const probe = await scim("GET", A.id, tokenA, "/Users?startIndex=1&count=2");
    expect(probe.status).toBe(200);
    expect(probe.body.schemas).toEqual([LIST]);
    const q = encodeURIComponent(`userName eq "${userName}"`);
    const r = await scim("GET", A.id, tokenA, `/Users?filter=${q}&startIndex=1&count=100`);
    expect(r.body).toEqual({ schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    // Okta's test suite: a random id is a 404.
    expectScimError(await scim("GET", A.id, tokenA, `/Users/${randomUUID()}`), 404);
  });

  it("POST /Users with Okta's body creates the account (its password is dropped unread)", async () => {
    const body = {
      schemas: [USER],
      userName,
      name: { givenName: "Test", familyName: "User" },
      emails: [{ primary: true, value: userName, type: "work" }],
      displayName: "Test User",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    };
    const r = await scim("POST", A.id, tokenA, "/Users", { body });
    expect(r.status, r.text).toBe(201);
    expect(r.headers.get("content-type")).toBe("application/scim+json");
    id = r.body.id as string;
    expect(r.headers.get("location")).toBe(`http://127.0.0.1:3999/api/scim/v2/${A.id}/Users/${id}`);
    expect(r.body).toMatchObject({
      schemas: [USER],
      userName,
      active: true,
      externalId: "00ujl29u0le5T6Aj10h7",
      name: { givenName: "Test", familyName: "User" },
      emails: [{ value: userName, type: "work", primary: true }],
      groups: [],
      meta: { resourceType: "User" },
    });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: userName }, include: { authAccounts: true } });
    userId = user.id;
    // No password anywhere: SCIM users sign in with SSO only; no group yet, so no access.
    expect(user.authAccounts).toEqual([]);
    expect(await memberRole(A.id, userId)).toBeNull();
    const ev = await prisma.auditEvent.findFirstOrThrow({ where: { workspaceId: A.id, action: "scim.user_created", targetId: userId } });
    expect(JSON.stringify(ev)).not.toContain("1mz050nq");
    // Okta creates once; a second create of the same userName (any case) is a uniqueness conflict.
    expectScimError(await scim("POST", A.id, tokenA, "/Users", { body: { ...body, userName: userName.toUpperCase() } }), 409, "uniqueness");
  });

  it("GET /Users/{id} and GET by filter find it; PUT replaces the profile", async () => {
    expect((await scim("GET", A.id, tokenA, `/Users/${id}`)).body.userName).toBe(userName);
    const f = await scim("GET", A.id, tokenA, `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(f.body.totalResults).toBe(1);
    expect(f.body.Resources[0].id).toBe(id);
    const put = await scim("PUT", A.id, tokenA, `/Users/${id}`, {
      body: {
        schemas: [USER],
        id,
        userName,
        name: { givenName: "Another", familyName: "User" },
        emails: [{ primary: true, value: userName, type: "work" }],
        displayName: "Another User",
        active: true,
      },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.name).toMatchObject({ givenName: "Another", familyName: "User" });
    expect(put.body.meta.version).toBe('W/"2"');
  });

  it("groups: create, push members (add), rename (replace value), remove by members[value eq]; the role follows", async () => {
    const g = await scim("POST", A.id, tokenA, "/Groups", { body: { schemas: [GROUP], displayName: "Test SCIMv2", members: [] } });
    expect(g.status, g.text).toBe(201);
    groupId = g.body.id as string;
    expect(g.body).toMatchObject({ displayName: "Test SCIMv2", members: [] });
    expect((await scim("GET", A.id, tokenA, "/Groups?startIndex=1&count=100")).body.totalResults).toBe(1);
    const add = await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: id, display: userName }] }] },
    });
    expect(add.status, add.text).toBe(204);
    // "Test SCIMv2" is not mapped: a member of no mapped group has no access.
    expect(await memberRole(A.id, userId)).toBeNull();
    const rename = await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { id: groupId, displayName: "Engineers" } }] },
    });
    expect(rename.status, rename.text).toBe(204);
    expect(await memberRole(A.id, userId)).toBe("author");
    const got = await scim("GET", A.id, tokenA, `/Groups/${groupId}`);
    expect(got.body.members).toEqual([expect.objectContaining({ value: id, display: userName })]);
    expect((await scim("GET", A.id, tokenA, `/Users/${id}`)).body.groups).toEqual([
      expect.objectContaining({ value: groupId, display: "Engineers" }),
    ]);
    const remove = await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${id}"]` }] },
    });
    expect(remove.status).toBe(204);
    expect(await memberRole(A.id, userId)).toBeNull();
    await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] },
    });
    expect(await memberRole(A.id, userId)).toBe("author");
  });

  it("deactivation (replace value {active:false}) ends every session and this workspace's tokens at once", async () => {
    const keyA = await giveAccess(userId, A.id);
    await giveAccess(userId, A.id);
    expect((await call("GET", "/me", { key: keyA })).status).toBe(200);
    const r = await scim("PATCH", A.id, tokenA, `/Users/${id}`, {
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.active).toBe(false);
    expect(await memberRole(A.id, userId)).toBeNull();
    expect(await prisma.session.count({ where: { userId } })).toBe(0);
    expect(await prisma.apikey.count({ where: { referenceId: userId } })).toBe(0);
    expect((await call("GET", "/me", { key: keyA })).status).toBe(401);
    const ev = await prisma.auditEvent.findFirstOrThrow({
      where: { workspaceId: A.id, action: "scim.member_removed", targetId: userId },
      orderBy: { seq: "desc" },
    });
    expect(ev.data).toMatchObject({ role: "author", reason: "user deactivated", sessionsEnded: 2, tokensRevoked: 2 });
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "scim.user_deactivated", targetId: userId } })).toBe(1);
    // Still listed, as inactive (Okta reads it back).
    expect((await scim("GET", A.id, tokenA, `/Users/${id}`)).body.active).toBe(false);
  });

  it("reactivation restores the role its groups grant; deleting the group takes it away", async () => {
    const r = await scim("PATCH", A.id, tokenA, `/Users/${id}`, {
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: true } }] },
    });
    expect(r.status).toBe(200);
    expect(await memberRole(A.id, userId)).toBe("author");
    expect((await scim("DELETE", A.id, tokenA, `/Groups/${groupId}`)).status).toBe(204);
    expect(await memberRole(A.id, userId)).toBeNull();
    expectScimError(await scim("GET", A.id, tokenA, `/Groups/${groupId}`), 404);
  });
});

describe("Microsoft Entra ID's documented provisioning sequence", () => {
  const userName = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1";
  let id = "";
  let userId = "";
  let groupId = "";

  it("Get User by query with zero results, then Create User (enterprise extension, roles, meta)", async () => {
    const none = await scim("GET", A.id, tokenA, `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}`);
    expect(none.body).toMatchObject({ schemas: [LIST], totalResults: 0, Resources: [] });
    const r = await scim("POST", A.id, tokenA, "/Users", {
      body: {
        schemas: [USER, ENTERPRISE],
        externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        userName,
        active: true,
        emails: [{ primary: true, type: "work", value: `Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2b@${DOMAIN_A}` }],
        meta: { resourceType: "User" },
        name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
        roles: [],
      },
    });
    expect(r.status, r.text).toBe(201);
    id = r.body.id as string;
    expect(r.body).toMatchObject({ userName, externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", active: true });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: `test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2b@${DOMAIN_A}` } });
    userId = user.id;
  });

  it("Get User, Get User by query", async () => {
    expect((await scim("GET", A.id, tokenA, `/Users/${id}`)).body.id).toBe(id);
    const q = await scim("GET", A.id, tokenA, `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(q.body.totalResults).toBe(1);
    expect(q.body.Resources[0].userName).toBe(userName);
  });

  it('Update User [Multi-valued properties]: emails[type eq "work"].value and name.familyName', async () => {
    const r = await scim("PATCH", A.id, tokenA, `/Users/${id}`, {
      body: {
        schemas: [PATCH],
        Operations: [
          { op: "Replace", path: 'emails[type eq "work"].value', value: `updatedEmail@${DOMAIN_A}` },
          { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        ],
      },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.emails).toEqual([{ value: `updatedemail@${DOMAIN_A}`, type: "work", primary: true }]);
    expect(r.body.name.familyName).toBe("updatedFamilyName");
    expect((await prisma.user.findUniqueOrThrow({ where: { id: userId } })).email).toBe(`updatedemail@${DOMAIN_A}`);
  });

  it("Update User [Single-valued properties]: userName", async () => {
    const newName = `5b50642d-79fc-4410-9e90-4c077cdd1a59@${DOMAIN_A}`;
    const r = await scim("PATCH", A.id, tokenA, `/Users/${id}`, {
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "userName", value: newName }] },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.userName).toBe(newName);
  });

  it("Create Group, Get Group (excludedAttributes=members), Get Group by displayName", async () => {
    const r = await scim("POST", A.id, tokenA, "/Groups", {
      body: { schemas: [GROUP], externalId: ENTRA_GROUP_EXTERNAL_ID, displayName: "displayName", meta: { resourceType: "Group" } },
    });
    expect(r.status, r.text).toBe(201);
    groupId = r.body.id as string;
    expect(r.body).toMatchObject({ displayName: "displayName", externalId: ENTRA_GROUP_EXTERNAL_ID, members: [] });
    const g = await scim("GET", A.id, tokenA, `/Groups/${groupId}?excludedAttributes=members`);
    expect(g.body.members).toBeUndefined();
    expect(g.body.displayName).toBe("displayName");
    const q = await scim(
      "GET",
      A.id,
      tokenA,
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`,
    );
    expect(q.body.totalResults).toBe(1);
    expect(q.body.Resources[0].members).toBeUndefined();
  });

  it("Update Group [Non-member attributes], [Add Members], [Remove Members]: 204 each; the role follows", async () => {
    const rename = await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: {
        schemas: [PATCH],
        Operations: [{ op: "Replace", path: "displayName", value: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" }],
      },
    });
    expect(rename.status, rename.text).toBe(204);
    const add = await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: id }] }] },
    });
    expect(add.status, add.text).toBe(204);
    // Mapped by the group's externalId (Entra's object id), whatever its displayName.
    expect(await memberRole(A.id, userId)).toBe("viewer");
    const remove = await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: id }] }] },
    });
    expect(remove.status).toBe(204);
    expect(await memberRole(A.id, userId)).toBeNull();
    await scim("PATCH", A.id, tokenA, `/Groups/${groupId}`, {
      body: { schemas: [PATCH], Operations: [{ op: "Add", path: "members", value: [{ value: id }] }] },
    });
    expect(await memberRole(A.id, userId)).toBe("viewer");
  });

  it('Disable User with active "False" (a string, as Entra sends it): sessions and tokens end at once', async () => {
    const key = await giveAccess(userId, A.id);
    const r = await scim("PATCH", A.id, tokenA, `/Users/${id}`, {
      body: { schemas: [PATCH], Operations: [{ op: "Replace", path: "active", value: "False" }] },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.active).toBe(false);
    expect(await memberRole(A.id, userId)).toBeNull();
    expect(await prisma.session.count({ where: { userId } })).toBe(0);
    expect((await call("GET", "/me", { key })).status).toBe(401);
  });

  it("Delete User, Delete Group: 204, then 404", async () => {
    expect((await scim("DELETE", A.id, tokenA, `/Users/${id}`)).status).toBe(204);
    expectScimError(await scim("GET", A.id, tokenA, `/Users/${id}`), 404);
    expect(await prisma.scimUser.count({ where: { id } })).toBe(0);
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "scim.user_deleted", targetId: userId } })).toBe(1);
    expect((await scim("DELETE", A.id, tokenA, `/Groups/${groupId}`)).status).toBe(204);
    expectScimError(await scim("DELETE", A.id, tokenA, `/Groups/${groupId}`), 404);
  });
});

describe("what the directory cannot do", () => {
  it("an owner is linked but never demoted, deactivated or deleted through SCIM", async () => {
    const email = `owner-${randomBytes(3).toString("hex")}@${DOMAIN_A}`;
    const ownerId = randomUUID();
    await prisma.user.create({ data: { id: ownerId, email, name: "Directory Owner", emailVerified: true } });
    await prisma.member.create({ data: { id: randomUUID(), organizationId: A.id, userId: ownerId, role: "owner", createdAt: new Date() } });
    const key = await giveAccess(ownerId, A.id);
    const u = await scim("POST", A.id, tokenA, "/Users", { body: { schemas: [USER], userName: email, active: true } });
    expect(u.status, u.text).toBe(201);
    const g = await scim("POST", A.id, tokenA, "/Groups", {
      body: { schemas: [GROUP], displayName: "Parapet Admins", members: [{ value: u.body.id as string }] },
    });
    expect(g.status).toBe(201);
    expect(await memberRole(A.id, ownerId)).toBe("owner");
    const deact = await scim("PATCH", A.id, tokenA, `/Users/${u.body.id}`, {
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] },
    });
    expectScimError(deact, 403);
    expect(deact.body.detail).toContain("owner");
    expectScimError(await scim("DELETE", A.id, tokenA, `/Users/${u.body.id}`), 403);
    expectScimError(
      await scim("PUT", A.id, tokenA, `/Users/${u.body.id}`, { body: { schemas: [USER], userName: email, active: false } }),
      403,
    );
    expect(await memberRole(A.id, ownerId)).toBe("owner");
    expect((await prisma.scimUser.findUniqueOrThrow({ where: { id: u.body.id as string } })).active).toBe(true);
    expect((await call("GET", "/me", { key })).status).toBe(200);
    expect(await prisma.auditEvent.count({ where: { workspaceId: A.id, action: "scim.request_refused" } })).toBe(3);
  });

  it("a workspace provisions only addresses in its own verified domains, and only its own users and groups", async () => {
    const foreign = await scim("POST", A.id, tokenA, "/Users", { body: { schemas: [USER], userName: `eve@${DOMAIN_B}` } });
    expectScimError(foreign, 400, "invalidValue");
    expect(foreign.body.detail).toContain(DOMAIN_B);
    const other = await scim("POST", A.id, tokenA, "/Users", { body: { schemas: [USER], userName: B.members.viewer.email } });
    expectScimError(other, 400, "invalidValue");
    // B's resources are invisible to A's token.
    const bu = await scim("POST", B.id, tokenB, "/Users", { body: { schemas: [USER], userName: `bob@${DOMAIN_B}` } });
    expect(bu.status).toBe(201);
    const before2 = await fingerprint(sql, [B.id]);
    expectScimError(await scim("GET", A.id, tokenA, `/Users/${bu.body.id}`), 404);
    expectScimError(
      await scim("PATCH", A.id, tokenA, `/Users/${bu.body.id}`, {
        body: { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] },
      }),
      404,
    );
    expectScimError(await scim("DELETE", A.id, tokenA, `/Users/${bu.body.id}`), 404);
    expectScimError(
      await scim("POST", A.id, tokenA, "/Groups", {
        body: { schemas: [GROUP], displayName: "Stolen", members: [{ value: bu.body.id as string }] },
      }),
      400,
      "invalidValue",
    );
    expect(
      (await scim("GET", A.id, tokenA, `/Users?filter=${encodeURIComponent(`userName eq "bob@${DOMAIN_B}"`)}`)).body.totalResults,
    ).toBe(0);
    expect(diffFingerprints(before2, await fingerprint(sql, [B.id]))).toEqual([]);
  });

  it("changing the role mapping re-derives SCIM members' roles at once", async () => {
    const email = `mapped-${randomBytes(3).toString("hex")}@${DOMAIN_A}`;
    const u = await scim("POST", A.id, tokenA, "/Users", { body: { schemas: [USER], userName: email } });
    await scim("POST", A.id, tokenA, "/Groups", {
      body: { schemas: [GROUP], displayName: "Approvers", members: [{ value: u.body.id as string }] },
    });
    const userId = (await prisma.user.findUniqueOrThrow({ where: { email } })).id;
    expect(await memberRole(A.id, userId)).toBeNull();
    const sso = await call("GET", "/sso", { key: A.members.admin.key });
    const r = await call("PATCH", "/sso", {
      key: A.members.admin.key,
      body: { roleMapping: [...(sso.body.roleMapping as unknown[]), { group: "Approvers", role: "approver" }] },
    });
    expect(r.status, r.text).toBe(200);
    expect(await memberRole(A.id, userId)).toBe("approver");
  });
});

describe("SCIM bad-input campaign", () => {
  it("every bad request is a SCIM error (4xx, its shape, no internals) and changes nothing in either workspace", async () => {
    const u = await scim("POST", A.id, tokenA, "/Users", { body: { schemas: [USER], userName: `campaign@${DOMAIN_A}` } });
    const g = await scim("POST", A.id, tokenA, "/Groups", { body: { schemas: [GROUP], displayName: "Campaign" } });
    const uid = u.body.id as string;
    const gid = g.body.id as string;
    const ops = (...o: unknown[]) => ({ schemas: [PATCH], Operations: o });
    type Case = [
      string,
      "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
      string,
      { body?: unknown; rawBody?: string; headers?: Record<string, string> }?,
    ];
    const cases: Case[] = [
      ["malformed JSON", "POST", "/Users", { rawBody: "{ not json" }],
      ["empty body", "POST", "/Users", { rawBody: "" }],
      ["array body", "POST", "/Users", { body: [1, 2] }],
      ["null body", "POST", "/Users", { rawBody: "null" }],
      ["no schemas", "POST", "/Users", { body: { userName: `x@${DOMAIN_A}` } }],
      ["group schema on a user", "POST", "/Users", { body: { schemas: [GROUP], userName: `x@${DOMAIN_A}` } }],
      ["no userName", "POST", "/Users", { body: { schemas: [USER] } }],
      ["numeric userName", "POST", "/Users", { body: { schemas: [USER], userName: 12345 } }],
      ["active maybe", "POST", "/Users", { body: { schemas: [USER], userName: `x@${DOMAIN_A}`, active: "maybe" } }],
      ["emails not a list", "POST", "/Users", { body: { schemas: [USER], userName: `x@${DOMAIN_A}`, emails: "x" } }],
      [
        "text/plain",
        "POST",
        "/Users",
        { rawBody: JSON.stringify({ schemas: [USER], userName: `x@${DOMAIN_A}` }), headers: { "content-type": "text/plain" } },
      ],
      ["2 MiB body", "POST", "/Users", { body: { schemas: [USER], userName: `x@${DOMAIN_A}`, displayName: "x".repeat(2 * 1024 * 1024) } }],
      ["deep body", "POST", "/Users", { rawBody: `${"[".repeat(5000)}${"]".repeat(5000)}` }],
      ["filter: co", "GET", `/Users?filter=${encodeURIComponent('userName co "a"')}`],
      ["filter: unknown attribute", "GET", `/Users?filter=${encodeURIComponent('password eq "a"')}`],
      ["filter: unquoted", "GET", `/Users?filter=${encodeURIComponent("userName eq a")}`],
      ["filter: or", "GET", `/Users?filter=${encodeURIComponent('userName eq "a" or userName eq "b"')}`],
      ["filter: 5,000 chars", "GET", `/Users?filter=${"x".repeat(5000)}`],
      ["filter: NUL", "GET", `/Users?filter=${encodeURIComponent('userName eq "a\u0000"')}`],
      ["startIndex abc", "GET", "/Users?startIndex=abc"],
      ["count 1e99", "GET", "/Groups?count=1e99"],
      ["PATCH no Operations", "PATCH", `/Users/${uid}`, { body: { schemas: [PATCH] } }],
      [
        "PATCH without PatchOp schema",
        "PATCH",
        `/Users/${uid}`,
        { body: { Operations: [{ op: "replace", path: "active", value: false }] } },
      ],
      ["PATCH op move", "PATCH", `/Users/${uid}`, { body: ops({ op: "move", path: "active", value: false }) }],
      ["PATCH unknown path", "PATCH", `/Users/${uid}`, { body: ops({ op: "replace", path: "isAdmin", value: true }) }],
      ["PATCH role escalation attempt", "PATCH", `/Users/${uid}`, { body: ops({ op: "replace", value: { parapetRole: "owner" } }) }],
      ["PATCH active maybe", "PATCH", `/Users/${uid}`, { body: ops({ op: "replace", path: "active", value: "maybe" }) }],
      ["PATCH remove userName", "PATCH", `/Users/${uid}`, { body: ops({ op: "remove", path: "userName" }) }],
      ["PATCH remove without path", "PATCH", `/Users/${uid}`, { body: ops({ op: "remove" }) }],
      ["PATCH value not an object", "PATCH", `/Users/${uid}`, { body: ops({ op: "replace", value: "x" }) }],
      [
        "PATCH e-mail outside the domain",
        "PATCH",
        `/Users/${uid}`,
        { body: ops({ op: "replace", path: 'emails[type eq "work"].value', value: `x@${DOMAIN_B}` }) },
      ],
      ["PATCH NUL in a value", "PATCH", `/Users/${uid}`, { body: ops({ op: "replace", path: "displayName", value: "a\u0000b" }) }],
      ["PUT without userName", "PUT", `/Users/${uid}`, { body: { schemas: [USER] } }],
      ["group without displayName", "POST", "/Groups", { body: { schemas: [GROUP] } }],
      ["group duplicate displayName", "POST", "/Groups", { body: { schemas: [GROUP], displayName: "campaign" } }],
      ["group members not a list", "PATCH", `/Groups/${gid}`, { body: ops({ op: "add", path: "members", value: "x" }) }],
      ["group unknown member", "PATCH", `/Groups/${gid}`, { body: ops({ op: "add", path: "members", value: [{ value: randomUUID() }] }) }],
      ["group unknown attribute", "PATCH", `/Groups/${gid}`, { body: ops({ op: "replace", path: "owner", value: "me" }) }],
      ["group id overwrite", "PATCH", `/Groups/${gid}`, { body: ops({ op: "replace", value: { id: "other", displayName: "x" } }) }],
      ["group members filter add", "PATCH", `/Groups/${gid}`, { body: ops({ op: "add", path: `members[value eq "${uid}"]`, value: [] }) }],
      ["unknown resource", "GET", "/Admins"],
      ["nested path", "GET", `/Users/${uid}/x`],
      ["5,000-char id", "GET", `/Users/${"a".repeat(5000)}`],
      ["SQL id", "DELETE", "/Users/' OR 1=1 --"],
      ["traversal id", "GET", "/Groups/..%2f..%2fetc%2fpasswd"],
      ["PUT on the collection", "PUT", "/Users", { body: { schemas: [USER], userName: `x@${DOMAIN_A}` } }],
      ["DELETE on the collection", "DELETE", "/Groups"],
      ...NASTY_STRINGS.map(([note, v]): Case => [
        `userName: ${note}`,
        "POST",
        "/Users",
        { body: { schemas: [USER], userName: v, emails: [{ type: "work", value: v }] } },
      ]),
      ...NASTY_STRINGS.map(([note, v]): Case => [
        `filter value: ${note}`,
        "PATCH",
        `/Groups/${gid}`,
        { body: ops({ op: "remove", path: `members[value eq "${v.replace(/"/g, "")}"]x` }) },
      ]),
    ];
    const secrets = [MASTER_KEY, process.env.PARAPET_AUTH_SECRET!, process.env.DATABASE_URL!, tokenA, tokenB];
    const before = await fingerprint(sql, [A.id, B.id]);
    const auditBefore = await prisma.auditEvent.count({ where: { workspaceId: { in: [A.id, B.id] } } });
    const failures: string[] = [];
    for (const [note, method, path, o] of cases) {
      const r = await scim(method, A.id, tokenA, path, o ?? {});
      const bad =
        r.status < 400 || r.status >= 500
          ? `status ${r.status}`
          : r.body?.schemas?.[0] !== ERROR || r.body.status !== String(r.status) || typeof r.body.detail !== "string"
            ? "not a SCIM error body"
            : /\bat \S+ \(|prisma|postgres|SELECT |stack/i.test(r.text)
              ? "internals in the answer"
              : secrets.find((s) => s && r.text.includes(s))
                ? "a secret in the answer"
                : null;
      if (bad) failures.push(`${note} (${method} ${path.slice(0, 60)}): ${bad}: ${r.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(70);
    expect(diffFingerprints(before, await fingerprint(sql, [A.id, B.id]))).toEqual([]);
    expect(await prisma.auditEvent.count({ where: { workspaceId: { in: [A.id, B.id] } } })).toBe(auditBefore);
  });
});
