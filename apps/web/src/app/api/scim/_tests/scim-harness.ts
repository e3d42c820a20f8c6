/**
 * Calls the SCIM route handler in-process (like the /api/v1 harness): the real handler, the real
 * database, only the HTTP listener skipped.
 */
import { BASE_URL } from "../../v1/_tests/harness.ts";

type Handler = (req: Request, ctx: { params: Promise<{ workspace: string; path?: string[] }> }) => Promise<Response>;

export interface ScimCall {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped SCIM JSON; tests assert on its shape
  body: any;
  text: string;
  headers: Headers;
}

let mod: Record<string, Handler> | null = null;

/**
 * `path` is what follows /api/scim/v2/<workspace>, with its query string, e.g.
 * `/Users?filter=userName eq "a@b"`; `rawBody` is sent verbatim.
 */
export async function scim(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  workspace: string,
  token: string | null,
  path: string,
  o: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ScimCall> {
  mod ??= (await import("../v2/[workspace]/[[...path]]/route.ts")) as unknown as Record<string, Handler>;
  const url = new URL(`${BASE_URL}/api/scim/v2/${encodeURIComponent(workspace)}${path}`);
  const headers = new Headers(o.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/scim+json");
  const segments = url.pathname
    .slice(`/api/scim/v2/${encodeURIComponent(workspace)}`.length)
    .split("/")
    .filter(Boolean)
    .map(decodeURIComponent);
  const res = await mod[method]!(new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) }), {
    params: Promise.resolve({ workspace, ...(segments.length ? { path: segments } : {}) }),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}
