import "server-only";
import { APIError } from "better-auth/api";
import { z } from "zod";
import { AppError, can, isRole, type Role } from "@parapet/core";
import { unstorableIssue, unstorableString } from "@parapet/core/common/unstorable";
import type { ApiRoute } from "@parapet/core/openapi/routes";
import { findTokenOwner, membershipsOf, pingDatabase, verifySessionCookie } from "@parapet/core/identity/sessions";
import { enforceSessionPolicy, MFA_ENROLMENT_MESSAGE, SESSION_ENDED_MESSAGE } from "@parapet/core/identity/session-policy";
import { auth } from "./auth";
import { isDatabaseUnavailable, isRedisUnavailable, prisma, redis } from "./clients";
import { tokenMetadata } from "@parapet/core/tokens/token-metadata";
import { verifyToken, type VerifiedToken, type VerifyTokenDeps } from "@parapet/core/tokens/verify-token";
import type { TTokenScope } from "@parapet/core/tokens/tokens.schema";
import { env } from "@/env";
import { newRequestId, REQUEST_ID_HEADER, requestIdOf, withRequestId } from "./request-id";
import { bindLogFields } from "@parapet/core/common/logger";
import { requestLogger, withRequestLog } from "./request-log";

/**
 * Every /api/v1 route goes through `route()` (or `publicRoute()`) with its definition from the route
 * table (`@parapet/core/openapi/routes`): authenticate (session cookie or `x-api-key` token), resolve the
 * workspace and the caller's role, check the definition's permission, parse its path params, query and
 * body, run the handler, check the answer against its response schema, and map errors to one JSON
 * shape: { error: { code, message, requestId, issues? } }. No stack traces, no SDK text.
 */
export interface Caller {
  userId: string;
  email: string;
  workspaceId: string;
  role: Role;
  /** "user" for sessions, "token" for API keys. */
  kind: "user" | "token";
  tokenId?: string;
  /** A token's scope (read, plan, apply); sessions have none (their role decides alone). */
  tokenScope?: TTokenScope;
  /** The better-auth session behind a "user" caller (switching workspace moves it). */
  sessionId?: string;
  label: string;
}

const MAX_BODY = 1024 * 1024;

/** Enough to fix a request; a body with 20,000 unknown keys does not get 20,000 issues back. */
const MAX_ISSUES = 20;

/** Zod issues as { field, message }; an unknown key is named itself (not its parent object). */
function zodIssues(prefix: string, e: z.ZodError): { field: string; message: string }[] {
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
    return Response.json(
      { error: { code: e.code, message: e.message, requestId, ...(e.issues.length ? { issues: e.issues } : {}) } },
      { status: e.status, headers: e.retryAfterSec === undefined ? headers : { ...headers, "retry-after": String(e.retryAfterSec) } },
    );
  }
  if (e instanceof z.ZodError) {
    const issues = zodIssues("", e);
    const first = issues[0]!;
    return Response.json(
      { error: { code: "validation", message: `${first.field}: ${first.message}`, requestId, issues } },
      { status: 422, headers },
    );
  }
  // A dependency that is away (restart, failover, outage) is a 503 the client can retry, logged as one line.
  if (isDatabaseUnavailable(e)) {
    requestLogger(requestId).warn(
      { status: 503, dependency: "database", reason: (e as Error).message?.split("\n").filter(Boolean).pop()?.slice(0, 200) },
      "database unavailable",
    );
    return Response.json(
      { error: { code: "unavailable", message: "database unavailable; try again in a moment", requestId } },
      { status: 503, headers: { ...headers, "retry-after": "5" } },
    );
  }
  if (isRedisUnavailable(e)) {
    requestLogger(requestId).warn({ status: 503, dependency: "redis", reason: (e as Error).message?.slice(0, 200) }, "redis unavailable");
    return Response.json(
      { error: { code: "unavailable", message: "redis unavailable; try again in a moment", requestId } },
      { status: 503, headers: { ...headers, "retry-after": "5" } },
    );
  }
  if (e instanceof ResponseContractError) {
    // The paths and codes say what to fix; the body's values are data and stay out of the log.
    requestLogger(requestId).error({ status: 500, route: e.route, issues: e.issues }, "response contract broken");
    return Response.json(
      { error: { code: "internal", message: "Something went wrong on our side. It has been logged.", requestId } },
      { status: 500, headers },
    );
  }
  // Unknown failures are logged server-side with their stack and the request id; the client gets a plain
  // message and the same id to quote.
  requestLogger(requestId).error({ status: 500, err: e }, "unhandled API error");
  return Response.json(
    { error: { code: "internal", message: "Something went wrong on our side. It has been logged.", requestId } },
    { status: 500, headers },
  );
}

