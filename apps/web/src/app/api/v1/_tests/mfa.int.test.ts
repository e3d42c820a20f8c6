/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * The second factor (issue 18), through the mounted /api/auth endpoints and the real /api/v1 handlers,
 * with codes computed per RFC 6238 (test-support/totp.ts): enrolment, sign-in that requires the code,
 * recovery codes, the workspace's "require MFA" rule on both session paths, the admin's reset (two
 * owners for an owner) and the audit events of each.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { verifySessionCookie } from "@parapet/core/identity/sessions";
import { secretOf, totp } from "../../../../../../../test-support/totp.ts";
import { auth } from "@/server/auth";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "./harness.ts";
import { callAuth, memberSession } from "./auth-harness.ts";

const prisma = getPrisma();
const PASSWORD = "correct horse battery";
const host = new URL(BASE_URL).host;
let W: TestWorkspace;

beforeAll(async () => {
  W = await createWorkspace(prisma, "MFA");
}, 120_000);

const cookiesOf = (h: Headers) =>
  h
    .getSetCookie()
    .filter((c) => !/Max-Age=0/i.test(c))
    .map((c) => c.split(";")[0])
    .join("; ");
const me = (cookie: string) => call("GET", "/me", { headers: { cookie, host, origin: BASE_URL } });
const actions = async (userId: string, action: string) =>
  prisma.auditEvent.count({ where: { workspaceId: W.id, action, targetId: userId } });

/** Enrols TOTP for a signed-in member; returns the base32 secret and the recovery codes. */
async function enrol(cookie: string): Promise<{ secret: string; codes: string[]; cookie: string }> {
  const started = await callAuth("POST", "/two-factor/enable", { cookie, body: { password: PASSWORD } });
  expect(started.status, started.text).toBe(200);
  const secret = secretOf(started.body.totpURI);
  const done = await callAuth("POST", "/two-factor/verify-totp", { cookie, body: { code: totp(secret) } });
  expect(done.status, done.text).toBe(200);
  // Enrolling replaces the session (better-auth issues a new one with the updated user).
  return { secret, codes: started.body.backupCodes, cookie: cookiesOf(done.headers) || cookie };
}

describe("enrolling a second factor", () => {
  it("needs the password, is finished by the first code, and is audited (a wrong code too)", async () => {
    const s = await memberSession(prisma, W.id, "author");
    const wrongPw = await callAuth("POST", "/two-factor/enable", { cookie: s.cookie, body: { password: "not the password!" } });
    expect(wrongPw.status).toBe(400);
    const started = await callAuth("POST", "/two-factor/enable", { cookie: s.cookie, body: { password: PASSWORD } });
    expect(started.status, started.text).toBe(200);
    expect(started.body.totpURI).toMatch(/^otpauth:\/\/totp\/Parapet:/);
    expect(started.body.backupCodes).toHaveLength(10);
    // Not enrolled until a code is entered.
    expect((await prisma.user.findUniqueOrThrow({ where: { id: s.userId } })).twoFactorEnabled).toBe(false);
    const secret = secretOf(started.body.totpURI);
    const wrong = await callAuth("POST", "/two-factor/verify-totp", {
      cookie: s.cookie,
      body: { code: "000000" === totp(secret) ? "111111" : "000000" },
    });
    expect(wrong.status).toBe(401);
    expect(await actions(s.userId, "auth.mfa_failed")).toBe(1);
    const ok = await callAuth("POST", "/two-factor/verify-totp", { cookie: s.cookie, body: { code: totp(secret) } });
    expect(ok.status, ok.text).toBe(200);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: s.userId } })).twoFactorEnabled).toBe(true);
    expect(await actions(s.userId, "auth.mfa_enrolled")).toBe(1);
    const status = await call("GET", "/me/mfa", { headers: { cookie: cookiesOf(ok.headers), host, origin: BASE_URL } });
    expect(status.status, status.text).toBe(200);
    expect(status.body).toEqual({ enabled: true, required: false, passwordUser: true });
  });
});

