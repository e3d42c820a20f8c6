import * as common from "oci-common";
import { isProviderError, ProviderError, providerError, type ProviderErrorKind } from "../contract/errors.ts";

/**
 * OCI error classification. OCI answers `{code, message}` with an HTTP status; the SDK turns that
 * into an OciError (statusCode, serviceCode). Transport failures (refused connection, reset, DNS)
 * reach us as a plain object with `requestEndpoint` and no status, because the SDK's retrier
 * rethrows its own record of the failure rather than the original Error.
 */

/** 409 codes that describe a transient state, worth retrying; other 409s are lasting conflicts. */
const TRANSIENT_CONFLICTS = new Set(["IncorrectState"]);

interface OciErrorLike {
  statusCode: number;
  serviceCode: string;
  message: string;
}

function asOciError(e: unknown): OciErrorLike | undefined {
  if (e instanceof common.OciError) return e;
  // The SDK wraps circuit-breaker and some client errors in objects shaped like OciError.
  if (e && typeof e === "object" && "statusCode" in e && "serviceCode" in e) {
    const o = e as { statusCode: unknown; serviceCode: unknown; message?: unknown };
    if (typeof o.statusCode === "number") {
      return { statusCode: o.statusCode, serviceCode: String(o.serviceCode), message: typeof o.message === "string" ? o.message : "" };
    }
  }
  return undefined;
}

function isTransportFailure(e: unknown): boolean {
  return !!e && typeof e === "object" && !(e instanceof Error) && "requestEndpoint" in e;
}

export function isOciThrottle(e: unknown): boolean {
  return asOciError(e)?.statusCode === 429;
}

/** Turns anything an OCI SDK call threw into a ProviderError with a message written for people. */
export function classifyOciError(e: unknown, operation: string): ProviderError {
  if (isProviderError(e)) return e;
  const oe = asOciError(e);
  if (!oe) {
    if (isTransportFailure(e)) {
      return providerError(
        "unavailable",
        operation,
        `OCI could not be reached for ${operation}; the request will be retried.`,
        "NetworkError",
        e,
      );
    }
    const msg = e instanceof Error ? e.message : String(e);
    return new ProviderError("invalid", `${operation} failed before reaching OCI: ${msg}`, false, operation, "ClientError", e);
  }
  const { statusCode: status, serviceCode: code } = oe;
  const make = (kind: ProviderErrorKind, message: string, retryable?: boolean): ProviderError =>
    retryable === undefined
      ? providerError(kind, operation, message, code, e)
      : new ProviderError(kind, message, retryable, operation, code, e);

  if (status === 429) return make("throttled", `OCI throttled ${operation} (429 ${code}); retrying with backoff.`);
  if (status === 401) {
    return make(
      "auth",
      `OCI rejected the API key signature for ${operation} (401 ${code}): check the tenancy OCID, user OCID, key fingerprint, private key and the machine clock.`,
    );
  }
  if (status === 403) return make("auth", `OCI refused ${operation} (403 ${code}).`);
  if (status === 404) {
    // OCI deliberately does not distinguish "missing" from "not allowed to see it".
    return make("not_found", `OCI answered ${operation} with 404 ${code}: the resource does not exist or the connector may not see it.`);
  }
  if (status === 412) {
    return make("conflict", `The object changed while ${operation} ran (412 ${code}); re-reading it and retrying.`, true);
  }
  if (status === 409) {
    return TRANSIENT_CONFLICTS.has(code)
      ? make("conflict", `OCI is busy with another change for ${operation} (409 ${code}); retrying.`, true)
      : make("conflict", `OCI refused ${operation} because of a conflicting object (409 ${code}): ${oe.message}`, false);
  }
  if (status === 400 && /LimitExceeded|QuotaExceeded/i.test(code)) {
    return make("limit", `An OCI limit stops ${operation} (${code}): ${oe.message}`);
  }
  if (status === 400 || status === 413 || status === 422) {
    return make("invalid", `OCI rejected ${operation} as invalid (${status} ${code}): ${oe.message}`);
  }
  if (status >= 500 || status === -1 || Number.isNaN(status)) {
    return make("unavailable", `OCI is unavailable for ${operation} (${status} ${code}); retrying.`);
  }
  return make("invalid", `OCI answered ${operation} with ${status} ${code}: ${oe.message}`);
}
