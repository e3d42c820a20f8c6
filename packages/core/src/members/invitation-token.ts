/**
 * An invitation link works before its holder has an account, so its token is the authority (see
 * common/signed-token.ts). Knowing an invitation's id (it appears in the audit log) is not enough to
 * accept it. Expiry and single use are the invitation row's: it is pending until its expiry, and
 * accepted or withdrawn once.
 */
import { signIdToken, verifyIdToken } from "../common/signed-token.ts";

const PURPOSE = "parapet:invitation:v1";

export const signInvitationToken = (secret: string, invitationId: string): string => signIdToken(secret, PURPOSE, invitationId);

/** The invitation id the token was issued for, or null when it is malformed or forged. */
export const verifyInvitationToken = (secret: string, token: string | null | undefined): string | null => verifyIdToken(secret, PURPOSE, token);

export function invitationUrl(baseUrl: string, secret: string, invitationId: string): string {
  const u = new URL("/invite", baseUrl);
  u.searchParams.set("token", signInvitationToken(secret, invitationId));
  return u.toString();
}
