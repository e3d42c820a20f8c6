/**
 * An admin resets a member's second factor (issue 18): the lost-authenticator path. The member's TOTP
 * secret and recovery codes are deleted, the flag cleared and every session of theirs ended, so their
 * next password sign-in has no second step (and, where the workspace requires MFA, leads straight to
 * enrolling a new one).
 *
 * Who: an admin resets anyone below owner (atLeast, as for ending sessions). An owner's factor guards
 * the whole workspace, so resetting it needs two owners: one requests (an approval, `member.mfa_reset`),
 * a different owner approves (apply-approved-change.ts; decide-approval.ts refuses a non-owner), and
 * the reset happens in the approval's transaction. Nobody resets their own factor here: Settings →
 * Security does that with the password.
 *
 * Audited: `member.mfa_reset` (direct or on approval) in the workspace's log.
 */
import { appendAudit } from "../audit/audit.repository.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval, pendingFor } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { isRole } from "../identity/roles.ts";
import { resetTwoFactor } from "../identity/mfa.repository.ts";
import type { Tx } from "@parapet/db";
import { atLeast } from "./role-order.ts";
import { findMemberForMfa, transaction } from "./members.repository.ts";

export async function resetMemberMfa(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, memberId: string) {
  const m = await findMemberForMfa(deps.prisma, actor.workspaceId, memberId);
  if (!m) throw notFound("member", memberId);
  if (m.userId === actor.userId)
    throw new AppError(
      "forbidden",
      "member: you cannot reset your own second factor here; use Settings → Security (your password is asked)",
    );
  const role = isRole(m.role) ? m.role : "viewer";
  if (!atLeast(actor.role, role)) throw new AppError("forbidden", `your role (${actor.role}) cannot reset an ${role}'s second factor`);
  if (!m.user.twoFactorEnabled && !m.hasFactor) throw new AppError("conflict", `member: ${m.user.email} has no second factor to reset`);
  if (role === "owner") {
    const a = await transaction(deps.prisma, async (tx) => {
      const open = await pendingFor(tx, actor.workspaceId, "member", memberId);
      if (open) throw new AppError("conflict", `member: a change to ${m.user.email} is already awaiting approval (${open.id})`);
      const a = await createApproval(tx, {
        workspaceId: actor.workspaceId,
        action: "member.mfa_reset",
        subjectType: "member",
        subjectId: memberId,
        payload: { userId: m.userId, email: m.user.email, reasons: ["removes an owner's second factor; another owner must approve"] },
        summary: `Reset the second factor of owner ${m.user.email}`,
        requestedById: actor.userId,
      });
      await appendAudit(tx, {
        ...auditBy(actor),
        action: "approval.requested",
        targetType: "approval",
        targetId: a.id,
        data: { for: "member.mfa_reset", memberId, email: m.user.email },
      });
      return a;
    });
    return { approval: approvalView(a) };
  }
  const r = await transaction(deps.prisma, async (tx) => {
    const r = await resetTwoFactor(tx, m.userId);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "member.mfa_reset",
      targetType: "member",
      targetId: memberId,
      data: { userId: m.userId, email: m.user.email, sessionsEnded: r.sessionsEnded },
    });
    return r;
  });
  return { memberId, reset: true as const, sessionsEnded: r.sessionsEnded };
}

/** The approved half (apply-approved-change.ts): the member must still be this user and still an owner-level reset. */
export async function applyApprovedMfaReset(tx: Tx, workspaceId: string, memberId: string, payload: Record<string, unknown>) {
  const m = await findMemberForMfa(tx, workspaceId, memberId);
  if (!m || m.userId !== payload.userId) throw new AppError("conflict", "member: they left the workspace after this request; reject it");
  const r = await resetTwoFactor(tx, m.userId);
  return { memberId, userId: m.userId, email: m.user.email, sessionsEnded: r.sessionsEnded };
}