/**
 * Reads a JSON body with a size cap; malformed JSON is a 400 that says so. A body declared as
 * something else (a form post, text/plain) is refused rather than guessed at: no client of this API
 * sends JSON under another type by design. A missing content-type is read as JSON.
 */
async function readJson(req: Request): Promise<unknown> {
  const len = Number(req.headers.get("content-length") ?? 0);
  if (len > MAX_BODY) throw new AppError("bad_request", `body: larger than ${MAX_BODY} bytes`);
  const type = req.headers.get("content-type");
  if (type && !/^application\/json\s*(;|$)/i.test(type))
    throw new AppError("bad_request", `content-type: expected application/json, got "${type.slice(0, 100)}"`);
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

const BEARER = /^Bearer ([\x21-\x7e]+)$/;

/**
 * The API token a request presents, from `x-api-key` or `Authorization: Bearer` (what most HTTP clients
 * and CI tools send), or null when it presents none (then the session cookie decides). Both headers with
 * different values, or an Authorization header of another kind, are refused rather than one picked:
 * a request that carries a credential never falls through to the cookie.
 */
function presentedToken(req: Request): string | null {
  const apiKey = req.headers.get("x-api-key");
  const authz = req.headers.get("authorization");
  if (authz === null) return apiKey;
  const m = BEARER.exec(authz.trim());
  if (!m) throw new AppError("unauthenticated", "authorization: expected `Bearer <token>`");
  if (apiKey !== null && apiKey !== m[1]) throw new AppError("unauthenticated", "authorization: differs from x-api-key; send one token");
  return m[1]!;
}

/** Whether a request carries a token (and so no ambient credential), by either header. */
const carriesToken = (req: Request) => req.headers.get("x-api-key") !== null || req.headers.get("authorization") !== null;

/**
 * A token's scope on top of its role: `read` reaches GET routes only, `plan` also the routes that change
 * nothing (`changesNothing`), `apply` whatever its role allows. Checked in the one wrapper, so no route
 * can forget it.
 */
function checkScope(caller: Caller, def: ApiRoute): void {
  if (caller.kind !== "token" || caller.tokenScope === "apply" || def.method === "GET") return;
  if (caller.tokenScope === "plan" && def.changesNothing) return;
  throw new AppError(
    "forbidden",
    `token scope: this token is ${caller.tokenScope}-only and cannot call ${def.method} ${def.path}${caller.tokenScope === "plan" ? " (needs an apply-scoped token)" : ""}`,
  );
}

async function authenticate(req: Request): Promise<Caller> {
  // The request's own headers (not next/headers): identical inside Next, and handlers stay callable
  // in-process by integration tests.
  const h = req.headers;
  const apiKey = presentedToken(req);
  if (apiKey !== null) {
    const deps: VerifyTokenDeps = {
      prisma: prisma(),
      redis: redis(),
      redisPrefix: env().PARAPET_REDIS_PREFIX,
      onLimitUnavailable: (e) =>
        requestLogger(requestIdOf(req)).warn(
          { dependency: "redis", reason: (e as Error).message?.slice(0, 200) },
          "token rate limit unchecked",
        ),
    };
    let key: VerifiedToken;
    try {
      key = await verifyToken(deps, apiKey);
    } catch (e) {
      if (e instanceof AppError) throw e;
      // A lookup that died on a connection a failover had just killed deserves one more try on a live
      // one, or a good key would be refused; with the database truly away the ping answers 503.
      await pingDatabase(prisma());
      key = await verifyToken(deps, apiKey);
    }
    const meta = tokenMetadata(key.metadata);
    const workspaceId = meta.workspaceId;
    if (!workspaceId) throw new AppError("unauthenticated", "x-api-key is not bound to a workspace");
    const member = await findTokenOwner(prisma(), workspaceId, key.referenceId);
    if (!member || !isRole(member.role)) throw new AppError("unauthenticated", "x-api-key's owner is no longer a member of its workspace");
    // A token never has more power than its owner, and may be narrowed to a lower role. A key without a
    // role (not issued by Parapet's token use-case) gets the least role, never its owner's (issue 22).
    const tokenRole = meta.role ?? "viewer";
    const order = ["viewer", "approver", "author", "admin", "owner"];
    const role = order.indexOf(tokenRole) <= order.indexOf(member.role) ? tokenRole : member.role;
    return {
      userId: member.userId,
      email: member.email,
      workspaceId,
      role,
      kind: "token",
      tokenId: key.id,
      tokenScope: meta.scope,
      label: `${meta.type === "ci" ? "CI token" : "token"} ${key.name ?? key.id}`,
    };
  }
  // The plain case (a valid, unexpired session not due for refresh) in one statement; anything else is
  // better-auth's to decide, as before (identity/session-verify.ts). Neither path caches anything.
  const fast = await verifySessionCookie(auth(), prisma(), h.get("cookie"));
  let who: { userId: string; email: string; sessionId: string; activeOrganizationId: string | null | undefined };
  let memberships: { organizationId: string; role: string }[];
  let mfaEnrolmentRequired: boolean;
  if (fast !== "defer") {
    who = fast;
    memberships = fast.memberships;
    mfaEnrolmentRequired = fast.mfaEnrolmentRequired;
  } else {
    const session = await auth()
      .api.getSession({ headers: h })
      .catch((e: unknown) => {
        if (e instanceof APIError) return null;
        throw e;
      });
    if (!session) throw new AppError("unauthenticated", "sign in first, or send an x-api-key or Authorization: Bearer header");
    who = {
      userId: session.user.id,
      email: session.user.email,
      sessionId: session.session.id,
      activeOrganizationId: session.session.activeOrganizationId,
    };
    // The workspace rules better-auth does not know (lifetime, idle timeout, MFA requirement), on this
    // path too (identity/session-policy.ts): a session that broke one is ended here.
    const policy = await enforceSessionPolicy(prisma(), session.session.id);
    if (!policy.ok)
      throw new AppError("unauthenticated", policy.reason === "gone" ? "sign in first" : SESSION_ENDED_MESSAGE[policy.reason]);
    mfaEnrolmentRequired = policy.mfaEnrolmentRequired;
    memberships = await membershipsOf(prisma(), session.user.id);
  }
  if (mfaEnrolmentRequired) throw new AppError("forbidden", MFA_ENROLMENT_MESSAGE);
  const active = memberships.find((m) => m.organizationId === who.activeOrganizationId) ?? memberships[0];
  if (!active || !isRole(active.role)) throw new AppError("forbidden", "you are not a member of any workspace");
  return {
    userId: who.userId,
    email: who.email,
    workspaceId: active.organizationId,
    role: active.role,
    kind: "user",
    sessionId: who.sessionId,
    label: who.email,
  };
}

/**
 * Cookie-authenticated writes must come from our own origin (CSRF); API-key calls and requests
 * without cookies carry no ambient credentials and are exempt.
 */
function checkOrigin(req: Request): void {
  if (["GET", "HEAD", "OPTIONS"].includes(req.method) || carriesToken(req)) return;
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

// ── The route wrapper ───────────────────────────────────────────────────────────────────────────

/** `{id}` in a path template → `{ id: string }`. */
type PathParams<P extends string> = P extends `${string}{${infer K}}${infer Rest}` ? { [k in K]: string } & PathParams<Rest> : unknown;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a handler may hand over: the response schema's input (a body it rejects is a type error). */
type RouteBody<D extends ApiRoute> = D extends { response: infer R extends z.ZodType }
  ? z.input<R>
  : D extends { status: 204 }
    ? void
    : never;

const REPLY = Symbol("reply");
/** A body with a status or headers other than the definition's (202 for an approval, no-store for a secret). */
export interface Reply<T> {
  readonly [REPLY]: true;
  readonly body: T;
  readonly status?: 200 | 201 | 202;
  readonly headers?: Record<string, string>;
}
export function reply<T>(body: T, init: { status?: 200 | 201 | 202; headers?: Record<string, string> }): Reply<T> {
  return { [REPLY]: true, body, ...init };
}
const isReply = (x: unknown): x is Reply<unknown> => typeof x === "object" && x !== null && REPLY in x;

/** A route that builds its own non-JSON answer (a file, a document) may return a Response. */
type Result<D extends ApiRoute> = RouteBody<D> | Reply<RouteBody<D>> | (D extends { produces: string } ? Response : never);

export interface RouteContext<D extends ApiRoute> {
  req: Request;
  caller: Caller;
  params: PathParams<D["path"]>;
  query: Parsed<D["query"]>;
  body: Parsed<D["body"]>;
}
export type PublicRouteContext<D extends ApiRoute> = Omit<RouteContext<D>, "caller">;

/**
 * A handler answered with a body its route's response schema rejects. Nothing of it is sent: the
 * client gets a plain 500, and the log line names the route and the failing field paths, never values.
 */
class ResponseContractError extends Error {
  constructor(
    readonly route: string,
    readonly issues: { path: string; code: string }[],
  ) {
    super(`${route}: the handler's answer does not match its response schema`);
    this.name = "ResponseContractError";
  }
}

function issuesOf(e: z.ZodError): AppError {
  const issues = zodIssues("", e);
  const first = issues[0]!;
  return new AppError("validation", `${first.field}: ${first.message}`, issues);
}

/** Query string → schema; repeated or unknown parameters are ignored, bad values are a 422 naming the parameter. */
function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams.entries());
  const bad = unstorableString(params, []);
  if (bad)
    throw new AppError("validation", `${bad}: contains a NUL character or broken unicode`, [
      { field: bad, message: "contains a NUL character or broken unicode" },
    ]);
  const r = schema.safeParse(params);
  if (!r.success) throw issuesOf(r.error);
  return r.data;
}

