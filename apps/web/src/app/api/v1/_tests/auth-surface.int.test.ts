/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 22, findings 1 and 2, replayed through the real handlers (the /api/auth mount and /api/v1), and
 * the /api/auth allow-list: every endpoint the auth instance defines (core and plugins, enumerated from
 * the instance itself, so a plugin upgrade's new endpoint shows up here) is either deliberately exposed
 * or answers 404, at the mount and inside the instance.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { AUTH_HTTP_EXPOSED, isExposedAuthRequest } from "@parapet/core/identity/http-surface";
import { BASE_URL, call, createWorkspace, snapshot, type TestWorkspace } from "./harness.ts";
import { callAuth, callAuthInstance, memberSession, signedIn } from "./auth-harness.ts";

const prisma = getPrisma();
let w: TestWorkspace;
beforeAll(async () => {
  w = await createWorkspace(prisma, "Surface");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const email = (p: string) => `${p}-${randomBytes(4).toString("hex")}@example.test`;
const sameOrigin = (cookie: string) => ({ cookie, host: new URL(BASE_URL).host, origin: BASE_URL });

describe("finding 1: membership changes only through Parapet's use-cases", () => {
  it("pending invitations (and their ids) are shown to admins and owners only", async () => {
    const inv = await call("POST", "/invitations", { key: w.members.owner.key, body: { email: email("listed"), role: "author" } });
    expect(inv.status, inv.text).toBe(201);
    for (const role of ["viewer", "approver", "author"] as const) {
      const r = await call("GET", "/members", { key: w.members[role].key });
      expect(r.status).toBe(200);
      expect(r.body.invitations, role).toBeUndefined();
      expect(r.text, role).not.toContain(inv.body.id);
    }
    for (const role of ["admin", "owner"] as const) {
      const r = await call("GET", "/members", { key: w.members[role].key });
      expect(
        r.body.invitations.map((i: { id: string }) => i.id),
        role,
      ).toContain(inv.body.id);
    }
  });

  it("the probe: the invited address's account cannot accept an owner invitation by its id through better-auth", async () => {
    const to = email("invited-owner");
    const inv = await call("POST", "/invitations", { key: w.members.owner.key, body: { email: to, role: "owner" } });
    expect(inv.status, inv.text).toBe(201);
    // The attacker controls an account with the invited address (sign-up is closed over HTTP, see below:
    // here it is made in-process) and knows the id (audit targetId, or a listing before this fix).
    const { cookie, userId } = await signedIn(to);
    // A viewer still reads the id in the audit log (the chain is exported and verified as written), so the
    // id must be worth nothing on its own: Parapet's accept wants the signed link, not the id.
    const audit = await call("GET", "/audit", { key: w.members.viewer.key, query: { action: "member.invited" } });
    expect(audit.body.items.map((e: { targetId: string }) => e.targetId)).toContain(inv.body.id);
    const byId = await call("POST", "/invitations/accept", { body: { token: inv.body.id, password: "correct horse battery" } });
    expect(byId.status, byId.text).toBe(422);
    const before = await snapshot(prisma, w.id);
    const accepted = await callAuth("POST", "/organization/accept-invitation", { cookie, body: { invitationId: inv.body.id } });
    expect(accepted.status, accepted.text).toBe(404);
    // The instance itself refuses too (whoever mounts its handler).
    expect(
      (await callAuthInstance("POST", "/organization/accept-invitation", { cookie, body: { invitationId: inv.body.id } })).status,
    ).toBe(404);
    expect(await prisma.member.findFirst({ where: { organizationId: w.id, userId } })).toBeNull();
    expect((await prisma.invitation.findUniqueOrThrow({ where: { id: inv.body.id } })).status).toBe("pending");
    expect(await snapshot(prisma, w.id)).toEqual(before);
  });

  it("nobody signs up over HTTP (accounts come from an invitation link); nor invites, promotes, or creates workspaces through better-auth", async () => {
    const to = email("signup");
    const up = await callAuth("POST", "/sign-up/email", { body: { email: to, password: "a long enough password", name: "Eve" } });
    expect(up.status, up.text).toBe(404);
    expect(await prisma.user.count({ where: { email: to } })).toBe(0);

    const admin = await memberSession(prisma, w.id, "admin");
    const before = await snapshot(prisma, w.id);
    const workspaces = await prisma.workspace.count();
    const attempts: [string, unknown][] = [
      ["/organization/invite-member", { email: email("sock"), role: "owner", organizationId: w.id }],
      ["/organization/update-member-role", { memberId: admin.memberId, role: "owner", organizationId: w.id }],
      ["/organization/remove-member", { memberIdOrEmail: w.members.owner.email, organizationId: w.id }],
      ["/organization/create", { name: "Mine", slug: `mine-${randomBytes(3).toString("hex")}` }],
      ["/organization/update", { organizationId: w.id, data: { name: "Pwned" } }],
      ["/organization/delete", { organizationId: w.id }],
    ];
    for (const [path, body] of attempts) {
      const r = await callAuth("POST", path, { cookie: admin.cookie, body });
      expect(r.status, `${path}: ${r.text}`).toBe(404);
    }
    expect(await snapshot(prisma, w.id)).toEqual(before);
    expect(await prisma.workspace.count()).toBe(workspaces);
  });
});

describe("finding 2: API tokens only through Parapet's token use-case", () => {
  it("the probe: a viewer-scoped token neither acts as its owner's session nor mints or widens keys", async () => {
    const t = await call("POST", "/tokens", { key: w.members.owner.key, body: { name: "ci-reader", role: "viewer" } });
    expect(t.status, t.text).toBe(201);
    const viewerToken = t.body.token as string;
    const keys = await prisma.apikey.count();
    const minted = await callAuth("POST", "/api-key/create", {
      key: viewerToken,
      body: { name: "escalated", metadata: { workspaceId: w.id, role: "owner" } },
    });
    expect(minted.status, minted.text).toBe(404);
    const widened = await callAuth("POST", "/api-key/update", {
      key: viewerToken,
      body: { keyId: t.body.id, metadata: { workspaceId: w.id, role: "owner" } },
    });
    expect(widened.status, widened.text).toBe(404);
    expect(await prisma.apikey.count()).toBe(keys);
    expect((await call("GET", "/me", { key: viewerToken })).body.role).toBe("viewer");

    // Not a session anywhere in better-auth, not even in-process (the pages read sessions this way).
    const { auth } = await import("@/server/auth");
    expect(await auth().api.getSession({ headers: new Headers({ "x-api-key": viewerToken }) })).toBeNull();
    expect((await callAuth("GET", "/get-session", { key: viewerToken })).status).toBe(404);
  });

  it("a viewer's session cannot mint keys: not through better-auth, not through /api/v1/tokens", async () => {
    const viewer = await memberSession(prisma, w.id, "viewer");
    const keys = await prisma.apikey.count();
    const minted = await callAuth("POST", "/api-key/create", {
      cookie: viewer.cookie,
      body: { name: "mine", metadata: { workspaceId: w.id, role: "viewer" } },
    });
    expect(minted.status, minted.text).toBe(404);
    const viaApi = await call("POST", "/tokens", { headers: sameOrigin(viewer.cookie), body: { name: "mine", role: "viewer" } });
    expect(viaApi.status, viaApi.text).toBe(403);
    expect(await prisma.apikey.count()).toBe(keys);
  });

  it("a key without a role (not issued by Parapet) acts as a viewer, never as its owner", async () => {
    const { auth } = await import("@/server/auth");
    const k = await auth().api.createApiKey({
      body: { userId: w.members.owner.userId, name: "role-less", metadata: { workspaceId: w.id }, rateLimitEnabled: false },
    });
    const me = await call("GET", "/me", { key: k.key });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({ role: "viewer", via: "token" });
    expect((await call("GET", "/tokens", { key: k.key })).status).toBe(403);
  });
});

interface EndpointDef {
  path?: string;
  options?: { method?: string | string[]; metadata?: { SERVER_ONLY?: boolean } };
}

/** Every HTTP (method, path) the auth instance defines, from its own endpoint definitions. */
async function definedEndpoints(): Promise<{ name: string; method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string }[]> {
  const { auth } = await import("@/server/auth");
  const out: { name: string; method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string }[] = [];
  for (const [name, ep] of Object.entries(auth().api as unknown as Record<string, EndpointDef>)) {
    // Endpoints without a path (setPassword, addMember, verifyApiKey, …) are server-only: no HTTP route reaches them.
    if (!ep.path) continue;
    const declared = ep.options?.method ?? "GET";
    const methods = (Array.isArray(declared) ? declared : declared === "*" ? ["GET", "POST", "PUT", "PATCH", "DELETE"] : [declared]) as (
      "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
    )[];
    for (const method of methods) out.push({ name, method, path: ep.path.replace(/:(\w+)/g, "sample-$1") });
  }
  return out;
}

// Listed paths may hold a `:param` segment (the SSO callbacks): the same matcher the gate uses decides.
const exposed = (method: string, path: string) => isExposedAuthRequest(method, `${BASE_URL}/api/auth${path}`);
const sample = (path: string) => path.replace(/:(\w+)/g, "sample-$1");

describe("the /api/auth allow-list", () => {
  it("every endpoint the auth instance defines is deliberately exposed (listed, with why) or answers 404, at the mount and in the instance", async () => {
    const all = await definedEndpoints();
    // The organization and api-key plugins are loaded: the enumeration sees their endpoints.
    expect(all.map((e) => e.path)).toEqual(
      expect.arrayContaining(["/organization/accept-invitation", "/api-key/create", "/sign-up/email", "/sign-in/email"]),
    );
    expect(all.length).toBeGreaterThan(40);
    const owner = await memberSession(prisma, w.id, "owner");
    const opened: string[] = [];
    for (const e of all) {
      if (exposed(e.method, e.path)) continue;
      // Anonymous, with a session and with a key: none of them changes the answer.
      for (const o of [{}, { cookie: owner.cookie }, { key: w.members.owner.key }]) {
        const mounted = await callAuth(e.method, e.path, { ...o, body: {} });
        const inside = await callAuthInstance(e.method, e.path, { ...o, body: {} });
        if (mounted.status !== 404 || inside.status !== 404)
          opened.push(`${e.method} ${e.path} (${e.name}): mount ${mounted.status}, instance ${inside.status}`);
      }
    }
    expect(opened).toEqual([]);
  });

  it("every listed entry is a real endpoint of the instance, has a reason, and is served", async () => {
    const all = await definedEndpoints();
    for (const e of AUTH_HTTP_EXPOSED) {
      expect(
        all.some((d) => d.method === e.method && d.path === sample(e.path)),
        `${e.method} ${e.path}`,
      ).toBe(true);
      expect(e.why.length).toBeGreaterThan(10);
      const r = await callAuth(e.method, sample(e.path), { body: {} });
      expect(r.status, `${e.method} ${e.path}: ${r.text}`).not.toBe(404);
    }
    const who = email("listed");
    const { cookie } = await signedIn(who);
    const out = await callAuth("POST", "/sign-out", { cookie });
    expect(out.status, out.text).toBe(200);
  });

  it("paths the router would normalise onto an endpoint, unknown paths and other methods answer 404", async () => {
    const owner = await memberSession(prisma, w.id, "owner");
    const tricks = [
      "//organization/accept-invitation",
      "/organization/accept-invitation/",
      "/organization%2Faccept-invitation",
      "/Organization/Accept-Invitation",
      "/organization//accept-invitation",
      "/api-key/create/",
      "//api-key/create",
      "/sign-in/email/",
      "//sign-up/email",
      "/sso/callback/x/y",
      "/sso/callback/",
      "/sso/callback/a%2Fb",
      "/sso/saml2/sp/acs/../../register",
      "/sso/register",
      "/no-such-endpoint",
      "",
    ];
    for (const path of tricks) {
      const r = await callAuth("POST", path, { cookie: owner.cookie, body: { invitationId: "x", name: "k" } });
      expect(r.status, path).toBe(404);
      expect(
        (await callAuthInstance("POST", path, { cookie: owner.cookie, body: { invitationId: "x", name: "k" } })).status,
        `instance ${path}`,
      ).toBe(404);
    }
    for (const m of ["GET", "PUT", "PATCH", "DELETE"] as const) expect((await callAuth(m, "/sign-in/email")).status, m).toBe(404);
  });
});
