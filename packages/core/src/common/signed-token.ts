/**
 * Links that work without signing in (unsubscribe, invitation) carry their own authority: an HMAC
 * over one id with a key derived from the deployment's secret for one purpose only, so a token made
 * for one purpose can never be replayed as another. Format: `v1.<id>.<base64url mac>`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

function key(secret: string, purpose: string): Buffer {
  if (secret.length < 16) throw new Error("the link-signing secret must be at least 16 characters");
  return createHmac("sha256", secret).update(purpose).digest();
}

const mac = (secret: string, purpose: string, id: string) => createHmac("sha256", key(secret, purpose)).update(id).digest("base64url");

export function signIdToken(secret: string, purpose: string, id: string): string {
  return `v1.${id}.${mac(secret, purpose, id)}`;
}

/** The id the token was issued for, or null when it is malformed, forged or made for another purpose. */
export function verifyIdToken(secret: string, purpose: string, token: string | null | undefined): string | null {
  if (!token || token.length > 200) return null;
  const m = /^v1\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const [, id, sig] = m as unknown as [string, string, string];
  const expected = Buffer.from(mac(secret, purpose, id));
  const got = Buffer.from(sig);
  return expected.length === got.length && timingSafeEqual(expected, got) ? id : null;
}
