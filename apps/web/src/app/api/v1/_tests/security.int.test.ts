/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by the assertions themselves */
/** Sessions with CSRF protection, token scoping and revocation, member rules, and master-key rotation. */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { envelopeKeyId, openCredentials, openEventSecret, parseMasterKey } from "@parapet/core";
import { runCli } from "@parapet/core/cli/commands";
import { BASE_URL, call, MASTER_KEY } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;
beforeAll(async () => {
  w = await createWorld(prisma, "Security");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

async function signIn(email: string, password: string): Promise<string> {
  const { auth } = await import("@/server/auth");
  await auth().api.signUpEmail({ body: { email, password, name: "Session User" } });
  const res = await auth().handler(
    new Request(`${BASE_URL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE_URL },
      body: JSON.stringify({ email, password }),
    }),
  );
  expect(res.status).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  expect(cookie).toContain("session_token");
  return cookie;
}

describe("sessions and CSRF", () => {
  it("accepts same-origin writes with a session cookie and refuses cross-site ones", async () => {
    const email = `sess-${randomBytes(4).toString("hex")}@example.test`;
    const cookie = await signIn(email, "correct horse battery");
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    await prisma.member.create({
      data: { id: `m${randomBytes(6).toString("hex")}`, organizationId: w.id, userId: user.id, role: "admin", createdAt: new Date() },
    });
    const host = new URL(BASE_URL).host;
    const me = await call("GET", "/me", { headers: { cookie } });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({ user: { email }, workspace: { id: w.id }, role: "admin", via: "user" });
    const body = { timezone: "Europe/Berlin" };
    const noOrigin = await call("PATCH", "/settings", { headers: { cookie, host }, body });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error.message).toMatch(/^origin: /);
    const evil = await call("PATCH", "/settings", { headers: { cookie, host, origin: "https://evil.example" }, body });
    expect(evil.status).toBe(403);
    const ok = await call("PATCH", "/settings", { headers: { cookie, host, origin: BASE_URL }, body });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.timezone).toBe("Europe/Berlin");
    const audit = await call("GET", "/audit", { key: w.members.viewer.key, query: { action: "settings.updated" } });
    expect(audit.body.items[0].actor).toMatchObject({ type: "user", id: user.id, label: email });
  });
});

describe("several workspaces", () => {
  it("a signed-in member of two workspaces switches between them; a stranger's workspace and a token cannot", async () => {
    const email = `multi-${randomBytes(4).toString("hex")}@example.test`;
    const cookie = await signIn(email, "correct horse battery");
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const other = await prisma.workspace.create({
      data: {
        id: `ws${randomBytes(6).toString("hex")}`,
        name: "Second Co",
        slug: `second-${randomBytes(4).toString("hex")}`,
        createdAt: new Date(),
      },
    });
    await prisma.member.create({
      data: {
        id: `m${randomBytes(6).toString("hex")}`,
        organizationId: w.id,
        userId: user.id,
        role: "viewer",
        createdAt: new Date(Date.now() - 60_000),
      },
    });
    await prisma.member.create({
      data: { id: `m${randomBytes(6).toString("hex")}`, organizationId: other.id, userId: user.id, role: "owner", createdAt: new Date() },
    });
    const headers = { cookie, host: new URL(BASE_URL).host, origin: BASE_URL };

    const before = await call("GET", "/me", { headers });
    expect(before.body).toMatchObject({ workspace: { id: w.id }, role: "viewer" });
    expect(before.body.workspaces.map((x: { id: string; role: string }) => [x.id, x.role])).toEqual([
      [w.id, "viewer"],
      [other.id, "owner"],
    ]);
    const switched = await call("POST", "/me/workspace", { headers, body: { workspaceId: other.id } });
    expect(switched.status, switched.text).toBe(200);
    expect(switched.body).toMatchObject({ workspace: { id: other.id, name: "Second Co" }, role: "owner" });
    // The session itself moved: the next request acts in the other workspace, with the role held there.
    expect((await call("GET", "/me", { headers })).body).toMatchObject({ workspace: { id: other.id }, role: "owner" });
    expect((await call("PATCH", "/settings", { headers, body: { timezone: "Asia/Tokyo" } })).status).toBe(200);
    expect(await prisma.workspaceSettings.findUnique({ where: { workspaceId: other.id } })).toMatchObject({ timezone: "Asia/Tokyo" });

    // Not a member there: 404, and the session stays where it was.
    const stranger = await call("POST", "/me/workspace", { headers, body: { workspaceId: "wsnotmine000" } });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.message).toMatch(/^workspaceId: /);
    expect((await call("GET", "/me", { headers })).body.workspace.id).toBe(other.id);
    expect((await call("POST", "/me/workspace", { headers, body: { workspaceId: w.id } })).body.workspace.id).toBe(w.id);

    // A token is bound to its workspace, and lists only that one.
    const t = await call("POST", "/me/workspace", { key: w.members.owner.key, body: { workspaceId: w.id } });
    expect(t.status).toBe(400);
    expect(t.body.error.message).toMatch(/^workspaceId: /);
    const tokenMe = await call("GET", "/me", { key: w.members.owner.key });
    expect(tokenMe.body.workspaces).toEqual([expect.objectContaining({ id: w.id })]);
    const bad = await call("POST", "/me/workspace", { headers, body: { workspaceId: 42 } });
    expect(bad.status).toBe(422);
  });
});

describe("API tokens", () => {
  it("is bound to its role, never above the issuer's, shown once, and dead once revoked", async () => {
    const tooHigh = await call("POST", "/tokens", { key: w.members.admin.key, body: { name: "x", role: "owner" } });
    expect(tooHigh.status).toBe(403);
    const t = await call("POST", "/tokens", { key: w.members.admin.key, body: { name: "ci-reader", role: "viewer", expiresInDays: 30 } });
    expect(t.status, t.text).toBe(201);
    expect(t.body.token).toMatch(/^ppt_/);
    expect(t.headers.get("cache-control")).toBe("no-store");
    const me = await call("GET", "/me", { key: t.body.token });
    expect(me.body).toMatchObject({ role: "viewer", via: "token" });
    expect((await call("POST", "/guardrails/{id}/enable", { key: t.body.token, params: { id: w.guardrailId } })).status).toBe(403);
    const list = await call("GET", "/tokens", { key: w.members.admin.key });
    const listed = list.body.items.find((x: { id: string }) => x.id === t.body.id);
    expect(listed).toMatchObject({ name: "ci-reader", role: "viewer", owner: { email: w.members.admin.email } });
    expect(JSON.stringify(list.body)).not.toContain(t.body.token);
    expect((await call("DELETE", "/tokens/{id}", { key: w.members.admin.key, params: { id: t.body.id } })).status).toBe(200);
    expect((await call("GET", "/me", { key: t.body.token })).status).toBe(401);
    // A token never outlives its owner's membership.
    await prisma.member.update({ where: { id: w.members.author.memberId }, data: { role: "viewer" } });
    expect((await call("GET", "/me", { key: w.members.author.key })).body.role).toBe("viewer");
    await prisma.member.update({ where: { id: w.members.author.memberId }, data: { role: "author" } });
  });
});

describe("members", () => {
  it("invites, changes roles within the caller's power, and never loses the last owner", async () => {
    const inv = await call("POST", "/invitations", { key: w.members.admin.key, body: { email: "Newbie@Example.test", role: "author" } });
    expect(inv.status, inv.text).toBe(201);
    expect(inv.body).toMatchObject({ email: "newbie@example.test", role: "author", status: "pending" });
    expect(
      (await call("POST", "/invitations", { key: w.members.admin.key, body: { email: "newbie@example.test", role: "author" } })).status,
    ).toBe(409);
    expect(
      (await call("POST", "/invitations", { key: w.members.admin.key, body: { email: "boss@example.test", role: "owner" } })).status,
    ).toBe(403);
    const members = await call("GET", "/members", { key: w.members.admin.key });
    expect(members.body.invitations.map((i: { email: string }) => i.email)).toContain("newbie@example.test");
    // Pending invitations are management data (issue 22): a viewer sees the members only.
    expect((await call("GET", "/members", { key: w.members.viewer.key })).body.invitations).toBeUndefined();
    expect(
      (
        await call("PATCH", "/members/{id}", {
          key: w.members.admin.key,
          params: { id: w.members.owner.memberId },
          body: { role: "viewer" },
        })
      ).status,
    ).toBe(403);
    const lastOwner = await call("PATCH", "/members/{id}", {
      key: w.members.owner.key,
      params: { id: w.members.owner.memberId },
      body: { role: "admin" },
    });
    expect(lastOwner.status).toBe(409);
    expect((await call("DELETE", "/members/{id}", { key: w.members.owner.key, params: { id: w.members.owner.memberId } })).status).toBe(
      409,
    );
    const promote = await call("PATCH", "/members/{id}", {
      key: w.members.admin.key,
      params: { id: w.members.viewer.memberId },
      body: { role: "approver" },
    });
    expect(promote.status).toBe(200);
    expect((await call("GET", "/me", { key: w.members.viewer.key })).body.role).toBe("viewer");
    await call("PATCH", "/members/{id}", { key: w.members.admin.key, params: { id: w.members.viewer.memberId }, body: { role: "viewer" } });
  });
});

describe("secrets", () => {
  it("never returns credentials; the event secret is shown once and stored sealed", async () => {
    const c = await call("GET", "/connections/{id}", { key: w.members.viewer.key, params: { id: w.connectionId } });
    expect(c.body.credentialHints).toEqual({
      kind: "assume-role",
      roleArn: "arn:aws:iam::111122223333:role/ParapetConnector",
      externalId: w.externalId,
    });
    expect(JSON.stringify(c.body)).not.toMatch(/credentialCiphertext|"ct"|"dk"/);
    const s = await call("POST", "/connections/{id}/event-secret", { key: w.members.admin.key, params: { id: w.connectionId } });
    expect(s.status).toBe(200);
    expect(s.body.url).toBe(`${BASE_URL}/api/v1/events/aws/${w.connectionId}`);
    const row = await prisma.connection.findUniqueOrThrow({ where: { id: w.connectionId } });
    expect(row.eventSecretCiphertext).not.toContain(s.body.secret);
    const wrongExternalId = await call("POST", "/connections/{id}/rotate-credentials", {
      key: w.members.admin.key,
      params: { id: w.connectionId },
      body: { credentials: { kind: "assume-role", roleArn: "arn:aws:iam::111122223333:role/Other", externalId: "chosen-by-me" } },
    });
    expect(wrongExternalId.status).toBe(422);
    expect(wrongExternalId.body.error.issues[0].field).toBe("credentials.externalId");
  });

  it("`parapet keys rotate` re-wraps every sealed secret under the new master key", async () => {
    const before = await prisma.connection.findUniqueOrThrow({ where: { id: w.connectionId } });
    expect(envelopeKeyId(before.credentialCiphertext!)).toBe("test-k1");
    const next = randomBytes(32).toString("base64");
    const saved = { key: process.env.PARAPET_MASTER_KEY, id: process.env.PARAPET_MASTER_KEY_ID, old: process.env.PARAPET_MASTER_KEYS_OLD };
    Object.assign(process.env, {
      PARAPET_MASTER_KEY: next,
      PARAPET_MASTER_KEY_ID: "test-k2",
      PARAPET_MASTER_KEYS_OLD: `test-k1:${MASTER_KEY}`,
    });
    let out = "";
    let err = "";
    try {
      const code = await runCli(["keys", "rotate", "--workspace", w.slug], { out: (t) => (out += t), err: (t) => (err += t) });
      expect(code, err).toBe(0);
      expect(await runCli(["keys", "rotate", "--workspace", w.slug], { out: () => undefined, err: () => undefined })).toBe(0);
    } finally {
      Object.assign(process.env, {
        PARAPET_MASTER_KEY: saved.key,
        PARAPET_MASTER_KEY_ID: saved.id,
        PARAPET_MASTER_KEYS_OLD: saved.old ?? "",
      });
    }
    expect(out).toMatch(/re-wrapped \d+ secrets under key "test-k2"/);
    const after = await prisma.connection.findUniqueOrThrow({ where: { id: w.connectionId } });
    expect(after.credentialKeyId).toBe("test-k2");
    expect(envelopeKeyId(after.credentialCiphertext!)).toBe("test-k2");
    const k2 = parseMasterKey("test-k2", next);
    const only = { current: k2, all: [k2] };
    expect(openCredentials(only, w.connectionId, after.credentialCiphertext!)).toMatchObject({
      kind: "assume-role",
      externalId: w.externalId,
    });
    expect(openEventSecret(only, w.connectionId, after.eventSecretCiphertext!)).toMatch(/^[\w-]{43}$/);
    const events = await prisma.auditEvent.findMany({ where: { workspaceId: w.id, action: "keys.rotated" } });
    expect(events).toHaveLength(1);
  });
});
