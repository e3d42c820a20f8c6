/**
 * Google API errors as the REST transport returns them: `{ error: { code, message, status, details } }`,
 * where `code` is the HTTP status (google-gax maps it back to a gRPC code on the client side).
 */
export type GoogleStatus =
  | "INVALID_ARGUMENT"
  | "FAILED_PRECONDITION"
  | "OUT_OF_RANGE"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "ABORTED"
  | "ALREADY_EXISTS"
  | "RESOURCE_EXHAUSTED"
  | "CANCELLED"
  | "INTERNAL"
  | "UNIMPLEMENTED"
  | "UNAVAILABLE"
  | "DEADLINE_EXCEEDED";

const HTTP_FOR: Record<GoogleStatus, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

export class GcpError extends Error {
  readonly httpStatus: number;
  constructor(
    readonly status: GoogleStatus,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.httpStatus = HTTP_FOR[status];
  }

  toJSON(): { error: { code: number; message: string; status: GoogleStatus; details?: unknown[] } } {
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        status: this.status,
        ...(this.details.length ? { details: this.details } : {}),
      },
    };
  }
}

export const invalid = (message: string, field?: string): GcpError =>
  new GcpError(
    "INVALID_ARGUMENT",
    message,
    field
      ? [
          {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            fieldViolations: [{ field, description: message }],
          },
        ]
      : [],
  );

export const notFound = (message: string): GcpError => new GcpError("NOT_FOUND", message);

export const alreadyExists = (message: string): GcpError => new GcpError("ALREADY_EXISTS", message);

export const aborted = (message: string): GcpError => new GcpError("ABORTED", message);

export const precondition = (message: string, type?: string, subject?: string): GcpError =>
  new GcpError(
    "FAILED_PRECONDITION",
    message,
    type
      ? [
          {
            "@type": "type.googleapis.com/google.rpc.PreconditionFailure",
            violations: [{ type, subject: subject ?? "", description: message }],
          },
        ]
      : [],
  );

/** What Google answers when the caller lacks a permission, or the resource does not exist (indistinguishable on purpose). */
export const permissionDenied = (permission: string, resource: string): GcpError =>
  new GcpError("PERMISSION_DENIED", `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`, [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "IAM_PERMISSION_DENIED",
      domain: "iam.googleapis.com",
      metadata: { permission, resource },
    },
  ]);

export const unauthenticated = (): GcpError =>
  new GcpError(
    "UNAUTHENTICATED",
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
    [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "ACCESS_TOKEN_TYPE_UNSUPPORTED",
        domain: "googleapis.com",
        metadata: {},
      },
    ],
  );

export const rateLimited = (service: string, family: string, retryAfterMs: number): GcpError =>
  new GcpError(
    "RESOURCE_EXHAUSTED",
    `Quota exceeded for quota metric '${family}' and limit '${family} per minute' of service '${service}'.`,
    [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "RATE_LIMIT_EXCEEDED",
        domain: "googleapis.com",
        metadata: { service, quota_metric: `${service}/${family}` },
      },
    ],
    { "retry-after": Math.max(1, Math.ceil(retryAfterMs / 1000)).toString() },
  );

export const unavailable = (): GcpError => new GcpError("UNAVAILABLE", "The service is currently unavailable.");
