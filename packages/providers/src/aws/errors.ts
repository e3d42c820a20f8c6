import { ProviderError, type ProviderErrorKind } from "../contract/errors.ts";

/**
 * Classification of AWS SDK v3 errors (Organizations over JSON 1.1, STS over awsQuery) into
 * ProviderErrors. The SDK is configured with a single attempt, so everything retryable surfaces here
 * and is retried (and counted) by withRetry — including the two conflicts the SDK would not retry
 * anyway: ConcurrentModificationException and PolicyChangesInProgressException.
 */

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Reason?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const THROTTLE_CODES = new Set([
  "TooManyRequestsException",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);

const CONFLICT_RETRYABLE = new Set(["ConcurrentModificationException", "PolicyChangesInProgressException"]);

const AUTH_CODES = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationTokenException",
  "MissingAuthenticationToken",
  "AuthFailure",
  "CredentialsProviderError",
  "RegionDisabledException",
]);

/** Temporary credentials ran out: refresh them and try again (the one retryable auth error). */
const EXPIRED_CODES = new Set(["ExpiredTokenException", "ExpiredToken", "RequestExpired"]);

const NOT_FOUND_CODES = new Set([
  "PolicyNotFoundException",
  "TargetNotFoundException",
  "AccountNotFoundException",
  "ParentNotFoundException",
  "ChildNotFoundException",
  "OrganizationalUnitNotFoundException",
  "RootNotFoundException",
  "NoSuchEntity",
]);

const INVALID_CODES = new Set([
  "InvalidInputException",
  "MalformedPolicyDocumentException",
  "PolicyTypeNotEnabledException",
  "PolicyTypeNotAvailableForOrganizationException",
  "PolicyTypeAlreadyEnabledException",
  "UnsupportedAPIEndpointException",
  "AWSOrganizationsNotInUseException",
  "SerializationException",
  "ValidationException",
  "ValidationError",
  "UnknownOperationException",
  "InvalidAction",
  "PolicyInUseException",
  "MalformedPolicyDocument",
  "PackedPolicyTooLarge",
]);

/** Conflicts that retrying cannot fix; callers turn most into a noop or an adoption. */
const CONFLICT_FINAL = new Set(["DuplicatePolicyException", "DuplicatePolicyAttachmentException", "PolicyNotAttachedException"]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

function shape(e: unknown): SdkErrorShape {
  return typeof e === "object" && e !== null ? e : { message: String(e) };
}

/** The AWS error code of an SDK error (`__type` / `<Code>` as the SDK exposes it in `name`). */
export function awsErrorCode(e: unknown): string {
  const s = shape(e);
  return s.name && s.name !== "Error" ? s.name : (s.code ?? "Error");
}

export function isAwsThrottle(e: unknown): boolean {
  if (e instanceof ProviderError) return e.kind === "throttled";
  const s = shape(e);
  return THROTTLE_CODES.has(awsErrorCode(e)) || s.$metadata?.httpStatusCode === 429 || s.$retryable?.throttling === true;
}

/** Messages for people: name what to do, never echo raw SDK text (it stays in `cause`). */
function describe(kind: ProviderErrorKind, code: string, operation: string, reason: string | undefined): string {
  switch (kind) {
    case "throttled":
      return `AWS Organizations throttled ${operation}; Parapet backs off and retries.`;
    case "conflict":
      if (code === "DuplicatePolicyException") return `A policy with this name already exists (${operation}).`;
      if (code === "DuplicatePolicyAttachmentException") return "The policy is already attached to this target.";
      if (code === "PolicyNotAttachedException") return "The policy is not attached to this target.";
      return `Another change to the organization's policies is in progress (${code}); Parapet retries ${operation}.`;
    case "auth":
      if (EXPIRED_CODES.has(code)) return "The temporary AWS credentials expired; Parapet refreshes them and retries.";
      if (code === "AccessDenied" && operation === "sts:AssumeRole") {
        return "Parapet could not assume the connector role: check the role ARN, its trust policy and the external id.";
      }
      if (code === "AccessDeniedException" || code === "AccessDenied") {
        return `The connector identity is not allowed to call organizations:${operation.replace(/^organizations:/, "")}; grant it in the connector role's policy.`;
      }
      return `AWS rejected the connection's credentials (${code}); update them in the connection settings.`;
    case "not_found":
      return `AWS Organizations could not find the ${code
        .replace(/(NotFound)?Exception$/, "")
        .replace(/([a-z])([A-Z])/g, "$1 $2")
        .toLowerCase()} named in ${operation}.`;
    case "limit":
      return `AWS Organizations refused ${operation}: a quota was reached${reason ? ` (${reason})` : ""}.`;
    case "invalid":
      if (code === "PolicyTypeNotEnabledException")
        return `The policy type is not enabled on the organization root; enable it (EnablePolicyType) before Parapet can ${operation}.`;
      if (code === "AWSOrganizationsNotInUseException") return "The connected account is not a member of an AWS Organization.";
      if (code === "MalformedPolicyDocumentException") return `AWS Organizations rejected the policy document as malformed (${operation}).`;
      if (code === "PolicyInUseException") return "The policy is still attached to targets and cannot be deleted yet.";
      return `AWS Organizations rejected ${operation} as invalid (${code}${reason ? `: ${reason}` : ""}).`;
    case "unavailable":
      return `AWS Organizations is unavailable for ${operation} (${code}); Parapet retries.`;
  }
}

/** Turns anything an SDK call threw into a ProviderError (idempotent on ProviderErrors). */
export function classifyAwsError(e: unknown, operation: string): ProviderError {
  if (e instanceof ProviderError) return e;
  const s = shape(e);
  const code = awsErrorCode(e);
  const status = s.$metadata?.httpStatusCode;
  const reason = typeof s.Reason === "string" ? s.Reason : undefined;
  const make = (kind: ProviderErrorKind, retryable: boolean) =>
    new ProviderError(kind, describe(kind, code, operation, reason), retryable, operation, reason ? `${code}:${reason}` : code, e);

  if (isAwsThrottle(e)) return make("throttled", true);
  if (CONFLICT_RETRYABLE.has(code)) return make("conflict", true);
  if (CONFLICT_FINAL.has(code)) return make("conflict", false);
  if (EXPIRED_CODES.has(code)) return make("auth", true);
  if (AUTH_CODES.has(code) || status === 401 || status === 403) return make("auth", false);
  if (NOT_FOUND_CODES.has(code)) return make("not_found", false);
  if (code === "ConstraintViolationException" || code === "LimitExceededException") {
    // Some constraint reasons are about the request, not a quota; they still need a person, not a retry.
    return make("limit", false);
  }
  if (INVALID_CODES.has(code)) return make("invalid", false);
  if (
    code === "ServiceException" ||
    code === "ServiceUnavailableException" ||
    code === "InternalFailure" ||
    code === "TimeoutError" ||
    code === "RequestTimeout" ||
    code === "AbortError" ||
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(s.code ?? "") ||
    s.$fault === "server" ||
    (status !== undefined && status >= 500)
  ) {
    return make("unavailable", true);
  }
  return make("invalid", false);
}
