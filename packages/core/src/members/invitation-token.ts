/**
 * An invitation link works before its holder has an account, so its token is the authority (see
 * common/signed-token.ts). Knowing an invitation's id (it appears in the audit log) is not enough to
 * accept it. Expiry and single use are the invitation row's: it is pending until its expiry, and
 * accepted or withdrawn once.
 *
 * There are two links to one invitation, signed for two purposes. The one the worker e-mails to the
 * invited address proves, when it comes back, that its holder reads that mailbox. The one shown to
 * the inviter (to send by other means) proves nothing about the mailbox: an admin holding it could
 * otherwise create the invitee's account themselves and be two people (finding: sock-puppet approver).
 */
import { signIdToken, verifyIdToken } from "../common/signed-token.ts";

const PURPOSE = { link: "parapet:invitation:v1", mailed: "parapet:invitation:mailed:v1" } as const;
export type InvitationLinkKind = keyof typeof PURPOSE;

export const signInvitationToken = (secret: string, invitationId: string, kind: InvitationLinkKind = "link"): string =>
  signIdToken(secret, PURPOSE[kind], invitationId);

/** The invitation the token was issued for and whether it came through the mailbox, or null when it is malformed or forged. */
export function verifyInvitationToken(secret: string, token: string | null | undefined): { id: string; mailboxProven: boolean } | null {
  const mailed = verifyIdToken(secret, PURPOSE.mailed, token);
  if (mailed) return { id: mailed, mailboxProven: true };
  const link = verifyIdToken(secret, PURPOSE.link, token);
  return link ? { id: link, mailboxProven: false } : null;
}

export function invitationUrl(baseUrl: string, secret: string, invitationId: string, kind: InvitationLinkKind = "link"): string {
  const u = new URL("/invite", baseUrl);
  u.searchParams.set("token", signInvitationToken(secret, invitationId, kind));
  return u.toString();
}