/** JSON body (readJson's cap and checks) → schema; anything but an object is a 422 on `body`. */
async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const raw = await readJson(req);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new AppError("validation", "body: must be a JSON object", [{ field: "body", message: "must be a JSON object" }]);
  const r = schema.safeParse(raw);
  if (!r.success) throw issuesOf(r.error);
  return r.data;
}

async function pathParams(params: Promise<Record<string, string>> | undefined): Promise<Record<string, string>> {
  const p = (await params) ?? {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== "string" || !PATH_PARAM.test(v)) throw new AppError("not_found", `${k}: no such resource`);
  }
  return p;
}

type Def = {
  type?: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType | undefined): Def => (s as unknown as { _zod?: { def?: Def } } | undefined)?._zod?.def ?? {};

/**
 * An issue's path as the schema names it: property names and list indexes are kept, a record's keys
 * (label names, ids: data of the body) are written `*`, so the log line says where the answer broke
 * without quoting any of it.
 */
function schemaPath(schema: z.ZodType, path: PropertyKey[]): string {
  const out: string[] = [];
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    let d = defOf(s);
    for (let n = 0; n < 10 && (d.innerType ?? d.out); n++) {
      s = d.innerType ?? d.out;
      d = defOf(s);
    }
    if (d.type === "union") {
      s = d.options?.find((o) => typeof seg === "string" && defOf(o).shape?.[seg]);
      d = defOf(s);
    }
    if (d.type === "object" && typeof seg === "string" && d.shape?.[seg]) {
      out.push(seg);
      s = d.shape[seg];
    } else if (d.type === "array" && typeof seg === "number") {
      out.push(String(seg));
      s = d.element;
    } else {
      out.push("*");
      s = d.type === "record" ? d.valueType : undefined;
    }
  }
  return out.join(".") || "(body)";
}

