/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * The route matrix's escalation rows (issue 22): for each role, signed in (session cookie) and as an API
 * token scoped to it, nothing that role may not do is reachable through any route, Parapet's or the auth
 * library's. routes.int.test.ts walks every /api/v1 route with each member's own token; this walks them
 * again with sessions and with an owner's narrowed tokens (a token scoped below its owner's role must act
 * as the scope), then tries the escalations themselves: promote yourself, invite or mint above your role,
 * join or switch into a foreign workspace, and every state-changing better-auth endpoint.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { can, type Role } from "@parapet/core";
import { atLeast } from "@parapet/core/members/role-order";
import { API_ROUTES } from "@parapet/core/openapi/routes";
import { BASE_URL, call, createWorkspace, ROLE_LIST, snapshot, type CallOptions, type TestWorkspace } from "./harness.ts";
import { callAuth, memberSession } from "./auth-harness.ts";
import { hasId, idFor, routeKey, VALID_BODY, VALID_QUERY } from "./bad-input.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let A: World;
let B: TestWorkspace;

/** Someone acting in workspace A with an effective role: a signed-in member, or an owner's token narrowed to the role. */
interface Principal {
  name: string;
  role: Role;
  /** How to authenticate a /api/v1 call, and a /api/auth call. */
  v1: Pick<CallOptions, "key" | "headers">;
  auth: { cookie?: string; key?: string };
  kind: "session" | "token";
  /** The member row the principal acts through (its own, or the token owner's). */
  memberId: string;
  sessionToken?: string;
}
const principals: Principal[] = [];

beforeAll(async () => {
  A = await createWorld(prisma, "Escalation");
  B = await createWorkspace(prisma, "Foreign");
  const host = new URL(BASE_URL).host;
  for (const role of ROLE_LIST) {
    const s = await memberSession(prisma, A.id, role);
    const token = decodeURIComponent(/session_token=([^;]+)/.exec(s.cookie)![1]!).split(".")[0]!;
    principals.push({
      name: `${role} session`,
      role,
      v1: { headers: { cookie: s.cookie, host, origin: BASE_URL } },
      auth: { cookie: s.cookie },
      kind: "session",
      memberId: s.memberId,
      sessionToken: token,
    });
    const t = await call("POST", "/tokens", { key: A.members.owner.key, body: { name: `owner as ${role}`, role } });
    if (t.status !== 201) throw new Error(`token for ${role}: ${t.text}`);
    principals.push({
      name: `owner's ${role}-scoped token`,
      role,
      v1: { key: t.body.token as string },
      auth: { key: t.body.token as string },
      kind: "token",
      memberId: A.members.owner.memberId,
    });
  }
}, 180_000);
afterAll(async () => {
  await prisma.$disconnect();
});

/** Everything an escalation could touch, in both workspaces and globally. */
async function state() {
  return {
    a: await snapshot(prisma, A.id),
    b: await snapshot(prisma, B.id),
    workspaces: await prisma.workspace.count(),
    keys: await prisma.apikey.count(),
    sessions: (await prisma.session.findMany({ select: { id: true, activeOrganizationId: true }, orderBy: { id: "asc" } })).map(
      (s) => `${s.id}:${s.activeOrganizationId}`,
    ),
  };
}

