/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 20, tokens as clients expect: `Authorization: Bearer` alongside `x-api-key` (same checks, no
 * fall-through to the cookie), scopes (read, plan, apply) enforced in the one route wrapper, expiry,
 * last used, and the CI token type bound to one workspace. The per-route scope walk is in
 * routes.int.test.ts; these are the edges around it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, snapshot, type TestWorkspace } from "./harness.ts";
import { callAuth, callAuthInstance, memberSession } from "./auth-harness.ts";

const prisma = getPrisma();
let A: TestWorkspace;
let B: TestWorkspace;

beforeAll(async () => {
  A = await createWorkspace(prisma, "Scopes A");
  B = await createWorkspace(prisma, "Scopes B");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

async function issue(body: Record<string, unknown>, key = A.members.owner.key) {
  const r = await call("POST", "/tokens", { key, body });
  if (r.status !== 201) throw new Error(`token: ${r.status} ${r.text}`);
  return r.body as { id: string; token: string; scope: string; type: string; workspaceId: string };
}

describe("Authorization: Bearer", () => {
  it("is accepted like x-api-key and names the same caller", async () => {
    const viaKey = await call("GET", "/me", { key: A.members.author.key });
    const viaBearer = await call("GET", "/me", bearer(A.members.author.key));
    expect(viaBearer.status, viaBearer.text).toBe(200);
    expect(viaBearer.body.user).toEqual(viaKey.body.user);
    expect(viaBearer.body.role).toBe("author");
  });

  it("refuses a bad bearer, another scheme, and two different tokens; never falls back to the session cookie", async () => {
    const s = await memberSession(prisma, A.id, "owner");
    const before = await snapshot(prisma, A.id);
    const cases: [string, Record<string, string>][] = [
      ["bad bearer + cookie", { authorization: "Bearer ppt_nope", cookie: s.cookie }],
      ["basic + cookie", { authorization: "Basic dXNlcjpwYXNz", cookie: s.cookie }],
      ["empty bearer", { authorization: "Bearer " }],
      ["two tokens", { authorization: `Bearer ${A.members.owner.key}`, "x-api-key": A.members.viewer.key }],
    ];
    for (const [name, headers] of cases) {
      const r = await call("POST", "/guardrails", {
        headers,
        body: { controlId: "deny-leave-organization", name: "x", scope: { all: true }, mode: "audit", remediation: "notify" },
      });
      expect(r.status, `${name}: ${r.text}`).toBe(401);
      expect(r.body.error.code).toBe("unauthenticated");
    }
    const basic = await call("GET", "/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(basic.body.error.message).toMatch(/^authorization: /);
    expect(await snapshot(prisma, A.id)).toEqual(before);
  });

  it("a bearer token bound to workspace A cannot reach B's guardrails", async () => {
    const gB = await call("POST", "/guardrails", {
      key: B.members.owner.key,
      body: { controlId: "deny-leave-organization", name: "B only", scope: { all: true }, mode: "audit", remediation: "notify" },
    });
    expect(gB.status, gB.text).toBe(201);
    const beforeB = await snapshot(prisma, B.id);
    const read = await call("GET", "/guardrails/{id}", { ...bearer(A.members.owner.key), params: { id: gB.body.id } });
    expect(read.status).toBe(404);
    const patch = await call("PATCH", "/guardrails/{id}", {
      ...bearer(A.members.owner.key),
      params: { id: gB.body.id },
      body: { mode: "enforce" },
    });
    expect(patch.status).toBe(404);
    expect(await snapshot(prisma, B.id)).toEqual(beforeB);
  });
});

describe("scopes", () => {
  it("a read-only owner token reads but cannot write, by either header; a plan token only computes", async () => {
    const ro = await issue({ name: "ro", role: "owner", scope: "read" });
    const plan = await issue({ name: "plan", role: "owner", scope: "plan" });
    expect(ro.scope).toBe("read");
    expect((await call("GET", "/guardrails", bearer(ro.token))).status).toBe(200);
    const before = await snapshot(prisma, A.id);
    const body = { controlId: "deny-leave-organization", name: "nope", scope: { all: true }, mode: "audit", remediation: "notify" };
    const headerSets: Record<string, string>[] = [
      { "x-api-key": ro.token },
      { authorization: `Bearer ${ro.token}` },
      { "x-api-key": plan.token },
    ];
    for (const headers of headerSets) {
      const r = await call("POST", "/guardrails", { headers, body });
      expect(r.status, r.text).toBe(403);
      expect(r.body.error.message).toMatch(/^token scope: /);
    }
    // Minting a wider token is a write too.
    const mint = await call("POST", "/tokens", { key: ro.token, body: { name: "wider", role: "owner", scope: "apply" } });
    expect(mint.status).toBe(403);
    expect(await snapshot(prisma, A.id)).toEqual(before);
    // A plan token may call the routes that change nothing; a read token may not.
    const preview = { scope: { all: true } };
    expect((await call("POST", "/scope/preview", { key: plan.token, body: preview })).status).toBe(200);
    expect((await call("POST", "/scope/preview", { key: ro.token, body: preview })).status).toBe(403);
  });

  it("neither header reaches better-auth's own key endpoints", async () => {
    const ro = await issue({ name: "ro-auth", role: "owner", scope: "read" });
    const keysBefore = await prisma.apikey.count();
    for (const path of ["/api-key/create", "/api-key/update", "/api-key/delete"]) {
      expect((await callAuth("POST", path, { key: ro.token, body: { name: "x" } })).status).toBe(404);
      expect((await callAuthInstance("POST", path, { key: ro.token, body: { name: "x" } })).status).toBe(404);
    }
    expect(await prisma.apikey.count()).toBe(keysBefore);
  });

  it("a scope the server never wrote is read as read-only", async () => {
    const t = await issue({ name: "tampered", role: "owner", scope: "apply" });
    await prisma.apikey.update({
      where: { id: t.id },
      data: { metadata: JSON.stringify({ workspaceId: A.id, role: "owner", scope: "everything" }) },
    });
    const r = await call("DELETE", "/tokens/{id}", { key: t.token, params: { id: t.id } });
    expect(r.status).toBe(403);
  });
});

describe("expiry, last used, CI tokens", () => {
  it("an expired token is refused on both headers", async () => {
    const t = await issue({ name: "short", role: "viewer", scope: "read", expiresInDays: 1 });
    expect((await call("GET", "/me", bearer(t.token))).status).toBe(200);
    await prisma.apikey.update({ where: { id: t.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call("GET", "/me", bearer(t.token))).status).toBe(401);
    expect((await call("GET", "/me", { key: t.token })).status).toBe(401);
  });

  it("the list shows scope, type, workspace, expiry and last use", async () => {
    const t = await issue({ name: "listed", role: "author", scope: "plan", type: "ci", expiresInDays: 30 });
    expect(t.type).toBe("ci");
    expect(t.workspaceId).toBe(A.id);
    await call("GET", "/me", bearer(t.token));
    const list = await call("GET", "/tokens", { key: A.members.owner.key });
    const row = list.body.items.find((x: { id: string }) => x.id === t.id);
    expect(row).toMatchObject({ scope: "plan", type: "ci", workspaceId: A.id, role: "author" });
    expect(row.expiresAt).not.toBeNull();
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("a CI token must expire within 90 days; the refusal names the field", async () => {
    const before = await prisma.apikey.count();
    for (const body of [
      { name: "ci", role: "author", scope: "apply", type: "ci" },
      { name: "ci", role: "author", scope: "apply", type: "ci", expiresInDays: 200 },
    ]) {
      const r = await call("POST", "/tokens", { key: A.members.owner.key, body });
      expect(r.status, r.text).toBe(422);
      expect(r.body.error.message).toMatch(/^expiresInDays: /);
    }
    const bad = await call("POST", "/tokens", { key: A.members.owner.key, body: { name: "x", role: "author", scope: "admin" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/^scope: /);
    expect(await prisma.apikey.count()).toBe(before);
  });

  it("a token cannot launder itself: a CI token issues no token, an expiring one none that outlives it", async () => {
    const before = await prisma.apikey.count();
    const ci = await issue({ name: "ci-mint", role: "admin", scope: "apply", type: "ci", expiresInDays: 5 });
    const fromCi = await call("POST", "/tokens", { ...bearer(ci.token), body: { name: "forever", role: "viewer", scope: "read" } });
    expect(fromCi.status).toBe(403);
    expect(fromCi.body.error.message).toMatch(/^token: a CI token cannot issue tokens/);
    const short = await issue({ name: "short-mint", role: "admin", scope: "apply", expiresInDays: 5 });
    for (const body of [
      { name: "forever", role: "viewer", scope: "read" },
      { name: "longer", role: "viewer", scope: "read", expiresInDays: 30 },
    ]) {
      const r = await call("POST", "/tokens", { ...bearer(short.token), body });
      expect(r.status, r.text).toBe(403);
      expect(r.body.error.message).toMatch(/^expiresInDays: /);
    }
    expect(await prisma.apikey.count()).toBe(before + 2);
    const ok = await call("POST", "/tokens", {
      ...bearer(short.token),
      body: { name: "shorter", role: "viewer", scope: "read", expiresInDays: 1 },
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it("a CI token's actions are audited as a CI token", async () => {
    const t = await issue({ name: "pipeline", role: "author", scope: "apply", type: "ci", expiresInDays: 7 });
    const r = await call("POST", "/guardrails", {
      ...bearer(t.token),
      body: { controlId: "deny-leave-organization", name: "from ci", scope: { all: true }, mode: "audit", remediation: "notify" },
    });
    expect(r.status, r.text).toBe(201);
    const ev = await prisma.auditEvent.findFirst({ where: { workspaceId: A.id, action: "guardrail.created", targetId: r.body.id } });
    expect(JSON.stringify(ev)).toContain("CI token pipeline");
  });
});