describe("signing in with a second factor", () => {
  it("the password alone gives no session; the right code does, a wrong one is refused and audited", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const { secret } = await enrol(s.cookie);
    const first = await callAuth("POST", "/sign-in/email", { body: { email: s.email, password: PASSWORD } });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ twoFactorRedirect: true, twoFactorMethods: ["totp"] });
    const pending = cookiesOf(first.headers);
    expect(pending).not.toMatch(/session_token=/);
    expect(pending).toMatch(/two_factor=/);
    // The challenge cookie is no session: the API refuses it.
    expect((await me(pending)).status).toBe(401);
    expect(await actions(s.userId, "auth.mfa_challenged")).toBe(1);

    const code = totp(secret);
    const bad = await callAuth("POST", "/two-factor/verify-totp", {
      cookie: pending,
      body: { code: code === "123456" ? "654321" : "123456" },
    });
    expect(bad.status).toBe(401);
    expect(await actions(s.userId, "auth.mfa_failed")).toBeGreaterThanOrEqual(1);

    const good = await callAuth("POST", "/two-factor/verify-totp", { cookie: pending, body: { code } });
    expect(good.status, good.text).toBe(200);
    const session = cookiesOf(good.headers);
    expect(session).toMatch(/session_token=/);
    expect((await me(session)).status).toBe(200);
    expect(await actions(s.userId, "auth.mfa_verified")).toBe(1);
  });

  it("a recovery code signs in once; used again it is refused", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const { codes } = await enrol(s.cookie);
    const signIn = async () =>
      cookiesOf((await callAuth("POST", "/sign-in/email", { body: { email: s.email, password: PASSWORD } })).headers);
    const first = await callAuth("POST", "/two-factor/verify-backup-code", { cookie: await signIn(), body: { code: codes[0] } });
    expect(first.status, first.text).toBe(200);
    expect((await me(cookiesOf(first.headers))).status).toBe(200);
    const again = await callAuth("POST", "/two-factor/verify-backup-code", { cookie: await signIn(), body: { code: codes[0] } });
    expect(again.status).toBe(401);
  });

  it("'trust this device' is not offered", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const { secret } = await enrol(s.cookie);
    const pending = cookiesOf((await callAuth("POST", "/sign-in/email", { body: { email: s.email, password: PASSWORD } })).headers);
    const r = await callAuth("POST", "/two-factor/verify-totp", { cookie: pending, body: { code: totp(secret), trustDevice: true } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^trustDevice:/);
  });
});

describe("a workspace that requires MFA", () => {
  it("stops a password user without a factor on every route and both session paths until they enrol; tokens are unaffected", async () => {
    const w = await createWorkspace(prisma, "MFA required");
    const s = await memberSession(prisma, w.id, "author");
    const on = await call("PATCH", "/settings", { key: w.members.owner.key, body: { requireMfa: true } });
    expect(on.status, on.text).toBe(200);
    expect(on.body.requireMfa).toBe(true);
    // Fast path: accepted as a session, but flagged.
    const fast = await verifySessionCookie(auth(), prisma, s.cookie);
    expect(fast).toMatchObject({ mfaEnrolmentRequired: true });
    const refused = await me(s.cookie);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/^mfa: /);
    expect((await call("GET", "/me/sessions", { headers: { cookie: s.cookie } })).status).toBe(403);
    // better-auth's path (a session due for its refresh is not the fast path's): the same answer.
    await prisma.session.updateMany({ where: { userId: s.userId }, data: { expiresAt: new Date(Date.now() + 2 * 86_400_000) } });
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).toBe("defer");
    expect((await me(s.cookie)).status).toBe(403);
    // Tokens (the workspace's machine credentials) keep working.
    expect((await call("GET", "/me", { key: w.members.author.key })).status).toBe(200);
    // Even their own MFA status waits: enrolment is the only way on.
    expect((await call("GET", "/me/mfa", { headers: { cookie: s.cookie } })).status).toBe(403);

    const { cookie } = await enrol(s.cookie);
    expect((await me(cookie)).status).toBe(200);
    const status = await call("GET", "/me/mfa", { headers: { cookie } });
    expect(status.body).toEqual({ enabled: true, required: true, passwordUser: true });
    // Turning it off is refused while a workspace requires it.
    const off = await callAuth("POST", "/two-factor/disable", { cookie, body: { password: PASSWORD } });
    expect(off.status).toBe(403);
    expect(off.body.code).toBe("MFA_REQUIRED");
    await call("PATCH", "/settings", { key: w.members.owner.key, body: { requireMfa: false } });
    const offNow = await callAuth("POST", "/two-factor/disable", { cookie, body: { password: PASSWORD } });
    expect(offNow.status, offNow.text).toBe(200);
    expect(await prisma.auditEvent.count({ where: { workspaceId: w.id, action: "auth.mfa_disabled", targetId: s.userId } })).toBe(1);
  });
});

