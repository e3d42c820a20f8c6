import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { AppError } from "../common/errors.ts";
import { verifyInvitationToken } from "./invitation-token.ts";
import {
  accountForEmail,
  claimInvitation,
  findInvitationForLink,
  findInvitationOrThrow,
  findMembership,
  insertMember,
  markEmailVerified,
  transaction,
  userEmailVerified,
} from "./members.repository.ts";

/**
 * The public side of an invitation: what its link shows before anyone signs in, and the membership it
 * grants once the holder has proved who they are. Passwords are never checked here: an existing
 * account signs in through the ordinary (rate-limited, backed-off) sign-in and accepts with its
 * session; a new account is created only from the e-mailed link, which proves the mailbox. Every
 * refusal is a clear 4xx: a forged or malformed token, an expired, accepted or revoked invitation.
 */
export interface InvitationView {
  email: string;
  role: string;
  workspaceName: string;
  /** The inviter's name and, when verified, address ("Dana Demo <demo@parapet.local>"). */
  invitedBy: string;
  expiresAt: string;
  /**
   * Whether the link is the e-mailed one (its holder reads the invited mailbox). Only then may it
   * create an account; the inviter's copy works only for an already verified account, signed in.
   */
  mailboxProven: boolean;
}

async function pendingFromToken(prisma: PrismaClient, secret: string, token: string) {
  const t = verifyInvitationToken(secret, token);
  if (!t)
    throw new AppError(
      "validation",
      "token: this invitation link is incomplete or was changed; open it again from the e-mail or ask for a new one",
      [{ field: "token", message: "invalid invitation link" }],
    );
  const inv = await findInvitationForLink(prisma, t.id);
  if (!inv) throw new AppError("not_found", "token: this invitation was withdrawn; ask a workspace admin for a new one");
  if (inv.status !== "pending")
    throw new AppError("conflict", `token: this invitation was ${inv.status === "accepted" ? "already accepted" : "withdrawn"}`);
  if (inv.expiresAt.getTime() <= Date.now())
    throw new AppError("precondition", "token: this invitation has expired; ask a workspace admin for a new one");
  return { ...inv, mailboxProven: t.mailboxProven };
}

/** The account already registered for an invited address (addresses compare case-insensitively). */
const accountFor = (prisma: PrismaClient, email: string) => accountForEmail(prisma, email);

/** "Name <address>" when the inviter's address is verified, else the name and "(address not verified)". */
export function inviterLabel(inviter: { name: string; email: string; emailVerified: boolean }): string {
  if (!inviter.emailVerified) return `${inviter.name || "A Parapet user"} (address not verified)`;
  return inviter.name ? `${inviter.name} <${inviter.email}>` : inviter.email;
}

/**
 * What the page shows. Whether the address already has an account is deliberately not part of it:
 * the inviter holds a link too, and inviting an address must not tell them whether it is registered.
 */
export async function describeInvitation(prisma: PrismaClient, secret: string, token: string): Promise<InvitationView> {
  const inv = await pendingFromToken(prisma, secret, token);
  return {
    email: inv.email,
    role: inv.role ?? "viewer",
    workspaceName: inv.workspace.name,
    invitedBy: inviterLabel(inv.inviter),
    expiresAt: inv.expiresAt.toISOString(),
    mailboxProven: inv.mailboxProven,
  };
}

export interface UsableInvitation {
  id: string;
  email: string;
  workspaceId: string;
  mailboxProven: boolean;
  account: { id: string; email: string; emailVerified: boolean } | null;
}

/** The invitation behind a token, checked usable, and the account of its address if there is one. */
export async function usableInvitation(prisma: PrismaClient, secret: string, token: string): Promise<UsableInvitation> {
  const inv = await pendingFromToken(prisma, secret, token);
  return {
    id: inv.id,
    email: inv.email,
    workspaceId: inv.organizationId,
    mailboxProven: inv.mailboxProven,
    account: await accountFor(prisma, inv.email),
  };
}

/**
 * Makes the user a member with the invited role and closes the invitation, once: two tabs accepting
 * at the same moment get one membership and one "already accepted". `mailboxProven` (the e-mailed
 * link) marks the address verified; without it the account must already be verified — a link shown
 * to the inviter can never stand in for the invitee's mailbox.
 */
export async function acceptInvitationAs(
  prisma: PrismaClient,
  invitationId: string,
  user: { id: string; email: string; name: string },
  opts: { mailboxProven: boolean },
) {
  return transaction(prisma, async (tx) => {
    const claimed = await claimInvitation(tx, invitationId);
    if (claimed.count !== 1) throw new AppError("conflict", "token: this invitation was already accepted or has expired");
    const inv = await findInvitationOrThrow(tx, invitationId);
    if (inv.email.toLowerCase() !== user.email.toLowerCase())
      throw new AppError("forbidden", `token: this invitation is for ${inv.email}; sign out and sign in as that address`);
    if (opts.mailboxProven) await markEmailVerified(tx, user.id);
    else if (!(await userEmailVerified(tx, user.id)).emailVerified) throw unverified(inv.email);
    const role = inv.role ?? "viewer";
    const existing = await findMembership(tx, inv.organizationId, user.id);
    if (!existing)
      await insertMember(tx, {
        id: `mem${randomBytes(12).toString("hex")}`,
        organizationId: inv.organizationId,
        userId: user.id,
        role,
        createdAt: new Date(),
      });
    await appendAudit(tx, {
      workspaceId: inv.organizationId,
      actorType: "user",
      actorId: user.id,
      actorLabel: user.email,
      action: "member.joined",
      targetType: "invitation",
      targetId: inv.id,
      data: { email: inv.email, role, alreadyMember: existing !== null, via: opts.mailboxProven ? "e-mailed link" : "inviter's link" },
    });
    return { workspaceId: inv.organizationId, role: existing?.role ?? role };
  });
}

/** The one answer for every holder of the inviter's copy who has not proved the mailbox (whether or not the address has an account). */
export const unverified = (email: string) =>
  new AppError(
    "forbidden",
    `token: this copy of the invitation cannot confirm that you read ${email}'s mail; open the link in the invitation e-mail sent to ${email}`,
  );
