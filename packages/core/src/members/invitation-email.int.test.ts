/**
 * The invitation e-mail through a real SMTP server (the demo mail catcher): the mailed link is the
 * signed one the /invite page accepts; a withdrawn invitation is not mailed; a deployment without
 * SMTP records the failure in the audit log instead of failing silently.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestUser, createTestWorkspace, testPrisma, uid } from "../testing/db.ts";
import { createMailTransport } from "../reports/mailer.ts";
import { startMailCatcher } from "../reports/mail-catcher.ts";
import { sendInvitationEmail } from "./invitation-email.ts";
import { verifyInvitationToken } from "./invitation-token.ts";

const prisma = testPrisma();
const dir = mkdtempSync(join(tmpdir(), "parapet-invite-mail-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = {
  mailFrom: "Parapet <team@parapet.test>",
  baseUrl: "https://parapet.example.test",
  secret: "a-deployment-secret-of-some-length",
};

async function invitation(status = "pending", workspaceName = "Globex <Security>") {
  const ws = await createTestWorkspace(prisma, workspaceName);
  const inviter = await createTestUser(prisma, ws.id, "admin");
  const id = uid("inv");
  await prisma.invitation.create({
    data: {
      id,
      organizationId: ws.id,
      email: `${id}@example.test`,
      role: "author",
      status,
      inviterId: inviter.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  return { id, workspaceId: ws.id, email: `${id}@example.test`, inviter };
}

describe("invitation e-mail", () => {
  it("mails the signed link, with the workspace and inviter escaped in the HTML", async () => {
    const catcher = await startMailCatcher({ port: 0, dir });
    const transport = createMailTransport(catcher.smtpUrl);
    try {
      const inv = await invitation();
      expect(await sendInvitationEmail({ prisma, config, transport }, inv.id, { number: 1, max: 5 })).toBe("sent");
      const [m] = await catcher.waitFor(1);
      expect(m!.to).toEqual([inv.email]);
      expect(m!.subject).toContain("invited you to Globex <Security> on Parapet");
      const parsed = await catcher.parsed(m!.id);
      const link = /(https:\/\/parapet\.example\.test\/invite\?token=\S+)/.exec(parsed!.text ?? "")![1]!;
      expect(verifyInvitationToken(config.secret, new URL(link).searchParams.get("token"))).toEqual({ id: inv.id, mailboxProven: true });
      expect(parsed!.html).toContain("Globex &lt;Security&gt;");
      expect(parsed!.html).not.toContain("Globex <Security>");

      // Withdrawn before the mail went out: nothing is sent.
      const gone = await invitation("canceled");
      expect(await sendInvitationEmail({ prisma, config, transport }, gone.id, { number: 1, max: 5 })).toBe("not-pending");
      expect(catcher.messages()).toHaveLength(1);
    } finally {
      transport.close();
      await catcher.close();
    }
  });

  it("names the inviter with their verified address, and no stored name can bend the subject line", async () => {
    const catcher = await startMailCatcher({ port: 0, dir });
    const transport = createMailTransport(catcher.smtpUrl);
    try {
      // Stored before names were restricted (identity/names.ts): line breaks, a bidi override, a long tail.
      const inv = await invitation("pending", `Globex\r\nBcc: everyone@example.test\u202e ${"x".repeat(100)}`);
      expect(await sendInvitationEmail({ prisma, config, transport }, inv.id, { number: 1, max: 5 })).toBe("sent");
      const [m] = await catcher.waitFor(1);
      expect(m!.subject).not.toMatch(/[\r\n\u202e]/);
      expect(m!.subject).toMatch(/^User u_\w+ <u_\w+@example\.test> invited you to Globex Bcc: everyone@example\.test x+… on Parapet$/);
      expect(m!.to).toEqual([inv.email]);
      const parsed = await catcher.parsed(m!.id);
      expect(parsed!.text).toContain(`<${inv.inviter.email}> invited you`);

      // An inviter whose own address is unverified is not vouched for.
      await prisma.user.update({ where: { id: inv.inviter.id }, data: { emailVerified: false } });
      const second = await invitation();
      await prisma.invitation.update({ where: { id: second.id }, data: { inviterId: inv.inviter.id } });
      await sendInvitationEmail({ prisma, config, transport }, second.id, { number: 1, max: 5 });
      const m2 = (await catcher.waitFor(2)).find((x) => x.to.includes(second.email));
      expect(m2!.subject).toContain("(address not verified) invited you");
      expect(m2!.subject).not.toContain(inv.inviter.email);
    } finally {
      transport.close();
      await catcher.close();
    }
  });

  it("without SMTP, gives up at once and says so in the audit log", async () => {
    const inv = await invitation();
    await expect(sendInvitationEmail({ prisma, config, transport: null }, inv.id, { number: 1, max: 5 })).rejects.toThrow(
      /SMTP is not configured/,
    );
    const a = await prisma.auditEvent.findFirstOrThrow({
      where: { workspaceId: inv.workspaceId, action: "member.invitation_email_failed" },
    });
    expect(a).toMatchObject({ actorType: "system", targetId: inv.id });
    expect(a.data).toMatchObject({ to: inv.email, attempts: 1 });
  });
});
