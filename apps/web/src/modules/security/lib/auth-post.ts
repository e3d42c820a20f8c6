"use client";

/**
 * A POST to one of better-auth's exposed endpoints (/api/auth/two-factor/*, identity/http-surface.ts):
 * the console has no twoFactor client plugin, so plain fetch, as the SSO button does.
 */
export async function authPost<T = Record<string, unknown>>(
  path: string,
  body: Record<string, unknown>,
): Promise<{ ok: true; body: T } | { ok: false; status: number; message: string }> {
  const res = await fetch(`/api/auth${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => null)) as (T & { message?: string }) | null;
  if (res.ok && parsed) return { ok: true, body: parsed };
  const message =
    res.status === 429 ? "Too many attempts. Wait a minute and try again." : (parsed?.message ?? `The request failed (${res.status}).`);
  return { ok: false, status: res.status, message };
}

/** The base32 secret of an otpauth:// URI, for typing into an authenticator by hand. */
export function secretOfUri(uri: string): string {
  try {
    return new URL(uri).searchParams.get("secret") ?? "";
  } catch {
    return "";
  }
}