/** The handler's value as the HTTP answer: checked against the response schema, which also drops unnamed fields. */
function respond(def: ApiRoute, out: unknown, requestId: string, defaults: Record<string, string>): Response {
  if (out instanceof Response) {
    if (!def.produces) throw new Error(`${def.method} ${def.path} answered with a raw Response but its definition produces JSON`);
    return withRequestId(out, requestId);
  }
  const r = isReply(out) ? out : { body: out, status: undefined, headers: undefined };
  const status = r.status ?? def.status;
  const headers = { ...defaults, ...r.headers, [REQUEST_ID_HEADER]: requestId };
  if (status === 204) return new Response(null, { status, headers });
  if (!def.response) throw new Error(`${def.method} ${def.path} has no response schema`);
  const checked = def.response.safeParse(r.body);
  if (!checked.success)
    throw new ResponseContractError(
      `${def.method} ${def.path}`,
      checked.error.issues.slice(0, MAX_ISSUES).map((i) => ({ path: schemaPath(def.response!, i.path), code: i.code })),
    );
  return Response.json(checked.data, { status, headers });
}

/**
 * The wrapper of every authenticated /api/v1 route: `route(api("GET /guardrails/{id}"), ({ caller, params }) => …)`.
 * The definition says who may call (permission), what the path, query and body are, and what comes back.
 */
