import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { listMembers as members, pendingInvitations } from "./members.repository.ts";

export async function listMembers(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const [ms, invites] = await Promise.all([members(deps.prisma, actor.workspaceId), pendingInvitations(deps.prisma, actor.workspaceId)]);
  return {
    items: ms.map((m) => ({ id: m.id, user: m.user, role: m.role, joinedAt: m.createdAt.toISOString() })),
    invitations: invites.map((i) => ({ id: i.id, email: i.email, role: i.role, status: i.status, expiresAt: i.expiresAt.toISOString(), invitedBy: i.inviterId })),
  };
}
