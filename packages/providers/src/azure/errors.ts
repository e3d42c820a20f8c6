import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import { isProviderError, ProviderError, providerError, type ProviderErrorKind } from "../contract/errors.ts";

/**
 * ARM error classification. ARM answers `{error: {code, message}}` with an HTTP status; core-client
 * turns that into a RestError carrying `statusCode` and the ARM `code`. Transport failures are
 * RestErrors without a status (code ECONNREFUSED, REQUEST_SEND_ERROR, …).
 */

/** Deleting a definition or initiative that an assignment or initiative still references. */
const IN_USE = new Set(["InvalidDeletePolicyDefinitionRequest", "InvalidDeletePolicySetDefinitionRequest"]);

const LIMIT_CODES = /QuotaExceeded|LimitExceeded|RequestContentTooLarge/i;

/** ARM 409s that describe a transient state (another operation on the same scope is running). */
const TRANSIENT_CONFLICTS = new Set(["AnotherOperationInProgress", "Conflict"]);

export function isAzureThrottle(e: unknown): boolean {
  if (isProviderError(e)) return e.kind === "throttled";
  return isRestError(e) && e.statusCode === 429;
}

function restErrorOf(e: unknown): RestError | undefined {
  if (isRestError(e)) return e;
  if (isProviderError(e) && isRestError(e.cause)) return e.cause;
  return undefined;
}

/** The server's Retry-After (seconds or an HTTP date) in ms, when it sent one. */
export function retryAfterMs(e: unknown, now = Date.now()): number | undefined {
  const raw = restErrorOf(e)?.response?.headers.get("retry-after");
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** ARM's 403 names the action and scope it refused; people need exactly that to fix the role. */
export function deniedAction(message: string): { action: string; scope: string } | undefined {
  const m = /perform action '([^']+)' over scope '([^']*)'/.exec(message);
  return m ? { action: m[1]!, scope: m[2]! } : undefined;
}

/** Turns anything an Azure SDK call threw into a ProviderError with a message written for people. */
export function classifyAzureError(e: unknown, operation: string): ProviderError {
  if (isProviderError(e)) return e;
  if (!isRestError(e)) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof Error && e.name === "AbortError") {
      return providerError("unavailable", operation, `${operation} was cancelled before Azure answered; it will be retried.`, "Aborted", e);
    }
    return new ProviderError("invalid", `${operation} failed before reaching Azure: ${msg}`, false, operation, "ClientError", e);
  }
  const status = e.statusCode;
  const code = e.code ?? (status !== undefined ? `HTTP${status}` : "NetworkError");
  const make = (kind: ProviderErrorKind, message: string, retryable?: boolean): ProviderError =>
    retryable === undefined
      ? providerError(kind, operation, message, code, e)
      : new ProviderError(kind, message, retryable, operation, code, e);

  if (status === undefined) {
    return make("unavailable", `Azure Resource Manager could not be reached for ${operation} (${code}); the request will be retried.`);
  }
  if (status === 429) return make("throttled", `Azure throttled ${operation} (429 ${code}); retrying after the time ARM asked for.`);
  if (status === 401) {
    return make(
      "auth",
      `Azure rejected the connector's token for ${operation} (401 ${code}): check the tenant, the app registration and its credential.`,
    );
  }
  if (status === 403) {
    const denied = deniedAction(e.message);
    return make(
      "auth",
      denied
        ? `Azure denied ${operation}: the connector lacks '${denied.action}' on '${denied.scope}'. Grant it (e.g. the Resource Policy Contributor role on the root management group).`
        : `Azure denied ${operation} (403 ${code}): the connector lacks a required role assignment.`,
    );
  }
  if (status === 404) return make("not_found", `Azure answered ${operation} with 404 ${code}: the resource or scope does not exist.`);
  if (status === 409) {
    return TRANSIENT_CONFLICTS.has(code)
      ? make("conflict", `Another change is in progress for ${operation} (409 ${code}); retrying.`, true)
      : make("conflict", `Azure refused ${operation} because of a conflicting resource (409 ${code}).`, false);
  }
  if (IN_USE.has(code)) {
    return make(
      "conflict",
      `Azure refused ${operation}: the policy is still referenced by an assignment or initiative (${code}). Remove those references first.`,
      false,
    );
  }
  if (status === 413 || LIMIT_CODES.test(code) || /exceeds the maximum/i.test(e.message)) {
    return make("limit", `An Azure Policy limit stops ${operation} (${code}): ${e.message}`);
  }
  if (status === 400 || status === 422) return make("invalid", `Azure rejected ${operation} as invalid (${status} ${code}): ${e.message}`);
  if (status >= 500) return make("unavailable", `Azure is unavailable for ${operation} (${status} ${code}); retrying.`);
  return make("invalid", `Azure answered ${operation} with ${status} ${code}.`);
}
