import { handleScim } from "@parapet/core/scim/scim";
import { ScimError, SCIM_MEDIA_TYPE } from "@parapet/core/scim/scim-wire";
import { isDatabaseUnavailable } from "@/server/clients";
import { requestIdOf, REQUEST_ID_HEADER } from "@/server/request-id";
import { requestLogger, withRequestLog } from "@/server/request-log";
import { scimDeps } from "@/server/scim";

export const dynamic = "force-dynamic";

/**
 * The SCIM 2.0 endpoint of one workspace: /api/scim/v2/<workspaceId>/{ServiceProviderConfig,
 * ResourceTypes, Schemas, Users, Groups}. Authenticated by the workspace's SCIM bearer token only (no
 * cookie, no API key: nothing ambient, so no CSRF check). Every answer, errors included, is SCIM's own
 * shape and media type (RFC 7644 §3.12, §8.1); no stack trace or SQL reaches the client.
 */
const MAX_BODY = 1024 * 1024;

type Ctx = { params: Promise<{ workspace: string; path?: string[] }> };

function scimResponse(status: number, body: unknown, requestId: string, extra: Record<string, string> = {}): Response {
  const headers = { "content-type": SCIM_MEDIA_TYPE, "cache-control": "no-store", [REQUEST_ID_HEADER]: requestId, ...extra };
  return body === undefined ? new Response(null, { status, headers }) : new Response(JSON.stringify(body), { status, headers });
}

async function readBody(req: Request): Promise<string> {
  if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY) throw new ScimError(413, `body: larger than ${MAX_BODY} bytes`);
  const type = req.headers.get("content-type");
  if (type && !/^application\/(scim\+)?json\s*(;|$)/i.test(type))
    throw new ScimError(
      400,
      `content-type: expected application/scim+json or application/json, got "${type.slice(0, 100)}"`,
      "invalidSyntax",
    );
  const text = await req.text();
  if (text.length > MAX_BODY) throw new ScimError(413, `body: larger than ${MAX_BODY} bytes`);
  return text;
}

async function handle(req: Request, ctx: Ctx): Promise<Response> {
  const requestId = requestIdOf(req);
  try {
    const { workspace, path = [] } = await ctx.params;
    const url = new URL(req.url);
    const body = ["POST", "PUT", "PATCH"].includes(req.method) ? await readBody(req) : "";
    const out = await handleScim(scimDeps(), {
      method: req.method,
      workspace,
      path,
      query: url.searchParams,
      authorization: req.headers.get("authorization"),
      body,
    });
    return scimResponse(out.status, out.body, requestId, out.location ? { location: out.location } : {});
  } catch (e) {
    if (e instanceof ScimError)
      return scimResponse(e.status, e.body(), requestId, e.status === 401 ? { "www-authenticate": 'Bearer realm="scim"' } : {});
    if (isDatabaseUnavailable(e)) {
      requestLogger(requestId).warn({ status: 503, dependency: "database" }, "database unavailable");
      return scimResponse(503, new ScimError(503, "database unavailable; try again in a moment").body(), requestId, { "retry-after": "5" });
    }
    requestLogger(requestId).error({ status: 500, err: e }, "unhandled SCIM error");
    return scimResponse(
      500,
      new ScimError(500, `Something went wrong on our side. It has been logged (request ${requestId}).`).body(),
      requestId,
    );
  }
}

const handler = withRequestLog(handle);
export const GET = handler;
export const POST = handler;
export const PUT = handler;
export const PATCH = handler;
export const DELETE = handler;
