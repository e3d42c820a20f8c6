import { appendAudit } from "../audit/audit.repository.ts";
import { cancelPending } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { exemptionView } from "./exemption-view.ts";
import { exemptionConnections, findExemption, revokeExemption as revoke, transaction } from "./exemptions.repository.ts";

/** Revoking restores protection, so it applies at once (and withdraws a pending approval request). */
export async function revokeExemption(deps: UseCaseDeps, actor: Actor, id: string) {
  const e = await findExemption(deps.prisma, actor.workspaceId, id);
  if (!e) throw notFound("exemption", id);
  await transaction(deps.prisma, async (tx) => {
    if (!(await revoke(tx, id))) throw new AppError("conflict", `exemption: it is already ${e.status}`);
    await cancelPending(tx, actor.workspaceId, "exemption", id);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "exemption.revoked",
      targetType: "exemption",
      targetId: id,
      data: {
        guardrailId: e.guardrailId,
        ...(e.nodeId ? { nodeId: e.nodeId } : { principal: { cloud: e.principalCloud, id: e.principal } }),
      },
    });
  });
  if (e.status === "active")
    await reconcileAfterCommit(
      deps.jobs,
      await exemptionConnections(deps.prisma, actor.workspaceId, e),
      "manual",
      `exemption ${id} revoked`,
    );
  return exemptionView({ ...e, status: "revoked" });
}
