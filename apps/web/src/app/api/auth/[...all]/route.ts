import { toNextJsHandler } from "better-auth/next-js";
import { isExposedAuthRequest, notExposed } from "@parapet/core/identity/http-surface";
import { auth } from "@/server/auth";
import { requestIdOf, withRequestId } from "@/server/request-id";
import { withRequestLog } from "@/server/request-log";

export const dynamic = "force-dynamic";

/**
 * better-auth answers here only for the allow-list in @parapet/core/identity/http-surface (sign-in,
 * sign-out): every other path or method is a 404 before better-auth sees it. Membership, invitations,
 * workspaces and API tokens change only through /api/v1 (issue 22). The auth instance applies the same
 * list again itself, for any other place its handler might be mounted. Resolved per request so the
 * build never needs a database or secrets.
 */
function gate(method: "GET" | "POST") {
  return withRequestLog(async (req: Request): Promise<Response> => {
    const requestId = requestIdOf(req);
    if (!isExposedAuthRequest(req.method, req.url)) return withRequestId(notExposed(), requestId);
    return withRequestId(await toNextJsHandler(auth())[method](req), requestId);
  });
}

const closed = (req: Request): Response => withRequestId(notExposed(), requestIdOf(req));

export const GET = gate("GET");
export const POST = gate("POST");
// Exported so that every method gets the same 404 (Next would answer 405 and name the allowed ones).
export const PUT = closed;
export const PATCH = closed;
export const DELETE = closed;
