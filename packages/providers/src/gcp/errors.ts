import { isProviderError, ProviderError, type ProviderErrorKind, RETRYABLE } from "../contract/errors.ts";

/**
 * The three Google SDKs fail in three shapes:
 * - Org Policy (google-gax 4, REST fallback): `GoogleError` with a numeric gRPC `code` mapped from the
 *   HTTP status (409 becomes ABORTED for both "already exists" and a stale etag);
 * - Resource Manager and IAM (google-gax 5): `GaxiosError` with `.status` = HTTP status and the Google
 *   error JSON `{error:{code,message,status}}` as its message;
 * - Parapet's own REST calls for custom constraints: `GcpHttpError` with the same JSON body.
 * All are classified here into ProviderError kinds.
 */
export class GcpHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(body || `HTTP ${status}`);
    this.name = "GcpHttpError";
  }
}

const GRPC_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

const STATUS_FOR_HTTP: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  412: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "UNIMPLEMENTED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "ECONNABORTED",
]);

interface Parsed {
  /** Google status name (`ABORTED`, `NOT_FOUND`, …) or a network marker. */
  status: string;
  message: string;
  http?: number;
}

function googleJson(text: string): { status?: string; message?: string; code?: number } | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  try {
    const j = JSON.parse(text.slice(start)) as { error?: { status?: unknown; message?: unknown; code?: unknown } };
    const e = j.error;
    if (!e || typeof e !== "object") return undefined;
    return {
      status: typeof e.status === "string" ? e.status : undefined,
      message: typeof e.message === "string" ? e.message : undefined,
      code: typeof e.code === "number" ? e.code : undefined,
    };
  } catch {
    return undefined;
  }
}

function parse(e: unknown): Parsed | undefined {
  if (!e || typeof e !== "object") return undefined;
  const o = e as { code?: unknown; status?: unknown; message?: unknown; response?: { status?: unknown }; cause?: unknown; name?: unknown };
  const message = typeof o.message === "string" ? o.message : "";
  if (e instanceof GcpHttpError) {
    const j = googleJson(e.body);
    return {
      status: j?.status ?? STATUS_FOR_HTTP[e.status] ?? (e.status >= 500 ? "UNAVAILABLE" : "INVALID_ARGUMENT"),
      message: j?.message ?? message,
      http: e.status,
    };
  }
  const http = typeof o.status === "number" ? o.status : typeof o.response?.status === "number" ? o.response.status : undefined;
  if (http !== undefined) {
    const j = googleJson(message);
    return {
      status: j?.status ?? STATUS_FOR_HTTP[http] ?? (http >= 500 ? "UNAVAILABLE" : "INVALID_ARGUMENT"),
      message: j?.message ?? message,
      http,
    };
  }
  if (typeof o.code === "number" && o.code >= 0 && o.code < GRPC_NAMES.length) {
    return { status: GRPC_NAMES[o.code] ?? "UNKNOWN", message };
  }
  const netCode = typeof o.code === "string" ? o.code : undefined;
  const causeCode = o.cause && typeof o.cause === "object" ? (o.cause as { code?: unknown }).code : undefined;
  if (
    (netCode && NETWORK_CODES.has(netCode)) ||
    (typeof causeCode === "string" && NETWORK_CODES.has(causeCode)) ||
    /fetch failed|socket hang up|network/i.test(message)
  ) {
    return { status: "NETWORK", message };
  }
  if (o.name === "TimeoutError" || o.name === "AbortError") return { status: "DEADLINE_EXCEEDED", message };
  return undefined;
}

/** True for a throttling reply (quota / rate limit), before or after classification. */
export function isGcpThrottle(e: unknown): boolean {
  if (isProviderError(e)) return e.kind === "throttled";
  return parse(e)?.status === "RESOURCE_EXHAUSTED";
}

/** The Google status name of an error (`NOT_FOUND`, `ABORTED`, …), or undefined. */
export function gcpStatus(e: unknown): string | undefined {
  if (isProviderError(e)) return e.code;
  return parse(e)?.status;
}

const PERMISSION = /Permission '([^']+)' denied/;

/**
 * Classifies any error from a GCP call. `operation` is the recorded operation name
 * (`orgpolicy.UpdatePolicy`); the message names the operation and, for denials, the permission.
 */
export function classifyGcpError(e: unknown, operation: string): ProviderError {
  if (isProviderError(e)) return e;
  const p = parse(e);
  if (!p) return new ProviderError("unavailable", `${operation} failed unexpectedly`, true, operation, "UNKNOWN", e);
  let kind: ProviderErrorKind;
  let text: string;
  switch (p.status) {
    case "RESOURCE_EXHAUSTED":
      kind = "throttled";
      text = "was throttled by Google (quota or rate limit)";
      break;
    case "UNAVAILABLE":
    case "DEADLINE_EXCEEDED":
    case "INTERNAL":
    case "UNKNOWN":
    case "CANCELLED":
    case "NETWORK":
      kind = "unavailable";
      text = "could not reach the Google API or it failed temporarily";
      break;
    case "UNAUTHENTICATED":
      kind = "auth";
      text = "was rejected: the credentials are invalid or expired";
      break;
    case "PERMISSION_DENIED": {
      kind = "auth";
      const perm = PERMISSION.exec(p.message)?.[1];
      text = perm
        ? `was denied: the connector lacks ${perm} (or the resource does not exist)`
        : "was denied: the connector lacks a permission (or the resource does not exist)";
      break;
    }
    case "NOT_FOUND":
      kind = "not_found";
      text = "found nothing at that name";
      break;
    case "ALREADY_EXISTS":
      kind = "conflict";
      text = "found the resource already exists";
      break;
    case "ABORTED":
      kind = "conflict";
      text = "hit a concurrent change (etag mismatch or the resource already exists)";
      break;
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
      kind = /limit|maximum|at most|exceed/i.test(p.message) ? "limit" : "invalid";
      text = kind === "limit" ? `hit a Google limit: ${p.message}` : `was refused: ${p.message}`;
      break;
    default:
      kind = "invalid";
      text = /exceeds the maximum|at most/i.test(p.message) ? `hit a Google limit: ${p.message}` : `was refused as invalid: ${p.message}`;
      if (/exceeds the maximum|at most \d+ (rules|policies)|the limit is/i.test(p.message)) kind = "limit";
  }
  return new ProviderError(kind, `GCP ${operation} ${text}`, RETRYABLE[kind], operation, p.status, e);
}
