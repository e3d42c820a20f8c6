/**
 * Unsubscribe links work without signing in, so the token itself is the authority: an HMAC over the
 * subscription id with a key derived from the deployment's secret (a separate key per purpose, so
 * an unsubscribe token can never be replayed as anything else). Tokens do not expire: a link in a
 * year-old email must still work.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PURPOSE = "parapet:report-unsubscribe:v1";

function key(secret: string): Buffer {
  if (secret.length < 16) throw new Error("unsubscribe secret must be at least 16 characters");
  return createHmac("sha256", secret).update(PURPOSE).digest();
}

function mac(secret: string, subscriptionId: string): string {
  return createHmac("sha256", key(secret)).update(subscriptionId).digest("base64url");
}

export function signUnsubscribeToken(secret: string, subscriptionId: string): string {
  return `v1.${subscriptionId}.${mac(secret, subscriptionId)}`;
}

/** The subscription id the token was issued for, or null when it is malformed or forged. */
export function verifyUnsubscribeToken(secret: string, token: string | null | undefined): string | null {
  if (!token || token.length > 200) return null;
  const m = /^v1\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const [, id, sig] = m as unknown as [string, string, string];
  const expected = Buffer.from(mac(secret, id));
  const got = Buffer.from(sig);
  return expected.length === got.length && timingSafeEqual(expected, got) ? id : null;
}

export function unsubscribeUrl(baseUrl: string, secret: string, subscriptionId: string): string {
  const u = new URL("/unsubscribe", baseUrl);
  u.searchParams.set("token", signUnsubscribeToken(secret, subscriptionId));
  return u.toString();
}
