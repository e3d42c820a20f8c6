/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Sessions under control (issue 18), through the real handlers with real sessions: a member lists
 * their sessions (IP, device, last used, which one is current) and ends another, which is signed out
 * at its next request; nobody ends someone else's session by id; an admin ends every session of a
 * member, but not an owner's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, type TestWorkspace } from "./harness.ts";
import { callAuth, memberSession } from "./auth-harness.ts";

const prisma = getPrisma();
let w: TestWorkspace;
beforeAll(async () => {
  w = await createWorkspace(prisma, "Sessions");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

/** A second sign-in of the same account (another device). */
async function secondSession(email: string): Promise<string> {
  const r = await callAuth("POST", "/sign-in/email", { body: { email, password: "correct horse battery" } });
  expect(r.status, r.text).toBe(200);
  return r.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("sessions", () => {
  it("a member sees their sessions and ends another one, which is signed out at once", async () => {
    const me = await memberSession(prisma, w.id, "author");
    const laptop = await secondSession(me.email);
    const list = await call("GET", "/me/sessions", { headers: { cookie: me.cookie } });
    expect(list.status, list.text).toBe(200);
    expect(list.body.items).toHaveLength(2);
    expect(list.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    for (const s of list.body.items)
      expect(Object.keys(s).sort()).toEqual(["createdAt", "current", "expiresAt", "id", "ipAddress", "lastUsedAt", "userAgent"]);
    const other = list.body.items.find((s: { current: boolean }) => !s.current);
    expect((await call("GET", "/me", { headers: { cookie: laptop } })).status).toBe(200);

    const ended = await call("DELETE", "/me/sessions/{id}", {
      params: { id: other.id },
      headers: { cookie: me.cookie, origin: "http://127.0.0.1:3999", host: "127.0.0.1:3999" },
    });
    expect(ended.status, ended.text).toBe(200);
    expect((await call("GET", "/me", { headers: { cookie: laptop } })).status).toBe(401);
    expect((await call("GET", "/me", { headers: { cookie: me.cookie } })).status).toBe(200);
    expect(await prisma.auditEvent.count({ where: { workspaceId: w.id, action: "session.ended", targetId: other.id } })).toBe(1);
  });

  it("nobody ends someone else's session by its id", async () => {
    const victim = await memberSession(prisma, w.id, "viewer");
    const sid = (await prisma.session.findFirstOrThrow({ where: { userId: victim.userId } })).id;
    const r = await call("DELETE", "/me/sessions/{id}", { key: w.members.owner.key, params: { id: sid } });
    expect(r.status).toBe(404);
    expect((await call("GET", "/me", { headers: { cookie: victim.cookie } })).status).toBe(200);
  });

  it("an admin ends every session of a member; not an owner's", async () => {
    const target = await memberSession(prisma, w.id, "approver");
    const phone = await secondSession(target.email);
    const r = await call("DELETE", "/members/{id}/sessions", { key: w.members.admin.key, params: { id: target.memberId } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ memberId: target.memberId, ended: 2 });
    expect((await call("GET", "/me", { headers: { cookie: target.cookie } })).status).toBe(401);
    expect((await call("GET", "/me", { headers: { cookie: phone } })).status).toBe(401);

    const owner = await memberSession(prisma, w.id, "owner");
    const refused = await call("DELETE", "/members/{id}/sessions", { key: w.members.admin.key, params: { id: owner.memberId } });
    expect(refused.status).toBe(403);
    expect((await call("GET", "/me", { headers: { cookie: owner.cookie } })).status).toBe(200);
    const byOwner = await call("DELETE", "/members/{id}/sessions", { key: w.members.owner.key, params: { id: owner.memberId } });
    expect(byOwner.status).toBe(200);
    expect((await call("GET", "/me", { headers: { cookie: owner.cookie } })).status).toBe(401);
  });
});
