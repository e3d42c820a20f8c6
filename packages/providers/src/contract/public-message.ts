import { isEgressRefused } from "../egress/guard.ts";
import { isProviderError, type ProviderErrorKind } from "./errors.ts";

/**
 * What a person may be told about a failed cloud call. The cloud's own answer (an error body, a
 * network error, a stack) can hold anything the endpoint chose to send — with a hostile or mistaken
 * endpoint, the contents of an internal service — so it goes to the worker log only. Users see the
 * classification, Parapet's operation name and, when it is a short identifier, the cloud's error code.
 *
 * Every network failure gives the same text whatever the port, address or reason (refused, reset,
 * timed out, TLS), so connection errors cannot be used to map a network. A refusal by the egress
 * guard has its own text: it depends on the endpoint's host only, never on what listens where.
 */
const KIND_TEXT: Record<ProviderErrorKind, string> = {
  auth: "the cloud refused the credentials, or a permission is missing",
  throttled: "the cloud throttled the request; Parapet retries",
  conflict: "the cloud reported a conflicting change; Parapet retries",
  invalid: "the cloud refused the request as invalid",
  unavailable: "the cloud API could not be reached or failed; Parapet retries",
  limit: "a cloud quota or limit was reached",
  not_found: "the cloud found nothing at that name",
};

export const EGRESS_REFUSED_TEXT = "the endpoint is not an allowed cloud API host (or resolved to a private address); nothing was sent";

const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.:-]{0,79}$/;
const SAFE_OPERATION = /^[A-Za-z][A-Za-z0-9_.:/ -]{0,79}$/;
// The permission a classifier found missing (Azure `lacks 'Microsoft.X/y/read'`, GCP `lacks iam.x.y`):
// kept only when it is an identifier, so a hostile answer cannot smuggle text through it.
const MISSING_PERMISSION = /lacks '?([A-Za-z][A-Za-z0-9./_*-]{2,119})'?(?=[\s.,;)]|$)/;

/** What to do next, for cloud error codes whose meaning is fixed (the code is only a lookup key). */
const CODE_HINTS: Record<string, string> = {
  // OCI 401: the request signature was not accepted.
  NotAuthenticated: "check the tenancy OCID, user OCID, key fingerprint, private key and the machine clock",
};

/** What to do next, for failures whose cause Parapet knows from the operation alone. */
const OPERATION_HINTS: Record<string, Partial<Record<ProviderErrorKind, string>>> = {
  "sts:AssumeRole": { auth: "Parapet could not assume the connector role: check the role ARN, its trust policy and the external id" },
};

export function publicMessage(e: unknown): string {
  if (isEgressRefused(e)) return `connection refused: ${EGRESS_REFUSED_TEXT}`;
  if (!isProviderError(e)) return "an unexpected error occurred (details are in the worker log)";
  const op = SAFE_OPERATION.test(e.operation) ? e.operation : "call";
  if (isEgressRefused(e.cause)) return `${op}: ${EGRESS_REFUSED_TEXT}`;
  // Errors Parapet raised itself (no cloud answer behind them) are written from facts Parapet checked.
  if (e.cause === undefined && e.kind !== "unavailable") return e.message;
  const code = e.kind !== "unavailable" && e.code && SAFE_CODE.test(e.code) ? ` (${e.code})` : "";
  const hint = OPERATION_HINTS[op]?.[e.kind] ?? (e.code ? CODE_HINTS[e.code] : undefined);
  const permission = e.kind === "auth" ? MISSING_PERMISSION.exec(e.message)?.[1] : undefined;
  const detail = hint ? `: ${hint}` : permission ? `: the connector lacks '${permission}'` : "";
  return `${op}: ${KIND_TEXT[e.kind]}${code}${detail}`;
}

/** The log line for the same error: the full text, for operators only. */
export function logDetail(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const o = cur as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown };
    const text = [
      typeof o.name === "string" ? o.name : "",
      typeof o.code === "string" ? `[${o.code}]` : "",
      typeof o.message === "string" ? o.message : typeof cur === "string" ? cur : "",
      typeof o.reason === "string" ? `(${o.reason})` : "",
    ]
      .filter(Boolean)
      .join(" ");
    parts.push(text.slice(0, 2000));
    if (typeof cur !== "object") break;
  }
  return parts.join(" <- ");
}