describe("an admin resets a member's second factor", () => {
  it("below owner at once (factor gone, sessions ended, audited); never their own; not one without a factor", async () => {
    const s = await memberSession(prisma, W.id, "author");
    await enrol(s.cookie);
    const r = await call("POST", "/members/{id}/mfa/reset", { key: W.members.admin.key, params: { id: s.memberId } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ memberId: s.memberId, reset: true });
    expect(r.body.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(await prisma.twoFactor.count({ where: { userId: s.userId } })).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: s.userId } })).twoFactorEnabled).toBe(false);
    expect(await prisma.session.count({ where: { userId: s.userId } })).toBe(0);
    expect(await prisma.auditEvent.count({ where: { workspaceId: W.id, action: "member.mfa_reset", targetId: s.memberId } })).toBe(1);
    // The next password sign-in has no second step.
    const again = await callAuth("POST", "/sign-in/email", { body: { email: s.email, password: PASSWORD } });
    expect(again.status).toBe(200);
    expect(again.body.twoFactorRedirect).toBeUndefined();

    const twice = await call("POST", "/members/{id}/mfa/reset", { key: W.members.admin.key, params: { id: s.memberId } });
    expect(twice.status).toBe(409);
    const self = await call("POST", "/members/{id}/mfa/reset", { key: W.members.admin.key, params: { id: W.members.admin.memberId } });
    expect(self.status).toBe(403);
  });

  it("an owner's needs a second owner: an admin cannot, an owner requests, neither the requester nor an admin approves, another owner does", async () => {
    const ownerS = await memberSession(prisma, W.id, "owner");
    await enrol(ownerS.cookie);
    const byAdmin = await call("POST", "/members/{id}/mfa/reset", { key: W.members.admin.key, params: { id: ownerS.memberId } });
    expect(byAdmin.status).toBe(403);
    // A second owner with a token, a member from before the request.
    const { auth: a } = await import("@/server/auth");
    const uid = `u${randomBytes(6).toString("hex")}`;
    await prisma.user.create({ data: { id: uid, name: "owner two", email: `owner2-${uid}@example.test`, emailVerified: true } });
    await prisma.member.create({
      data: { id: `m${uid}`, organizationId: W.id, userId: uid, role: "owner", createdAt: new Date(Date.now() - 60_000) },
    });
    const owner2 = (
      await a().api.createApiKey({
        body: { userId: uid, name: "o2", metadata: { workspaceId: W.id, role: "owner" }, rateLimitEnabled: false },
      })
    ).key;

    const req = await call("POST", "/members/{id}/mfa/reset", { key: W.members.owner.key, params: { id: ownerS.memberId } });
    expect(req.status, req.text).toBe(202);
    expect(req.body.approval).toMatchObject({
      action: "member.mfa_reset",
      subjectType: "member",
      subjectId: ownerS.memberId,
      status: "pending",
    });
    expect(await prisma.twoFactor.count({ where: { userId: ownerS.userId } })).toBe(1);
    const id = req.body.approval.id as string;
    const bySelf = await call("POST", "/approvals/{id}/approve", { key: W.members.owner.key, params: { id }, body: {} });
    expect(bySelf.status).toBe(403);
    const byAdminApprove = await call("POST", "/approvals/{id}/approve", { key: W.members.admin.key, params: { id }, body: {} });
    expect(byAdminApprove.status).toBe(403);
    expect(await prisma.twoFactor.count({ where: { userId: ownerS.userId } })).toBe(1);
    const ok = await call("POST", "/approvals/{id}/approve", { key: owner2, params: { id }, body: {} });
    expect(ok.status, ok.text).toBe(200);
    expect(await prisma.twoFactor.count({ where: { userId: ownerS.userId } })).toBe(0);
    expect(await prisma.session.count({ where: { userId: ownerS.userId } })).toBe(0);
    expect(await prisma.auditEvent.count({ where: { workspaceId: W.id, action: "approval.approved", targetId: id } })).toBe(1);
  });
});

