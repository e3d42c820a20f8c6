import "server-only";
import { APIError } from "better-auth/api";
import { z } from "zod";
import { AppError, can, isRole, type Action, type Resource, type Role } from "@parapet/core";
import { unstorableIssue } from "@parapet/core/common/unstorable";
import { findTokenOwner, membershipsOf, pingDatabase } from "@parapet/core/identity/sessions";
import { auth } from "./auth";
import { isDatabaseUnavailable, isRedisUnavailable } from "./clients";
import { prisma } from "./clients";
import { newRequestId, REQUEST_ID_HEADER, requestIdOf, withRequestId } from "./request-id";
import { bindLogFields } from "@parapet/core/common/logger";
import { requestLogger, withRequestLog } from "./request-log";

/**
 * Every /api/v1 route goes through `route()`: authenticate (session cookie or `x-api-key` token),
 * resolve the workspace and the caller's role, check the permission, run the handler, and map
 * errors to one JSON shape: { error: { code, message, issues? } }. No stack traces, no SDK text.
 */
export interface Caller {
  userId: string;
  email: string;
  workspaceId: string;
  role: Role;
  /** "user" for sessions, "token" for API keys. */
  kind: "user" | "token";
  tokenId?: string;
  /** The better-auth session behind a "user" caller (switching workspace moves it). */
  sessionId?: string;
  label: string;
}

export interface RouteContext<P> {
  req: Request;
  caller: Caller;
  params: P;
}

type Permission = { [R in Resource]: [R, Action<R>] }[Resource];

const MAX_BODY = 1024 * 1024;

/** Enough to fix a request; a body with 20,000 unknown keys does not get 20,000 issues back. */
const MAX_ISSUES = 20;

/** Zod issues as { field, message }; an unknown key is named itself (not its parent object). */
export function zodIssues(prefix: string, e: z.ZodError): { field: string; message: string }[] {
  return e.issues
    .flatMap((i) => {
      const at = [prefix, ...i.path.map(String)].filter(Boolean);
      if (i.code === "unrecognized_keys") return i.keys.map((k) => ({ field: [...at, k].join("."), message: "is not a known field" }));
      return [{ field: at.join(".") || prefix || "body", message: i.message }];
    })
    .slice(0, MAX_ISSUES);
}

export function errorResponse(e: unknown, requestId: string = newRequestId()): Response {
  const headers = { [REQUEST_ID_HEADER]: requestId };
  if (e instanceof AppError) {
    return Response.json({ error: { code: e.code, message: e.message, requestId, ...(e.issues.length ? { issues: e.issues } : {}) } }, { status: e.status, headers });
  }
  if (e instanceof z.ZodError) {
    const issues = zodIssues("", e);
    const first = issues[0]!;
    return Response.json({ error: { code: "validation", message: `${first.field}: ${first.message}`, requestId, issues } }, { status: 422, headers });
  }
  // A dependency that is away (restart, failover, outage) is a 503 the client can retry, logged as one line.
  if (isDatabaseUnavailable(e)) {
    requestLogger(requestId).warn({ status: 503, dependency: "database", reason: (e as Error).message?.split("\n").filter(Boolean).pop()?.slice(0, 200) }, "database unavailable");
    return Response.json({ error: { code: "unavailable", message: "database unavailable; try again in a moment", requestId } }, { status: 503, headers: { ...headers, "retry-after": "5" } });
  }
  if (isRedisUnavailable(e)) {
    requestLogger(requestId).warn({ status: 503, dependency: "redis", reason: (e as Error).message?.slice(0, 200) }, "redis unavailable");
    return Response.json({ error: { code: "unavailable", message: "redis unavailable; try again in a moment", requestId } }, { status: 503, headers: { ...headers, "retry-after": "5" } });
  }
  // Unknown failures are logged server-side with their stack and the request id; the client gets a plain
  // message and the same id to quote.
  requestLogger(requestId).error({ status: 500, err: e }, "unhandled API error");
  return Response.json({ error: { code: "internal", message: "Something went wrong on our side. It has been logged.", requestId } }, { status: 500, headers });
}

/**
 * Reads a JSON body with a size cap; malformed JSON is a 400 that says so. A body declared as
 * something else (a form post, text/plain) is refused rather than guessed at: no client of this API
 * sends JSON under another type by design. A missing content-type is read as JSON.
 */
export async function readJson(req: Request): Promise<unknown> {
  const len = Number(req.headers.get("content-length") ?? 0);
  if (len > MAX_BODY) throw new AppError("bad_request", `body: larger than ${MAX_BODY} bytes`);
  const type = req.headers.get("content-type");
  if (type && !/^application\/json\s*(;|$)/i.test(type)) throw new AppError("bad_request", `content-type: expected application/json, got "${type.slice(0, 100)}"`);
  const text = await req.text();
  if (text.length > MAX_BODY) throw new AppError("bad_request", `body: larger than ${MAX_BODY} bytes`);
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new AppError("bad_request", "body: is not valid JSON");
  }
  const bad = unstorableIssue(parsed);
  if (bad) throw new AppError("validation", `${bad.field}: ${bad.message}`, [bad]);
  return parsed;
}

/** Ids in paths are Parapet's own (letters, digits, _ - . :); anything else cannot name a resource. */
const PATH_PARAM = /^[A-Za-z0-9_.:-]{1,200}$/;

