/**
 * Unsubscribe links work without signing in, so the token itself is the authority (see
 * common/signed-token.ts). Tokens do not expire: a link in a year-old email must still work.
 */
import { signIdToken, verifyIdToken } from "../common/signed-token.ts";

const PURPOSE = "parapet:report-unsubscribe:v1";

export const signUnsubscribeToken = (secret: string, subscriptionId: string): string => signIdToken(secret, PURPOSE, subscriptionId);

/** The subscription id the token was issued for, or null when it is malformed or forged. */
export const verifyUnsubscribeToken = (secret: string, token: string | null | undefined): string | null =>
  verifyIdToken(secret, PURPOSE, token);

export function unsubscribeUrl(baseUrl: string, secret: string, subscriptionId: string): string {
  const u = new URL("/unsubscribe", baseUrl);
  u.searchParams.set("token", signUnsubscribeToken(secret, subscriptionId));
  return u.toString();
}
