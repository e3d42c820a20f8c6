import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { can } from "../identity/roles.ts";
import { listMembers as members, pendingInvitations } from "./members.repository.ts";

/**
 * The workspace's members, and, for those who manage members (the roles that may invite and withdraw,
 * i.e. settings:write: admins and owners), its pending invitations. Everyone else sees no invitation
 * at all: an invitation's id was enough to join through better-auth's accept-invitation endpoint
 * (issue 22); that door is closed, and who is invited with which role is still management data.
 */
export async function listMembers(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const manages = can(actor.role, "settings", "write");
  const [ms, invites] = await Promise.all([
    members(deps.prisma, actor.workspaceId),
    manages ? pendingInvitations(deps.prisma, actor.workspaceId) : Promise.resolve([]),
  ]);
  return {
    items: ms.map((m) => ({ id: m.id, user: m.user, role: m.role, joinedAt: m.createdAt.toISOString() })),
    ...(manages
      ? {
          invitations: invites.map((i) => ({
            id: i.id,
            email: i.email,
            role: i.role,
            status: i.status,
            expiresAt: i.expiresAt.toISOString(),
            invitedBy: i.inviterId,
          })),
        }
      : {}),
  };
}
