/**
 * The e-mail that carries an invitation link, sent by the worker's `notifications` queue. The job
 * holds the invitation id only; the worker signs the link itself with the deployment secret (job
 * payloads never carry secrets). An invitation withdrawn, accepted or expired before the mail goes
 * out is not mailed. A delivery that fails for good is written to the audit log, so the inviter can
 * see it there and send the link from the settings page instead.
 */
import type { Queue } from "bullmq";
import { UnrecoverableError } from "bullmq";
import type Mail from "nodemailer/lib/mailer";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { describeSmtpError, isPermanentSmtpError, type TMailTransport, type TReportsConfig } from "../reports/mailer.ts";
import { invitationUrl } from "./invitation-token.ts";
import { escapeHtml } from "../common/html.ts";
import { mailSafe } from "../identity/names.ts";
import { inviterLabel } from "./accept-invitation.ts";
import { findInvitationForEmail } from "./members.repository.ts";

/** One mail per invitation (the job id collapses duplicates), retried with backoff on SMTP trouble (jobs/catalog.ts). */
export async function enqueueInvitationEmail(queue: Queue, invitationId: string): Promise<void> {
  await enqueueJob(queue, "notifications.send-invitation", { invitationId });
}

function composeInvitationEmail(
  cfg: Pick<TReportsConfig, "mailFrom" | "baseUrl" | "secret">,
  inv: { id: string; email: string; role: string; workspaceName: string; inviter: string; expiresAt: Date },
): Mail.Options {
  // The mailed link is the one that proves the mailbox (see invitation-token.ts); the inviter never sees it.
  const url = invitationUrl(cfg.baseUrl, cfg.secret, inv.id, "mailed");
  const until = `${inv.expiresAt.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  const text = [
    `${inv.inviter} invited you to join ${inv.workspaceName} on Parapet as ${inv.role}.`,
    "",
    `Accept the invitation (valid until ${until}):`,
    url,
    "",
    "Parapet keeps cloud guardrails enforced at the cloud layer. If you did not expect this invitation, ignore this e-mail.",
  ].join("\n");
  const html = `<!DOCTYPE html><html><body style="margin:0;background:#f3f4f6;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#111827;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="480" cellpadding="0" cellspacing="0" style="background:#ffffff;border:1px solid #e5e7eb;border-radius:8px;"><tr><td style="padding:32px;">
<p style="margin:0 0 16px 0;font-size:16px;"><strong>${escapeHtml(inv.inviter)}</strong> invited you to join <strong>${escapeHtml(inv.workspaceName)}</strong> on Parapet as <strong>${escapeHtml(inv.role)}</strong>.</p>
<p style="margin:0 0 24px 0;"><a href="${escapeHtml(url)}" style="background:#4f46e5;color:#ffffff;text-decoration:none;border-radius:6px;padding:10px 16px;display:inline-block;">Accept the invitation</a></p>
<p style="margin:0 0 8px 0;font-size:13px;color:#6b7280;">Valid until ${escapeHtml(until)}. If the button does not work, open this link:<br><span style="word-break:break-all;">${escapeHtml(url)}</span></p>
<p style="margin:16px 0 0 0;font-size:13px;color:#6b7280;">If you did not expect this invitation, ignore this e-mail.</p>
</td></tr></table></td></tr></table></body></html>`;
  // Names are restricted where they are set (identity/names.ts); mailSafe covers rows stored before that.
  return {
    from: cfg.mailFrom,
    to: inv.email,
    subject: `${mailSafe(inv.inviter, 100)} invited you to ${mailSafe(inv.workspaceName)} on Parapet`,
    text,
    html,
  };
}

export type TInvitationSendOutcome = "sent" | "not-pending";

export async function sendInvitationEmail(
  ctx: { prisma: PrismaClient; config: Pick<TReportsConfig, "mailFrom" | "baseUrl" | "secret">; transport: TMailTransport | null },
  invitationId: string,
  attempt: { number: number; max: number },
): Promise<TInvitationSendOutcome> {
  const inv = await findInvitationForEmail(ctx.prisma, invitationId);
  if (!inv || inv.status !== "pending" || inv.expiresAt.getTime() <= Date.now()) return "not-pending";
  try {
    if (!ctx.transport) throw Object.assign(new Error("SMTP is not configured (set PARAPET_SMTP_URL on the worker)"), { code: "ENOSMTP" });
    if (ctx.config.secret.length < 16)
      throw Object.assign(new Error("PARAPET_AUTH_SECRET is not set on the worker (it signs invitation links)"), { code: "ENOSECRET" });
    await ctx.transport.sendMail(
      composeInvitationEmail(ctx.config, {
        id: inv.id,
        email: inv.email,
        role: inv.role ?? "viewer",
        workspaceName: inv.workspace.name,
        inviter: inviterLabel(inv.inviter),
        expiresAt: inv.expiresAt,
      }),
    );
    return "sent";
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const permanent = code === "ENOSMTP" || code === "ENOSECRET" || isPermanentSmtpError(e);
    if (permanent || attempt.number >= attempt.max) {
      const message = describeSmtpError(e);
      await appendAudit(ctx.prisma, {
        workspaceId: inv.organizationId,
        actorType: "system",
        actorLabel: "Parapet worker",
        action: "member.invitation_email_failed",
        targetType: "invitation",
        targetId: inv.id,
        data: { to: inv.email, attempts: attempt.number, error: message.slice(0, 300) },
      });
      throw new UnrecoverableError(`invitation e-mail to ${inv.email} failed: ${message}`);
    }
    throw e;
  }
}
