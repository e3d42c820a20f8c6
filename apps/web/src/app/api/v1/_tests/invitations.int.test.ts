/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Invitations end to end through the route handlers: the inviter gets a signed link once, the invited
 * address another by e-mail; the e-mailed link's holder creates the account (verified: the mailbox
 * answered) and joins with the invited role; an existing account signs in first and accepts with its
 * session. The inviter's copy never creates an account nor verifies one (issue 22, finding 7), and no
 * answer tells the inviter whether the address has an account (finding 8). Forged, withdrawn, expired
 * and used links are refused with a clear 4xx and change nothing.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { signInvitationToken } from "@parapet/core/members/invitation-token";
import { BASE_URL, call, createWorkspace, snapshot, type TestWorkspace } from "./harness.ts";

const prisma = getPrisma();
let w: TestWorkspace;
beforeAll(async () => {
  w = await createWorkspace(prisma, "Invites");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const email = (p: string) => `${p}-${randomBytes(4).toString("hex")}@example.test`;
const tokenOf = (url: string) => new URL(url).searchParams.get("token")!;

async function invite(to: string, role = "author") {
  const r = await call("POST", "/invitations", { key: w.members.admin.key, body: { email: to, role } });
  expect(r.status, r.text).toBe(201);
  expect(r.body.inviteUrl).toMatch(/^http:\/\/127\.0\.0\.1:3999\/invite\?token=v1\./);
  const id = r.body.id as string;
  // `token` is the inviter's copy; `mailed` the one the worker e-mails (invitation-email.int.test.ts).
  return { id, token: tokenOf(r.body.inviteUrl as string), mailed: signInvitationToken(process.env.PARAPET_AUTH_SECRET!, id, "mailed") };
}

/** Signs in through the app's better-auth route; the session cookie and the headers a same-origin page sends. */
async function session(email: string, password: string) {
  const { POST } = (await import("../../auth/[...all]/route.ts")) as { POST: (req: Request) => Promise<Response> };
  const res = await POST(
    new Request(`${BASE_URL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE_URL },
      body: JSON.stringify({ email, password }),
    }),
  );
  expect(res.status).toBe(200);
  return {
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
    origin: BASE_URL,
    host: new URL(BASE_URL).host,
  };
}

async function signUp(email: string, password: string) {
  const { auth } = await import("@/server/auth");
  await auth().api.signUpEmail({ body: { email, password, name: "Eve Existing" } });
}

describe("invitations", () => {
  it("a new person opens the e-mailed link, creates the account (verified) and joins with the invited role", async () => {
    const to = email("new");
    const { token, mailed } = await invite(to, "approver");
    // The link is not listed again: it is a credential.
    const listed = await call("GET", "/members", { key: w.members.admin.key });
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const look = await call("GET", "/invitations/lookup", { query: { token: mailed } });
    expect(look.status, look.text).toBe(200);
    expect(look.body).toMatchObject({ email: to, role: "approver", workspaceName: "Invites", mailboxProven: true });
    expect(look.body).not.toHaveProperty("hasAccount");
    // The inviter sees their name and verified address.
    expect(look.body.invitedBy).toContain(`<${w.members.admin.email}>`);
    expect(look.headers.get("cache-control")).toBe("no-store");
    expect((await call("GET", "/invitations/lookup", { query: { token } })).body.mailboxProven).toBe(false);

    const noName = await call("POST", "/invitations/accept", { body: { token: mailed, password: "a long enough password" } });
    expect(noName.status).toBe(422);
    expect(noName.body.error.issues).toEqual([expect.objectContaining({ field: "name" })]);
    // A common password is refused, naming the field.
    const common = await call("POST", "/invitations/accept", { body: { token: mailed, password: "1234567890", name: "Nia New" } });
    expect(common.status).toBe(422);
    expect(common.body.error.message).toMatch(/^password: .*commonly used/);

    const ok = await call("POST", "/invitations/accept", { body: { token: mailed, password: "a long enough password", name: "Nia New" } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ email: to, role: "approver" });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: to } });
    expect(user.emailVerified).toBe(true);
    const member = await prisma.member.findUniqueOrThrow({ where: { organizationId_userId: { organizationId: w.id, userId: user.id } } });
    expect(member.role).toBe("approver");
    // The session better-auth opened starts on the workspace joined.
    expect(await prisma.session.count({ where: { userId: user.id, activeOrganizationId: w.id } })).toBe(1);
    const audit = await prisma.auditEvent.findFirst({ where: { workspaceId: w.id, action: "member.joined" }, orderBy: { seq: "desc" } });
    expect(audit).toMatchObject({ actorType: "user", actorId: user.id, actorLabel: to });

    // Used once: a second accept (another tab, a replay) is refused and changes nothing.
    const before = await snapshot(prisma, w.id);
    const again = await call("POST", "/invitations/accept", {
      body: { token: mailed, password: "a long enough password", name: "Nia New" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("already accepted");
    expect(await snapshot(prisma, w.id)).toEqual(before);
  });

  it("the inviter's copy of the link creates no account and tells nothing about the address", async () => {
    const fresh = email("fresh");
    const taken = email("taken");
    await signUp(taken, "their own password");
    const a = await invite(fresh);
    const b = await invite(taken);
    const before = await snapshot(prisma, w.id);
    const answers = [];
    for (const { token } of [a, b]) {
      const r = await call("POST", "/invitations/accept", { body: { token, password: "a long enough password", name: "Sock Puppet" } });
      expect(r.status, r.text).toBe(403);
      answers.push((r.body.error.message as string).replaceAll(fresh, "X").replaceAll(taken, "X"));
      const look = await call("GET", "/invitations/lookup", { query: { token } });
      expect(Object.keys(look.body as object).sort()).toEqual([
        "email",
        "expiresAt",
        "invitedBy",
        "mailboxProven",
        "role",
        "workspaceName",
      ]);
    }
    // The same answer whether or not the address has an account.
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toContain("open the link in the invitation e-mail");
    expect(await prisma.user.count({ where: { email: fresh } })).toBe(0);
    expect(await snapshot(prisma, w.id)).toEqual(before);
  });

  it("an existing account signs in first and accepts with its session; only the mailbox verifies it", async () => {
    const to = email("existing");
    await signUp(to, "their own password");
    const { token, mailed } = await invite(to, "viewer");
    const headers = await session(to, "their own password");

    // Signed in, unverified, holding the inviter's copy: refused, nothing changes.
    const before = await snapshot(prisma, w.id);
    const viaCopy = await call("POST", "/invitations/accept", { headers, body: { token } });
    expect(viaCopy.status).toBe(403);
    expect(viaCopy.body.error.message).toContain("open the link in the invitation e-mail");
    expect(await snapshot(prisma, w.id)).toEqual(before);
    expect((await prisma.user.findUniqueOrThrow({ where: { email: to } })).emailVerified).toBe(false);

    // Signed in as someone else: refused.
    const other = email("other");
    await signUp(other, "their own password");
    const wrong = await call("POST", "/invitations/accept", {
      headers: await session(other, "their own password"),
      body: { token: mailed },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toContain(`this invitation is for ${to}`);

    const ok = await call("POST", "/invitations/accept", { headers, body: { token: mailed } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ email: to, role: "viewer" });
    expect((await prisma.user.findUniqueOrThrow({ where: { email: to } })).emailVerified).toBe(true);
    const joined = await prisma.auditEvent.findFirstOrThrow({ where: { workspaceId: w.id, action: "member.joined", actorLabel: to } });
    expect(joined.data).toMatchObject({ via: "e-mailed link" });

    // Verified now, the inviter's copy of another invitation works for this (signed-in) account.
    const ws2 = await createWorkspace(prisma, "Second");
    const r = await call("POST", "/invitations", { key: ws2.members.admin.key, body: { email: to, role: "author" } });
    const second = await call("POST", "/invitations/accept", { headers, body: { token: tokenOf(r.body.inviteUrl as string) } });
    expect(second.status, second.text).toBe(200);
  });

  it("refuses forged, withdrawn and expired links with a clear 4xx, and bad input naming the field", async () => {
    const to = email("refused");
    const { id, token } = await invite(to);
    const before = await snapshot(prisma, w.id);
    const forged = `${token.slice(0, -4)}AAAA`;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ token: forged, password: "a long enough password", name: "X" }, 422, "token"],
      [{ token: `v1.${id}.${"A".repeat(43)}`, password: "a long enough password", name: "X" }, 422, "token"],
      [{ token, password: "short", name: "X" }, 422, "password"],
      [{ token, password: "a long enough password", name: "Your account is locked: call +1 555 0100" }, 422, "name"],
      [{ token, password: "a long enough password", name: "X", role: "owner" }, 422, ""],
      [{ password: "a long enough password" }, 422, "token"],
    ];
    for (const [body, status, field] of cases) {
      const r = await call("POST", "/invitations/accept", { body });
      expect(r.status, `${JSON.stringify(body)} → ${r.text}`).toBe(status);
      if (field) expect(r.body.error.message).toMatch(new RegExp(`^${field}`));
    }
    expect((await call("GET", "/invitations/lookup", { query: { token: forged } })).status).toBe(422);
    expect((await call("GET", "/invitations/lookup", {})).status).toBe(422);
    expect(await snapshot(prisma, w.id)).toEqual(before);

    // Withdrawn by an admin: the link stops working at once.
    const revoked = await call("DELETE", "/invitations/{id}", { key: w.members.admin.key, params: { id } });
    expect(revoked.status, revoked.text).toBe(200);
    const gone = await call("POST", "/invitations/accept", { body: { token, password: "a long enough password", name: "Xavier" } });
    expect(gone.status).toBe(409);
    expect((await call("DELETE", "/invitations/{id}", { key: w.members.admin.key, params: { id } })).status).toBe(404);
    expect(await prisma.user.count({ where: { email: to } })).toBe(0);

    // Expired.
    const late = await invite(email("late"));
    await prisma.invitation.update({ where: { id: late.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await call("GET", "/invitations/lookup", { query: { token: late.token } });
    expect(expired.status).toBe(412);
    expect(expired.body.error.message).toContain("expired");
  });
});
