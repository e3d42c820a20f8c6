/** An error answered in OCI's shape: HTTP status + `{ code, message }` + `opc-request-id`. */
export class OciApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = "Authorization failed or requested resource not found."): OciApiError =>
  new OciApiError(404, "NotAuthorizedOrNotFound", what);
export const invalid = (message: string): OciApiError => new OciApiError(400, "InvalidParameter", message);
export const missing = (field: string): OciApiError => new OciApiError(400, "MissingParameter", `Missing required parameter '${field}'.`);
export const conflict = (code: string, message: string): OciApiError => new OciApiError(409, code, message);
export const noEtagMatch = (): OciApiError =>
  new OciApiError(412, "NoEtagMatch", "The ETag specified in the request does not match the ETag for the resource.");
export const limitExceeded = (message: string): OciApiError => new OciApiError(400, "LimitExceeded", message);
