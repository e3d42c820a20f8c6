/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Invitations end to end through the route handlers: the inviter gets a signed link once; its holder
 * sees what it offers without an account, then creates the account (or signs in) and joins with the
 * invited role. Forged, withdrawn, expired and used links are refused with a clear 4xx and change nothing.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, snapshot, type TestWorkspace } from "./harness.ts";

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
  return { id: r.body.id as string, token: tokenOf(r.body.inviteUrl as string) };
}

describe("invitations", () => {
  it("a new person opens the link, creates the account and joins with the invited role", async () => {
    const to = email("new");
    const { token } = await invite(to, "approver");
    // The link is not listed again: it is a credential.
    const listed = await call("GET", "/members", { key: w.members.admin.key });
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const look = await call("GET", "/invitations/lookup", { query: { token } });
    expect(look.status, look.text).toBe(200);
    expect(look.body).toMatchObject({ email: to, role: "approver", workspaceName: "Invites", hasAccount: false });
    expect(look.headers.get("cache-control")).toBe("no-store");

    const noName = await call("POST", "/invitations/accept", { body: { token, password: "a long enough password" } });
    expect(noName.status).toBe(422);
    expect(noName.body.error.issues).toEqual([expect.objectContaining({ field: "name" })]);

    const ok = await call("POST", "/invitations/accept", { body: { token, password: "a long enough password", name: "Nia New" } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ email: to, role: "approver" });
    const user = await prisma.user.findUniqueOrThrow({ where: { email: to } });
    const member = await prisma.member.findUniqueOrThrow({ where: { organizationId_userId: { organizationId: w.id, userId: user.id } } });
    expect(member.role).toBe("approver");
    // The session better-auth opened starts on the workspace joined.
    expect(await prisma.session.count({ where: { userId: user.id, activeOrganizationId: w.id } })).toBe(1);
    const audit = await prisma.auditEvent.findFirst({ where: { workspaceId: w.id, action: "member.joined" }, orderBy: { seq: "desc" } });
    expect(audit).toMatchObject({ actorType: "user", actorId: user.id, actorLabel: to });

    // Used once: a second accept (another tab, a replay) is refused and changes nothing.
    const before = await snapshot(prisma, w.id);
    const again = await call("POST", "/invitations/accept", { body: { token, password: "a long enough password", name: "Nia New" } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("already accepted");
    expect(await snapshot(prisma, w.id)).toEqual(before);
  });

  it("someone with an account signs in with its password to join; a wrong password changes nothing", async () => {
    const to = email("existing");
    const { auth } = await import("@/server/auth");
    await auth().api.signUpEmail({ body: { email: to, password: "their own password", name: "Eve Existing" } });
    const { token } = await invite(to, "viewer");
    expect((await call("GET", "/invitations/lookup", { query: { token } })).body.hasAccount).toBe(true);

    const before = await snapshot(prisma, w.id);
    const wrong = await call("POST", "/invitations/accept", { body: { token, password: "not their password" } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.issues).toEqual([expect.objectContaining({ field: "password" })]);
    expect(await snapshot(prisma, w.id)).toEqual(before);

    const ok = await call("POST", "/invitations/accept", { body: { token, password: "their own password" } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.role).toBe("viewer");
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
    const gone = await call("POST", "/invitations/accept", { body: { token, password: "a long enough password", name: "X" } });
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
