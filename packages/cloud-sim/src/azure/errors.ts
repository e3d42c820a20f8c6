/**
 * ARM error responses. Every failure the simulator returns has ARM's body shape
 * `{ error: { code, message } }`, which @azure/core-client turns into a RestError carrying
 * `statusCode` and `code`.
 */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** Overridable: a few APIs (Activity Logs) answer `{code, message}` at the top level. */
  body(): { error: { code: string; message: string } } | { code: string; message: string } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (code: string, message: string): ArmError => new ArmError(400, code, message);
export const notFound = (code: string, message: string): ArmError => new ArmError(404, code, message);

export function invalidContent(detail: string): ArmError {
  return badRequest("InvalidRequestContent", `The request content was invalid and could not be deserialized: '${detail}'.`);
}
