import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { AppError } from "../common/errors.ts";
import { verifyInvitationToken } from "./invitation-token.ts";
import { transaction } from "./members.repository.ts";

/**
 * The public side of an invitation: what its link shows before anyone signs in, and the membership it
 * grants once the holder has proved who they are (a new account with the invited e-mail address, or
 * the existing account's password; the web layer does that through better-auth). Every refusal is a
 * clear 4xx: a forged or malformed token, an expired, accepted or revoked invitation.
 */
export interface InvitationView {
  email: string;
  role: string;
  workspaceName: string;
  invitedBy: string;
  expiresAt: string;
  /** Whether an account with this e-mail exists: it signs in to accept, a new person creates one. */
  hasAccount: boolean;
}

async function pendingFromToken(prisma: PrismaClient, secret: string, token: string) {
  const id = verifyInvitationToken(secret, token);
  if (!id) throw new AppError("validation", "token: this invitation link is incomplete or was changed; open it again from the e-mail or ask for a new one", [{ field: "token", message: "invalid invitation link" }]);
  const inv = await prisma.invitation.findUnique({ where: { id }, include: { workspace: { select: { id: true, name: true } }, inviter: { select: { name: true, email: true } } } });
  if (!inv) throw new AppError("not_found", "token: this invitation was withdrawn; ask a workspace admin for a new one");
  if (inv.status !== "pending") throw new AppError("conflict", `token: this invitation was already ${inv.status === "accepted" ? "accepted" : inv.status}`);
  if (inv.expiresAt.getTime() <= Date.now()) throw new AppError("precondition", "token: this invitation has expired; ask a workspace admin for a new one");
  return inv;
}

/** The account already registered for an invited address (addresses compare case-insensitively). */
const accountFor = (prisma: PrismaClient, email: string) => prisma.user.findFirst({ where: { email: { equals: email, mode: "insensitive" } }, select: { email: true } });

export async function describeInvitation(prisma: PrismaClient, secret: string, token: string): Promise<InvitationView> {
  const inv = await pendingFromToken(prisma, secret, token);
  const user = await accountFor(prisma, inv.email);
  return {
    email: inv.email,
    role: inv.role ?? "viewer",
    workspaceName: inv.workspace.name,
    invitedBy: inv.inviter.name || inv.inviter.email,
    expiresAt: inv.expiresAt.toISOString(),
    hasAccount: user !== null,
  };
}

/**
 * The invitation behind a token, checked usable, and the account of its address if there is one (for
 * the web layer, which then signs that account in, or signs a new one up).
 */
export async function usableInvitation(prisma: PrismaClient, secret: string, token: string): Promise<{ id: string; email: string; workspaceId: string; account: { email: string } | null }> {
  const inv = await pendingFromToken(prisma, secret, token);
  return { id: inv.id, email: inv.email, workspaceId: inv.organizationId, account: await accountFor(prisma, inv.email) };
}

/**
 * Makes the user a member with the invited role and closes the invitation, once: two tabs accepting
 * at the same moment get one membership and one "already accepted".
 */
export async function acceptInvitationAs(prisma: PrismaClient, invitationId: string, user: { id: string; email: string; name: string }) {
  return transaction(prisma, async (tx) => {
    const claimed = await tx.invitation.updateMany({ where: { id: invitationId, status: "pending", expiresAt: { gt: new Date() } }, data: { status: "accepted" } });
    if (claimed.count !== 1) throw new AppError("conflict", "token: this invitation was already accepted or has expired");
    const inv = await tx.invitation.findUniqueOrThrow({ where: { id: invitationId } });
    if (inv.email.toLowerCase() !== user.email.toLowerCase()) throw new AppError("forbidden", `token: this invitation is for ${inv.email}`);
    const role = inv.role ?? "viewer";
    const existing = await tx.member.findUnique({ where: { organizationId_userId: { organizationId: inv.organizationId, userId: user.id } } });
    if (!existing) await tx.member.create({ data: { id: `mem${randomBytes(12).toString("hex")}`, organizationId: inv.organizationId, userId: user.id, role, createdAt: new Date() } });
    await appendAudit(tx, {
      workspaceId: inv.organizationId,
      actorType: "user",
      actorId: user.id,
      actorLabel: user.email,
      action: "member.joined",
      targetType: "invitation",
      targetId: inv.id,
      data: { email: inv.email, role, alreadyMember: existing !== null },
    });
    return { workspaceId: inv.organizationId, role: existing?.role ?? role };
  });
}