describe("escalation rows: sessions and narrowed tokens on every /api/v1 route", () => {
  it("every guarded route answers 403 to each principal whose effective role lacks the permission, changing nothing", async () => {
    const before = await state();
    const wrong: string[] = [];
    let sent = 0;
    for (const r of API_ROUTES.filter((x) => !x.public && x.permission)) {
      for (const p of principals.filter((x) => !can(x.role, r.permission![0], r.permission![1] as never))) {
        const res = await call(r.method, r.path, {
          ...p.v1,
          params: hasId(r) ? { id: idFor(A, r.path) } : {},
          query: VALID_QUERY[routeKey(r)]?.(A) ?? {},
          ...(r.body ? { body: VALID_BODY[routeKey(r)]!(A) } : {}),
        });
        sent++;
        if (res.status !== 403) wrong.push(`${routeKey(r)} as ${p.name}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect(await state()).toEqual(before);
  });

  it("a narrowed token reports its scope, never its owner's role", async () => {
    for (const p of principals) {
      const me = await call("GET", "/me", p.v1);
      expect(me.status, p.name).toBe(200);
      expect(me.body, p.name).toMatchObject({ role: p.role, workspace: { id: A.id }, via: p.kind === "session" ? "user" : "token" });
    }
  });
});

describe("escalation rows: the escalations themselves", () => {
  it.each(ROLE_LIST.flatMap((role) => [`${role} session`, `owner's ${role}-scoped token`]))(
    "%s: no promotion, no invitation or token above its role, no foreign workspace, no auth-library write",
    async (name) => {
      const p = principals.find((x) => x.name === name)!;
      const before = await state();
      const refused: [string, number, number][] = [];
      const expectStatus = (what: string, got: number, want: number) => got !== want && refused.push([what, got, want]);

      if (p.role !== "owner") {
        // Promote yourself (or the member behind the token) to owner, and invite or mint an owner.
        expectStatus(
          "PATCH /members/{self} owner",
          (await call("PATCH", "/members/{id}", { ...p.v1, params: { id: p.memberId }, body: { role: "owner" } })).status,
          403,
        );
        expectStatus(
          "PATCH /members/{other} owner",
          (await call("PATCH", "/members/{id}", { ...p.v1, params: { id: A.members.viewer.memberId }, body: { role: "owner" } })).status,
          403,
        );
        expectStatus(
          "POST /invitations owner",
          (
            await call("POST", "/invitations", {
              ...p.v1,
              body: { email: `up-${randomBytes(3).toString("hex")}@example.test`, role: "owner" },
            })
          ).status,
          403,
        );
        expectStatus("POST /tokens owner", (await call("POST", "/tokens", { ...p.v1, body: { name: "up", role: "owner" } })).status, 403);
      }
      for (const higher of ROLE_LIST.filter((r) => !atLeast(p.role, r))) {
        expectStatus(
          `POST /tokens ${higher}`,
          (await call("POST", "/tokens", { ...p.v1, body: { name: "up", role: higher } })).status,
          403,
        );
      }
      // Into a workspace that is not yours: a session gets "not found", a token may not switch at all.
      expectStatus(
        "POST /me/workspace foreign",
        (await call("POST", "/me/workspace", { ...p.v1, body: { workspaceId: B.id } })).status,
        p.kind === "session" ? 404 : 400,
      );

      // The auth library's own doors: every one is closed (404), whatever the body.
      const door = (path: string, body: unknown) => callAuth("POST", path, { ...p.auth, body });
      const doors: [string, unknown][] = [
        ["/organization/set-active", { organizationId: B.id }],
        ["/organization/update-member-role", { memberId: p.memberId, role: "owner", organizationId: A.id }],
        [
          "/organization/invite-member",
          { email: `door-${randomBytes(3).toString("hex")}@example.test`, role: "owner", organizationId: A.id },
        ],
        ["/organization/accept-invitation", { invitationId: A.invitationId }],
        ["/organization/cancel-invitation", { invitationId: A.invitationId }],
        ["/organization/remove-member", { memberIdOrEmail: A.members.owner.email, organizationId: A.id }],
        ["/organization/leave", { organizationId: A.id }],
        ["/organization/create", { name: "Mine", slug: `mine-${randomBytes(3).toString("hex")}` }],
        ["/organization/update", { organizationId: A.id, data: { name: "Pwned" } }],
        ["/organization/delete", { organizationId: A.id }],
        ["/api-key/create", { name: "minted", metadata: { workspaceId: A.id, role: "owner" } }],
        ["/api-key/update", { keyId: A.tokenId, metadata: { workspaceId: A.id, role: "owner" } }],
        ["/api-key/delete", { keyId: A.tokenId }],
        [
          "/sign-up/email",
          { email: `door-${randomBytes(3).toString("hex")}@example.test`, password: "a long enough password", name: "Eve" },
        ],
        ["/update-session", { activeOrganizationId: B.id }],
        ["/update-user", { name: "Renamed" }],
        ["/change-email", { newEmail: `door-${randomBytes(3).toString("hex")}@example.test` }],
        ["/change-password", { currentPassword: "correct horse battery", newPassword: "another long password" }],
        ["/revoke-sessions", {}],
        ["/delete-user", {}],
      ];
      for (const [path, body] of doors) expectStatus(path, (await door(path, body)).status, 404);

      expect(refused).toEqual([]);
      expect(await state()).toEqual(before);
      expect((await call("GET", "/me", p.v1)).body).toMatchObject({ role: p.role, workspace: { id: A.id } });
    },
  );

  it("a session pointed at a foreign workspace (however it got there) acts in its own workspace with its own role", async () => {
    const p = principals.find((x) => x.name === "viewer session")!;
    await prisma.session.update({ where: { token: p.sessionToken! }, data: { activeOrganizationId: B.id } });
    try {
      const me = await call("GET", "/me", p.v1);
      expect(me.body).toMatchObject({ workspace: { id: A.id }, role: "viewer" });
      const before = await snapshot(prisma, B.id);
      expect((await call("PATCH", "/settings", { ...p.v1, body: { timezone: "Asia/Tokyo" } })).status).toBe(403);
      expect(await snapshot(prisma, B.id)).toEqual(before);
    } finally {
      await prisma.session.update({ where: { token: p.sessionToken! }, data: { activeOrganizationId: null } });
    }
  });
});
