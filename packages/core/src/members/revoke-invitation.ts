import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { cancelInvitation, findPendingInvitation, transaction } from "./members.repository.ts";

/** Withdraws a pending invitation: its link stops working at once (a lost or mis-sent link is revoked this way). */
export async function revokeInvitation(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  return transaction(deps.prisma, async (tx) => {
    const inv = await findPendingInvitation(tx, actor.workspaceId, id);
    if (!inv) throw notFound("invitation", id);
    await cancelInvitation(tx, id);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "member.invitation_revoked",
      targetType: "invitation",
      targetId: id,
      data: { email: inv.email, role: inv.role },
    });
    return { id, status: "canceled" };
  });
}