export function route<const D extends ApiRoute>(def: D, handler: (ctx: RouteContext<D>) => Promise<Result<D>>) {
  if (def.public) throw new Error(`${def.method} ${def.path} is public: serve it with publicRoute()`);
  const permission = def.permission;
  return withRequestLog(async (req: Request, ctx: { params: Promise<Record<string, string>> }): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      checkOrigin(req);
      const caller = await authenticate(req);
      bindLogFields({ workspaceId: caller.workspaceId });
      if (permission && !can(caller.role, permission[0], permission[1] as never)) {
        throw new AppError("forbidden", `your role (${caller.role}) cannot ${permission[1]} ${permission[0]}s`);
      }
      checkScope(caller, def);
      const params = (await pathParams(ctx?.params)) as PathParams<D["path"]>;
      const query = (def.query ? parseQuery(req, def.query) : undefined) as Parsed<D["query"]>;
      const body = (def.body ? await parseBody(req, def.body) : undefined) as Parsed<D["body"]>;
      return respond(def, await handler({ req, caller, params, query, body }), requestId, {});
    } catch (e) {
      return errorResponse(e, requestId);
    }
  });
}

/**
 * A route anyone may call (an invitation link's holder has no account yet; the document): same CSRF
 * check, parsing, response check and error shape as `route`, no caller. The handler authenticates by
 * other means (a signed token). Its answers are never cached and send no referrer (the link is a secret).
 */
export function publicRoute<const D extends ApiRoute>(def: D, handler: (ctx: PublicRouteContext<D>) => Promise<Result<D>>) {
  if (!def.public) throw new Error(`${def.method} ${def.path} is not public: serve it with route()`);
  return withRequestLog(async (req: Request, ctx?: { params: Promise<Record<string, string>> }): Promise<Response> => {
    const requestId = requestIdOf(req);
    try {
      checkOrigin(req);
      const params = (await pathParams(ctx?.params)) as PathParams<D["path"]>;
      const query = (def.query ? parseQuery(req, def.query) : undefined) as Parsed<D["query"]>;
      const body = (def.body ? await parseBody(req, def.body) : undefined) as Parsed<D["body"]>;
      return respond(def, await handler({ req, params, query, body }), requestId, {
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
      });
    } catch (e) {
      return errorResponse(e, requestId);
    }
  });
}
