/**
 * Sessions under control (issue 18): a member lists and ends their own sessions; an admin ends every
 * session of a member they outrank or equal (an owner's only by an owner). Ending is deleting the
 * session row: the next request with its cookie is refused (the session check reads the row on every
 * request, identity/session-verify.ts). `lastUsedAt` is the session's idle clock (session-policy.ts).
 */
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { isRole } from "../identity/roles.ts";
import { atLeast } from "../members/role-order.ts";
import { mfaStatusOf } from "../identity/mfa.repository.ts";
import { deleteAllUserSessions, deleteUserSession, findWorkspaceMember, listUserSessions, transaction } from "./sessions.repository.ts";

export async function listMySessions(deps: Pick<UseCaseDeps, "prisma">, actor: Actor & { sessionId?: string }) {
  const rows = await listUserSessions(deps.prisma, actor.userId);
  return {
    items: rows.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      ipAddress: s.ipAddress ?? null,
      userAgent: s.userAgent ?? null,
      current: s.id === actor.sessionId,
    })),
  };
}

export async function endMySession(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  await transaction(deps.prisma, async (tx) => {
    // Someone else's session is answered exactly like one that does not exist.
    if ((await deleteUserSession(tx, actor.userId, id)) === 0) throw notFound("session", id);
    await appendAudit(tx, { ...auditBy(actor), action: "session.ended", targetType: "session", targetId: id, data: { by: "self" } });
  });
  return { id, ended: true as const };
}

export async function endMemberSessions(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, memberId: string) {
  const m = await findWorkspaceMember(deps.prisma, actor.workspaceId, memberId);
  if (!m) throw notFound("member", memberId);
  const role = isRole(m.role) ? m.role : "viewer";
  if (!atLeast(actor.role, role)) throw new AppError("forbidden", `your role (${actor.role}) cannot end an ${role}'s sessions`);
  const ended = await transaction(deps.prisma, async (tx) => {
    const n = await deleteAllUserSessions(tx, m.userId);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "member.sessions_ended",
      targetType: "member",
      targetId: memberId,
      data: { userId: m.userId, email: m.user.email, sessions: n },
    });
    return n;
  });
  return { memberId, ended };
}

/** The caller's second-factor state (Settings → Security). */
export async function getMyMfa(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  return mfaStatusOf(deps.prisma, actor.userId);
}
