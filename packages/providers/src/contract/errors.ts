/**
 * Provider errors, classified so the engine can decide: retry (throttled, unavailable, conflict),
 * stop and tell the user (auth, invalid, limit). Raw SDK text stays in `cause` for logs and never
 * reaches the browser; `message` is written for people.
 */
export type ProviderErrorKind = "auth" | "throttled" | "conflict" | "invalid" | "unavailable" | "limit" | "not_found";

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly operation: string,
    /** The cloud's own error code (e.g. ConstraintViolationException, ABORTED, 412 NoEtagMatch). */
    readonly code?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

export const RETRYABLE: Record<ProviderErrorKind, boolean> = {
  auth: false,
  throttled: true,
  conflict: true,
  invalid: false,
  unavailable: true,
  limit: false,
  not_found: false,
};

export function providerError(kind: ProviderErrorKind, operation: string, message: string, code?: string, cause?: unknown): ProviderError {
  return new ProviderError(kind, message, RETRYABLE[kind], operation, code, cause);
}

export function isProviderError(e: unknown): e is ProviderError {
  return e instanceof ProviderError;
}