describe("session lifetime and idle timeout", () => {
  it("an idle session is ended on the fast path's defer and better-auth's accept alike; a used one is touched", async () => {
    const w = await createWorkspace(prisma, "Idle");
    const s = await memberSession(prisma, w.id, "viewer");
    const set = await call("PATCH", "/settings", { key: w.members.owner.key, body: { idleTimeoutMinutes: 15, sessionLifetimeHours: 8 } });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ idleTimeoutMinutes: 15, sessionLifetimeHours: 8 });
    // 5 minutes idle: accepted on the fast path, and the idle clock moves.
    await prisma.session.updateMany({ where: { userId: s.userId }, data: { lastSeenAt: new Date(Date.now() - 5 * 60_000) } });
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).not.toBe("defer");
    const seen = (await prisma.session.findFirstOrThrow({ where: { userId: s.userId } })).lastSeenAt.getTime();
    expect(Date.now() - seen).toBeLessThan(10_000);
    // 16 minutes idle: the fast path defers and better-auth's accept is overruled: the session is ended.
    await prisma.session.updateMany({ where: { userId: s.userId }, data: { lastSeenAt: new Date(Date.now() - 16 * 60_000) } });
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).toBe("defer");
    const r = await me(s.cookie);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/idle/);
    expect(await prisma.session.count({ where: { userId: s.userId } })).toBe(0);
  });

  it("a session past the workspace's lifetime is ended, whatever its sliding expiry", async () => {
    const w = await createWorkspace(prisma, "Lifetime");
    const s = await memberSession(prisma, w.id, "viewer");
    await call("PATCH", "/settings", { key: w.members.owner.key, body: { sessionLifetimeHours: 1 } });
    expect((await me(s.cookie)).status).toBe(200);
    await prisma.session.updateMany({ where: { userId: s.userId }, data: { createdAt: new Date(Date.now() - 61 * 60_000) } });
    const r = await me(s.cookie);
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/lifetime/);
    // …and on better-auth's own endpoints too (enrolment needs a session within the rules).
    const t = await memberSession(prisma, w.id, "viewer");
    await prisma.session.updateMany({ where: { userId: t.userId }, data: { createdAt: new Date(Date.now() - 61 * 60_000) } });
    const en = await callAuth("POST", "/two-factor/enable", { cookie: t.cookie, body: { password: PASSWORD } });
    expect(en.status).toBe(401);
    expect(await prisma.twoFactor.count({ where: { userId: t.userId } })).toBe(0);
  });

  it("refuses settings outside their bounds, naming the field, and changes nothing", async () => {
    const w = await createWorkspace(prisma, "Bounds");
    for (const body of [{ idleTimeoutMinutes: 1 }, { sessionLifetimeHours: 0 }, { sessionLifetimeHours: 10_000 }, { requireMfa: "yes" }]) {
      const r = await call("PATCH", "/settings", { key: w.members.owner.key, body });
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.error.message).toContain(Object.keys(body)[0]);
    }
    expect(await prisma.workspaceSettings.count({ where: { workspaceId: w.id } })).toBe(0);
    const author = await call("PATCH", "/settings", { key: w.members.author.key, body: { requireMfa: true } });
    expect(author.status).toBe(403);
  });
});

describe("a member's own API tokens", () => {
  it("lists only the caller's, and revokes only the caller's", async () => {
    const mine = await call("GET", "/me/tokens", { key: W.members.author.key });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.items.map((t: { owner: { id: string } }) => t.owner.id)).toEqual([W.members.author.userId]);
    expect(mine.body.items[0]).toMatchObject({ name: "author key", lastUsedAt: expect.any(String) });
    const others = await call("GET", "/tokens", { key: W.members.owner.key });
    const viewerToken = others.body.items.find((t: { owner: { id: string } }) => t.owner.id === W.members.viewer.userId);
    const notMine = await call("DELETE", "/me/tokens/{id}", { key: W.members.author.key, params: { id: viewerToken.id } });
    expect(notMine.status).toBe(404);
    const { auth: a } = await import("@/server/auth");
    const spare = await a().api.createApiKey({
      body: { userId: W.members.author.userId, name: "spare", metadata: { workspaceId: W.id, role: "author" }, rateLimitEnabled: false },
    });
    const revoked = await call("DELETE", "/me/tokens/{id}", { key: W.members.author.key, params: { id: spare.id } });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await call("GET", "/me", { key: spare.key })).status).toBe(401);
  });
});
