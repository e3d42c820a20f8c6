import { appendAudit } from "../audit/audit.repository.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval, pendingFor } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { findGuardrail, transaction } from "./guardrails.repository.ts";

/**
 * Disabling or deleting a guardrail removes protection: both only create an approval request; the
 * guardrail stays exactly as it is until a different member approves.
 */
export async function requestGuardrailRemoval(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string, what: "disable" | "delete") {
  const g = await findGuardrail(deps.prisma, actor.workspaceId, id);
  if (!g || g.status === "deleted") throw notFound("guardrail", id);
  if (what === "disable" && g.status === "disabled") throw new AppError("conflict", `guardrail: "${g.name}" is already disabled`);
  const a = await transaction(deps.prisma, async (tx) => {
    const open = await pendingFor(tx, actor.workspaceId, "guardrail", id);
    if (open)
      throw new AppError(
        "conflict",
        `guardrail: a change to "${g.name}" is already awaiting approval (${open.id}); approve or reject it first`,
      );
    const reasons = [what === "disable" ? "disables the guardrail everywhere" : "deletes the guardrail and removes its artifacts"];
    const a = await createApproval(tx, {
      workspaceId: actor.workspaceId,
      action: what === "disable" ? "guardrail.disable" : "guardrail.delete",
      subjectType: "guardrail",
      subjectId: id,
      payload: { reasons },
      summary: `${what === "disable" ? "Disable" : "Delete"} "${g.name}"`,
      requestedById: actor.userId,
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "approval.requested",
      targetType: "approval",
      targetId: a.id,
      data: { for: `guardrail.${what}`, guardrailId: id },
    });
    return a;
  });
  return approvalView(a);
}