async function authenticate(req: Request): Promise<Caller> {
  // The request's own headers (not next/headers): identical inside Next, and handlers stay callable
  // in-process by integration tests.
  const h = req.headers;
  const apiKey = req.headers.get("x-api-key");
  if (apiKey) {
    const verify = () =>
      auth()
        .api.verifyApiKey({ body: { key: apiKey } })
        .catch((e: unknown) => {
          // A database outage is not a bad key: answer 503, not 401.
          if (isDatabaseUnavailable(e)) throw e;
          return null;
        });
    let r = await verify();
    if (!r?.valid || !r.key) {
      // better-auth answers "invalid" when its key lookup fails too (@better-auth/api-key's verifyApiKey
      // turns any non-API error into INVALID_API_KEY). A database outage is a 503, not a 401; and a lookup
      // that died on a connection a failover had just killed deserves one more try on a live one, or a
      // good key would be told it is invalid. A truly bad key costs a second lookup and still gets 401.
      await pingDatabase(prisma());
      if (r?.error?.code === "INVALID_API_KEY") r = await verify();
      if (!r?.valid || !r.key) throw new AppError("unauthenticated", "x-api-key is invalid, expired or revoked");
    }
    const meta = (typeof r.key.metadata === "string" ? (JSON.parse(r.key.metadata) as Record<string, unknown>) : (r.key.metadata as Record<string, unknown> | null)) ?? {};
    const workspaceId = typeof meta.workspaceId === "string" ? meta.workspaceId : null;
    if (!workspaceId) throw new AppError("unauthenticated", "x-api-key is not bound to a workspace");
    const member = await findTokenOwner(prisma(), workspaceId, r.key.referenceId);
    if (!member || !isRole(member.role)) throw new AppError("unauthenticated", "x-api-key's owner is no longer a member of its workspace");
    // A token never has more power than its owner, and may be narrowed to a lower role. A key without a
    // role (not issued by Parapet's token use-case) gets the least role, never its owner's (issue 22).
    const tokenRole = isRole(meta.role) ? meta.role : "viewer";
    const order = ["viewer", "approver", "author", "admin", "owner"];
    const role = order.indexOf(tokenRole) <= order.indexOf(member.role) ? tokenRole : member.role;
    return { userId: member.userId, email: member.user.email, workspaceId, role, kind: "token", tokenId: r.key.id, label: `token ${r.key.name ?? r.key.id}` };
  }
  const session = await auth()
    .api.getSession({ headers: h })
    .catch((e: unknown) => {
      if (e instanceof APIError) return null;
      throw e;
    });
  if (!session) throw new AppError("unauthenticated", "sign in first, or send an x-api-key header");
  const memberships = await membershipsOf(prisma(), session.user.id);
  const active = memberships.find((m) => m.organizationId === session.session.activeOrganizationId) ?? memberships[0];
  if (!active || !isRole(active.role)) throw new AppError("forbidden", "you are not a member of any workspace");
  return { userId: session.user.id, email: session.user.email, workspaceId: active.organizationId, role: active.role, kind: "user", sessionId: session.session.id, label: session.user.email };
}

/**
 * Cookie-authenticated writes must come from our own origin (CSRF); API-key calls and requests
 * without cookies carry no ambient credentials and are exempt.
 */
function checkOrigin(req: Request): void {
  if (["GET", "HEAD", "OPTIONS"].includes(req.method) || req.headers.get("x-api-key")) return;
  // Without cookies nothing ambient is sent, so there is nothing to forge: authentication answers 401.
  if (!req.headers.get("cookie")) return;
  const origin = req.headers.get("origin");
  const host = req.headers.get("host");
  if (!origin) throw new AppError("forbidden", "origin: cross-site request refused (no Origin header)");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("forbidden", "origin: cross-site request refused");
  }
  if (originHost !== host) throw new AppError("forbidden", `origin: cross-site request from ${origin} refused`);
}

/**
 * A route anyone may call (an invitation link's holder has no account yet): same CSRF check and error
 * shape as `route`, no caller. The handler authenticates by other means (a signed token).
 */
export function publicRoute(handler: (ctx: { req: Request }) => Promise<unknown>) {
  return withRequestLog(async (req: Request): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      checkOrigin(req);
      const out = await handler({ req });
      if (out instanceof Response) return withRequestId(out, requestId);
      return Response.json(out ?? { ok: true }, { headers: { "cache-control": "no-store", "referrer-policy": "no-referrer", [REQUEST_ID_HEADER]: requestId } });
    } catch (e) {
      return errorResponse(e, requestId);
    }
  });
}

export function route<P = Record<string, string>>(
  permission: Permission | null,
  handler: (ctx: RouteContext<P>) => Promise<unknown>,
) {
  return withRequestLog(async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      checkOrigin(req);
      const caller = await authenticate(req);
      bindLogFields({ workspaceId: caller.workspaceId });
      if (permission && !can(caller.role, permission[0], permission[1] as never)) {
        throw new AppError("forbidden", `your role (${caller.role}) cannot ${permission[1]} ${permission[0]}s`);
      }
      const params = await ctx.params;
      for (const [k, v] of Object.entries((params ?? {}))) {
        if (typeof v !== "string" || !PATH_PARAM.test(v)) throw new AppError("not_found", `${k}: no such resource`);
      }
      const out = await handler({ req, caller, params });
      if (out instanceof Response) return withRequestId(out, requestId);
      return Response.json(out ?? { ok: true }, { headers: { [REQUEST_ID_HEADER]: requestId } });
    } catch (e) {
      return errorResponse(e, requestId);
    }
  });
}
