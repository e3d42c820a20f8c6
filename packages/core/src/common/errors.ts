/**
 * The one error type core throws at callers. `code` decides the HTTP status in one place
 * (apps/web maps it); `message` is for users: it names the field and quotes what was received.
 */
export type AppErrorCode =
  | "bad_request"
  | "validation"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "limit"
  | "precondition"
  | "rate_limited"
  | "unavailable"
  | "internal";

const APP_ERROR_STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  validation: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limit: 422,
  precondition: 412,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export interface FieldIssue {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** Seconds the client should wait before trying again (a 429's `retry-after`). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id: string) => new AppError("not_found", `${what} "${id}" was not found`);

/** A 422 naming one field, in the message and as the issue. */
export const invalidField = (field: string, message: string) => new AppError("validation", `${field}: ${message}`, [{ field, message }]);
