import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { isRole } from "../identity/roles.ts";
import { countOwners, findMember, removeMember as remove, transaction } from "./members.repository.ts";
import { atLeast } from "./role-order.ts";

export async function removeMember(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const m = await findMember(deps.prisma, actor.workspaceId, id);
  if (!m) throw notFound("member", id);
  const role = isRole(m.role) ? m.role : "viewer";
  if (!atLeast(actor.role, role)) throw new AppError("forbidden", `your role (${actor.role}) cannot remove an ${role}`);
  await transaction(deps.prisma, async (tx) => {
    if (role === "owner" && (await countOwners(tx, actor.workspaceId)) <= 1)
      throw new AppError("conflict", "member: the workspace's last owner cannot be removed");
    await remove(tx, id);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "member.removed",
      targetType: "member",
      targetId: id,
      data: { userId: m.userId, email: m.user.email, role },
    });
  });
  return { id, removed: true };
}
