/**
 * The browser's only way to talk to Parapet: same-origin fetch against /api/v1 with the session
 * cookie. Errors keep the API's { code, message, issues } so forms can put each message next to the
 * field it names.
 */
interface ApiIssue {
  field: string;
  message: string;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
    /** The server's id for the request (x-request-id), to quote when reporting a failure. */
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const API_BASE = "/api/v1";

type Query = Record<string, string | number | boolean | null | undefined>;

export function apiPath(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ""}`;
}

async function parseError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy page, a crash): fall through to a message by status.
  }
  const err = (body as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | null)?.error;
  const requestId = res.headers.get("x-request-id");
  if (err && typeof err.message === "string") {
    const issues = Array.isArray(err.issues) ? (err.issues as ApiIssue[]) : [];
    return new ApiError(res.status, typeof err.code === "string" ? err.code : "error", err.message, issues, requestId);
  }
  const fallback: Record<number, string> = {
    401: "Your session has ended. Sign in again.",
    403: "Your role does not allow this.",
    404: "Not found.",
    429: "Too many requests. Wait a moment and try again.",
    503: "Parapet is temporarily unavailable.",
  };
  return new ApiError(res.status, "http", fallback[res.status] ?? `The server answered ${res.status}.`, [], requestId);
}

export async function apiRequest<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiPath(path, opts.query), {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: opts.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", "Could not reach Parapet. Check your connection.");
  }
  if (!res.ok) throw await parseError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => apiRequest<T>("GET", path, { query, signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>("POST", path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>("PATCH", path, { body }),
  del: <T>(path: string, query?: Query) => apiRequest<T>("DELETE", path, { query }),
};

/** A message fit for a person, whatever was thrown. */
export function errorMessage(e: unknown): string {
  // A failure on our side names its request id: the one the server logged the cause under.
  if (e instanceof ApiError) return e.status >= 500 && e.requestId ? `${e.message} (reference ${e.requestId})` : e.message;
  if (e instanceof Error) return e.message;
  return "Something went wrong.";
}

/** Issues keyed by field path, for forms. The message's leading "field: " is dropped. */
export function issuesByField(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const i of e.issues) out[i.field] ??= i.message.replace(new RegExp(`^${i.field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `), "");
  return out;
}
