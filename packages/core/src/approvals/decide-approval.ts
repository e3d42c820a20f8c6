import { appendAudit } from "../audit/audit.repository.ts";
import { emitNotifications } from "../notifications/emit.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { can } from "../identity/roles.ts";
import { rejectExemption } from "../exemptions/exemptions.repository.ts";
import { rejectAdoption } from "../posture/posture.repository.ts";
import { applyApprovedChange } from "./apply-approved-change.ts";
import { approvalView } from "./approval-view.ts";
import { decide, deciderMembership, deciderUser, findApproval, transaction } from "./approvals.repository.ts";

/**
 * The second person's decision. Approving applies the requested change in the same transaction as
 * the decision and its audit event, then reconciles; rejecting leaves everything as it was. The
 * requester can never decide their own request, whatever their role (tokens count as their owner).
 */
/**
 * The second person must be a real, separate person. Two checks against an admin inventing one:
 * - a verified address (the mailbox round trip of the e-mailed invitation link): an invitation whose
 *   link only the inviter saw cannot produce an approver;
 * - approving is refused (not merely flagged) when the decider joined the workspace after the request
 *   was made. A flag would be read after the guardrail is already off in the cloud: the weakening is
 *   applied in the same transaction as the approval, so only a refusal prevents it. The cost is small:
 *   anyone who was a member when the request was made can decide; otherwise it is rejected and requested again.
 *   Rejecting stays open to everyone allowed to decide (it changes nothing).
 */
async function checkSecondPerson(deps: UseCaseDeps, actor: Actor, requestedAt: Date, decision: "approve" | "reject") {
  const [user, membership] = await Promise.all([
    deciderUser(deps.prisma, actor.userId),
    deciderMembership(deps.prisma, actor.workspaceId, actor.userId),
  ]);
  if (!user?.emailVerified) {
    throw new AppError(
      "forbidden",
      `approval: deciding approvals needs a verified e-mail address; ${user?.email ?? "your address"} is not verified (open the invitation link e-mailed to it)`,
    );
  }
  if (decision === "approve" && membership && membership.createdAt.getTime() > requestedAt.getTime()) {
    throw new AppError(
      "forbidden",
      `approval: you joined this workspace after the request was made (${requestedAt.toISOString()}); a member from before then must approve it (or it is rejected and requested again)`,
    );
  }
}

export async function decideApproval(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  decision: "approve" | "reject",
  note: string | undefined,
) {
  if (!can(actor.role, "approval", "decide")) throw new AppError("forbidden", `your role (${actor.role}) cannot decide approvals`);
  const a = await findApproval(deps.prisma, actor.workspaceId, id);
  if (!a) throw notFound("approval", id);
  if (a.requestedById === actor.userId) throw new AppError("forbidden", "you cannot approve your own request");
  if (a.status !== "pending") throw new AppError("conflict", `approval: it is already ${a.status}`);
  // Resetting an owner's second factor is an owner's decision (members/reset-mfa.ts): two owners.
  if (a.action === "member.mfa_reset" && actor.role !== "owner")
    throw new AppError("forbidden", `approval: only an owner can decide an owner's second-factor reset (your role is ${actor.role})`);
  await checkSecondPerson(deps, actor, a.createdAt, decision);
  const status = decision === "approve" ? "approved" : "rejected";
  const { connections } = await transaction(deps.prisma, async (tx) => {
    if (!(await decide(tx, id, status, actor.userId, note ?? null)))
      throw new AppError("conflict", "approval: someone decided it a moment ago");
    let connections: string[] = [];
    let detail: Record<string, unknown> = {};
    if (status === "approved") ({ connections, detail } = await applyApprovedChange(tx, a));
    else if (a.action === "exemption.create") await rejectExemption(tx, a.workspaceId, a.subjectId);
    else if (a.action === "posture.adopt") await rejectAdoption(tx, id);
    // Alert: the decision closes the "requested" incident; an exemption asked for from an alert hears it there.
    const replyChannelId =
      typeof (a.payload as Record<string, unknown> | null)?.replyChannelId === "string"
        ? ((a.payload as Record<string, unknown>).replyChannelId as string)
        : null;
    await emitNotifications(tx, [
      {
        workspaceId: a.workspaceId,
        type: "approval.decided",
        severity: "info",
        title: `${status === "approved" ? "Approved" : "Rejected"} by ${actor.label}: ${a.summary}`,
        detail: { action: a.action, decision: status, note: note ?? null },
        dedupKey: `approval:${id}`,
        resolves: true,
        replyChannelId,
      },
    ]);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: `approval.${status}`,
      targetType: "approval",
      targetId: id,
      data: { for: a.action, subjectType: a.subjectType, subjectId: a.subjectId, note: note ?? null, ...detail },
    });
    return { connections };
  });
  await reconcileAfterCommit(deps.jobs, connections, "approval", `approval ${id} (${a.action}) approved`);
  const row = (await findApproval(deps.prisma, actor.workspaceId, id))!;
  return approvalView(row);
}
