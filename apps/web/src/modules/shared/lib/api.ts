/**
 * The browser's only way to talk to Parapet: same-origin fetch against /api/v1 with the session
 * cookie, typed by the route table (`apiCall("GET /guardrails/{id}", { params: { id } })` answers
 * `ApiOutput<"GET /guardrails/{id}">`, the route's response schema's output). Errors keep the API's
 * { code, message, issues } so forms can put each message next to the field it names.
 *
 * Only types come from the route table: the browser bundle carries no schema and no server code.
 */
import type { z } from "zod";
import type { ApiRouteKey, ApiRoutes } from "@parapet/core/openapi/routes";

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

async function apiRequest<T>(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiPath(path, opts.query), {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers:
        opts.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
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

type Def<K extends ApiRouteKey> = ApiRoutes[K];
/** What a route answers, as the browser reads it (the response schema's output; nothing for a 204). */
export type ApiOutput<K extends ApiRouteKey> = Def<K> extends { response: infer R extends z.ZodType } ? z.output<R> : undefined;
/** What a route's body may be (the body schema's input: defaults may be left out). */
export type ApiBody<K extends ApiRouteKey> = Def<K> extends { body: infer B extends z.ZodType } ? z.input<B> : never;
/** What a route's query string may hold. */
export type ApiQuery<K extends ApiRouteKey> = Def<K> extends { query: infer Q extends z.ZodType } ? z.input<Q> : never;

type PathParams<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? { [k in N]: string } & PathParams<Rest> : unknown;
type ParamsOpt<K extends ApiRouteKey> = Def<K>["path"] extends `${string}{${string}}${string}`
  ? { params: PathParams<Def<K>["path"]> }
  : { params?: undefined };
type QueryOpt<K extends ApiRouteKey> = Def<K> extends { query: z.ZodType } ? { query?: ApiQuery<K> } : { query?: undefined };
type BodyOpt<K extends ApiRouteKey> = Def<K> extends { body: z.ZodType } ? { body: ApiBody<K> } : { body?: undefined };
type ApiCallOptions<K extends ApiRouteKey> = ParamsOpt<K> & QueryOpt<K> & BodyOpt<K> & { signal?: AbortSignal };
type OptionalIfEmpty<K extends ApiRouteKey> = Def<K>["path"] extends `${string}{${string}}${string}`
  ? [opts: ApiCallOptions<K>]
  : Def<K> extends { body: z.ZodType }
    ? [opts: ApiCallOptions<K>]
    : [opts?: ApiCallOptions<K>];

/**
 * Calls one route of the contract by its key. Path parameters are filled in (encoded), the query
 * string is built from the defined fields, a body is sent as JSON (routes without one send `{}` on a
 * POST, as before).
 */
export function apiCall<K extends ApiRouteKey>(key: K, ...[opts]: OptionalIfEmpty<K>): Promise<ApiOutput<K>> {
  const space = key.indexOf(" ");
  const method = key.slice(0, space);
  const o = (opts ?? {}) as { params?: Record<string, string>; query?: Query; body?: unknown; signal?: AbortSignal };
  const path = key.slice(space + 1).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(o.params?.[name] ?? ""));
  const body = o.body ?? (method === "POST" ? {} : undefined);
  return apiRequest<ApiOutput<K>>(method, path, { query: o.query, body, signal: o.signal });
}

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
