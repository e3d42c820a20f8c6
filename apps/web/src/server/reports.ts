import "server-only";
import { env } from "@/env";

/** Unsubscribe links are signed by the worker and verified here with the same deployment secret. */
export function unsubscribeSecret(): string {
  return env().PARAPET_AUTH_SECRET;
}

export function reportLinks(snapshotId: string) {
  return { reportUrl: new URL(`/reports/${encodeURIComponent(snapshotId)}`, env().PARAPET_BASE_URL).toString() };
}

export function htmlResponse(html: string): Response {
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "private, no-store",
      // The email HTML has no scripts; make sure none ever runs even if a name smuggled markup in.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
      "x-frame-options": "SAMEORIGIN",
    },
  });
}
