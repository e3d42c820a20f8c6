import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { isRole, type Role } from "../identity/roles.ts";
import { countOwners, findMember, setRole, transaction } from "./members.repository.ts";
import { atLeast } from "./role-order.ts";

/** Changes a member's role: never above the caller's own, never an owner unless by an owner, never the last owner away. */
export async function changeMemberRole(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string, role: Role) {
  const m = await findMember(deps.prisma, actor.workspaceId, id);
  if (!m) throw notFound("member", id);
  const current: Role = isRole(m.role) ? m.role : "viewer";
  if (!atLeast(actor.role, role) || !atLeast(actor.role, current))
    throw new AppError("forbidden", `role: your role (${actor.role}) cannot change an ${current} to ${role}`);
  if (current === role) return { id: m.id, user: m.user, role: m.role };
  const row = await transaction(deps.prisma, async (tx) => {
    if (current === "owner" && (await countOwners(tx, actor.workspaceId)) <= 1)
      throw new AppError("conflict", "role: the workspace's last owner cannot be demoted; make someone else owner first");
    const r = await setRole(tx, id, role);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "member.role_changed",
      targetType: "member",
      targetId: id,
      data: { userId: m.userId, email: m.user.email, from: current, to: role },
    });
    return r;
  });
  return { id: row.id, user: row.user, role: row.role };
}
