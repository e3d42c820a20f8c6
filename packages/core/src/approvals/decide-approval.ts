import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { can } from "../identity/roles.ts";
import { rejectExemption } from "../exemptions/exemptions.repository.ts";
import { applyApprovedChange } from "./apply-approved-change.ts";
import { approvalView } from "./approval-view.ts";
import { decide, findApproval, transaction } from "./approvals.repository.ts";

/**
 * The second person's decision. Approving applies the requested change in the same transaction as
 * the decision and its audit event, then reconciles; rejecting leaves everything as it was. The
 * requester can never decide their own request, whatever their role (tokens count as their owner).
 */
export async function decideApproval(deps: UseCaseDeps, actor: Actor, id: string, decision: "approve" | "reject", note: string | undefined) {
  if (!can(actor.role, "approval", "decide")) throw new AppError("forbidden", `your role (${actor.role}) cannot decide approvals`);
  const a = await findApproval(deps.prisma, actor.workspaceId, id);
  if (!a) throw notFound("approval", id);
  if (a.requestedById === actor.userId) throw new AppError("forbidden", "you cannot approve your own request");
  if (a.status !== "pending") throw new AppError("conflict", `approval: it is already ${a.status}`);
  const status = decision === "approve" ? "approved" : "rejected";
  const { connections } = await transaction(deps.prisma, async (tx) => {
    if (!(await decide(tx, id, status, actor.userId, note ?? null))) throw new AppError("conflict", "approval: someone decided it a moment ago");
    let connections: string[] = [];
    let detail: Record<string, unknown> = {};
    if (status === "approved") ({ connections, detail } = await applyApprovedChange(tx, a));
    else if (a.action === "exemption.create") await rejectExemption(tx, a.workspaceId, a.subjectId);
    await appendAudit(tx, { ...auditBy(actor), action: `approval.${status}`, targetType: "approval", targetId: id, data: { for: a.action, subjectType: a.subjectType, subjectId: a.subjectId, note: note ?? null, ...detail } });
    return { connections };
  });
  await reconcileAfterCommit(deps.jobs, connections, "approval", `approval ${id} (${a.action}) approved`);
  const row = (await findApproval(deps.prisma, actor.workspaceId, id))!;
  return approvalView(row);
}
