/**
 * An invitation link works before its holder has an account, so the token is the authority: an HMAC
 * over the invitation id with a key derived from the deployment's secret for this purpose only (an
 * unsubscribe token can never be replayed as an invitation, nor the reverse). Knowing an invitation's
 * id (it appears in the audit log) is not enough to accept it. Expiry and single use are the
 * invitation row's: it is pending until its expiry, and accepted or revoked once.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PURPOSE = "parapet:invitation:v1";

function key(secret: string): Buffer {
  if (secret.length < 16) throw new Error("invitation secret must be at least 16 characters");
  return createHmac("sha256", secret).update(PURPOSE).digest();
}

const mac = (secret: string, invitationId: string) => createHmac("sha256", key(secret)).update(invitationId).digest("base64url");

export function signInvitationToken(secret: string, invitationId: string): string {
  return `v1.${invitationId}.${mac(secret, invitationId)}`;
}

/** The invitation id the token was issued for, or null when it is malformed or forged. */
export function verifyInvitationToken(secret: string, token: string | null | undefined): string | null {
  if (!token || token.length > 200) return null;
  const m = /^v1\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const [, id, sig] = m as unknown as [string, string, string];
  const expected = Buffer.from(mac(secret, id));
  const got = Buffer.from(sig);
  return expected.length === got.length && timingSafeEqual(expected, got) ? id : null;
}

export function invitationUrl(baseUrl: string, secret: string, invitationId: string): string {
  const u = new URL("/invite", baseUrl);
  u.searchParams.set("token", signInvitationToken(secret, invitationId));
  return u.toString();
}
