/**
 * Every /api response carries a request id (header `x-request-id`, and `requestId` in every error body),
 * and every line the server logs about that request names it, so a user's "it failed" maps to one log
 * line. A caller's own id is kept when it is well formed (a gateway or a client library tracing a call
 * across services); anything else gets a fresh one — a header is input, and an id that could carry
 * newlines or a megabyte would forge or flood log lines.
 */
export const REQUEST_ID_HEADER = "x-request-id";
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export function newRequestId(): string {
  // Web Crypto: the same code runs in the route handlers and in Next's proxy (middleware).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `req_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** One id per request, whoever asks (the access log wrapper and the route inside it). */
const assigned = new WeakMap<Request, string>();

/** The caller's id if well formed, else a new one; the same one each time for the same request. */
export function requestIdOf(req: Request): string {
  const known = assigned.get(req);
  if (known) return known;
  const given = req.headers.get(REQUEST_ID_HEADER);
  const id = given && WELL_FORMED.test(given) ? given : newRequestId();
  assigned.set(req, id);
  return id;
}

/** The same response with the id in its headers (a Response's own headers may be immutable). */
export function withRequestId(res: Response, requestId: string): Response {
  try {
    res.headers.set(REQUEST_ID_HEADER, requestId);
    return res;
  } catch {
    const headers = new Headers(res.headers);
    headers.set(REQUEST_ID_HEADER, requestId);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}
