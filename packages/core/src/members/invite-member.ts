import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import type { Redis } from "ioredis";
import { AppError } from "../common/errors.ts";
import { consumeLimit } from "../identity/rate-limit.ts";
import type { Role } from "../identity/roles.ts";
import { invitationUrl } from "./invitation-token.ts";
import { createInvitation, memberByEmail, pendingInvitationFor, transaction } from "./members.repository.ts";
import { atLeast } from "./role-order.ts";

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Invitations send e-mail to any address in the world on Parapet's name, so they are bounded: per
 * inviter per hour and per workspace per day (shared across web instances through Redis).
 */
export const INVITATION_LIMITS = { perInviterPerHour: 20, perWorkspacePerDay: 100 } as const;

export async function checkInvitationRate(redis: Redis, prefix: string, actor: Pick<Actor, "userId" | "workspaceId">): Promise<void> {
  const byInviter = await consumeLimit(redis, prefix, `invite:user:${actor.userId}`, 3600, INVITATION_LIMITS.perInviterPerHour);
  if (byInviter !== null)
    throw new AppError(
      "rate_limited",
      `email: you sent ${INVITATION_LIMITS.perInviterPerHour} invitations in the last hour; try again in ${Math.ceil(byInviter / 60)} min`,
    );
  const byWorkspace = await consumeLimit(redis, prefix, `invite:ws:${actor.workspaceId}`, 86_400, INVITATION_LIMITS.perWorkspacePerDay);
  if (byWorkspace !== null)
    throw new AppError(
      "rate_limited",
      `email: this workspace sent ${INVITATION_LIMITS.perWorkspacePerDay} invitations today; try again in ${Math.ceil(byWorkspace / 3600)} h`,
    );
}

/**
 * A pending invitation (better-auth's invitation row), accepted through its signed link (see
 * accept-invitation.ts). The link goes back to the inviter once, to send however they like; it is a
 * credential, so it is not listed again (a lost link is revoked by removing the invitation and inviting
 * again). Nobody invites someone with more power than they hold.
 */
export async function inviteMember(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  input: { email: string; role: Role },
  link?: { secret: string; baseUrl: string },
) {
  if (!atLeast(actor.role, input.role)) throw new AppError("forbidden", `role: your role (${actor.role}) cannot invite an ${input.role}`);
  const email = input.email.toLowerCase();
  if (await memberByEmail(deps.prisma, actor.workspaceId, email)) throw new AppError("conflict", `email: ${email} is already a member`);
  if (await pendingInvitationFor(deps.prisma, actor.workspaceId, email))
    throw new AppError("conflict", `email: ${email} already has a pending invitation`);
  const inv = await transaction(deps.prisma, async (tx) => {
    const inv = await createInvitation(tx, {
      id: `inv${randomBytes(12).toString("hex")}`,
      workspaceId: actor.workspaceId,
      email,
      role: input.role,
      inviterId: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "member.invited",
      targetType: "invitation",
      targetId: inv.id,
      data: { email, role: input.role },
    });
    return inv;
  });
  return {
    id: inv.id,
    email: inv.email,
    role: inv.role,
    status: inv.status,
    expiresAt: inv.expiresAt.toISOString(),
    ...(link ? { inviteUrl: invitationUrl(link.baseUrl, link.secret, inv.id) } : {}),
  };
}
