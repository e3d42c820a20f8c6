import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counters } from "../common/counters.ts";
import type { FaultInjector } from "../common/faults.ts";
import { BodyTooLargeError, readBody, sendJson, tryParseJson } from "../common/http.ts";
import type { Throttler } from "../common/throttle.ts";
import { SECURITY_ZONE_POLICIES } from "./catalog.ts";
import { invalid, missing, notFound, OciApiError } from "./errors.ts";
import { makeRequestId } from "./ids.ts";
import { verifyRequest } from "./signature.ts";
import { paginate, type Actor, type OciStore } from "./store.ts";
import { getTarget, listTargets, targetWire } from "./targets.ts";
import { compartmentWire, policyWire, recipeWire, securityPolicyWire, tenancyWire, zoneSummaryWire, zoneWire } from "./wire.ts";

/** Throttle families: one token bucket each. */
export type OciFamily = "identity-read" | "identity-write" | "cloudguard-read" | "cloudguard-write";

interface RouteCtx {
  params: string[];
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage["headers"];
  actor: Actor;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Route {
  method: string;
  service: "identity" | "cloudguard";
  pattern: RegExp;
  op: string;
  write: boolean;
  /** Create operations honour opc-retry-token. */
  idempotent?: boolean;
  handle: (ctx: RouteCtx) => Reply;
}

export interface OciServerConfig {
  pageSize: number;
  maxPageSize: number;
  clockSkewToleranceSec: number;
}

const IDENTITY = "/20160918";
const CLOUDGUARD = "/20200131";
const RETRY_TOKEN_CAP = 10_000;

function ifMatch(ctx: RouteCtx): string | undefined {
  const v = ctx.headers["if-match"];
  return typeof v === "string" && v !== "" && v !== "*" ? v : undefined;
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalid(`Query parameter '${name}' must be true or false.`);
}

function opt(q: URLSearchParams, name: string): string | undefined {
  return q.get(name) ?? undefined;
}

function requiredParam(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (!v) throw missing(name);
  return v;
}

export class OciHttpApi {
  private readonly routes: Route[];
  private readonly retryTokens = new Map<string, { hash: string; reply: Reply }>();

  constructor(
    private readonly store: OciStore,
    private readonly cfg: () => OciServerConfig,
    private readonly counters: Counters,
    private readonly throttler: Throttler,
    private readonly faults: FaultInjector,
  ) {
    this.routes = this.buildRoutes();
  }

  private limit(q: URLSearchParams): number {
    const raw = q.get("limit");
    const { pageSize, maxPageSize } = this.cfg();
    if (raw === null) return pageSize;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > maxPageSize) {
      throw invalid(`Query parameter 'limit' must be an integer between 1 and ${maxPageSize}.`);
    }
    return n;
  }

  private pageOf<T>(all: T[], q: URLSearchParams, wire: (t: T) => unknown, bare: boolean): Reply {
    const page = paginate(all, this.limit(q), opt(q, "page"));
    const items = page.items.map(wire);
    return {
      status: 200,
      body: bare ? items : { items },
      headers: page.next ? { "opc-next-page": page.next } : {},
    };
  }

  private buildRoutes(): Route[] {
    const s = this.store;
    const id = "([^/]+)";
    const r = (
      method: string,
      service: Route["service"],
      path: string,
      op: string,
      write: boolean,
      handle: Route["handle"],
      idempotent = false,
    ): Route => ({
      method,
      service,
      pattern: new RegExp(`^${service === "identity" ? IDENTITY : CLOUDGUARD}${path}$`),
      op,
      write,
      handle,
      idempotent,
    });
    const etag = (e: string): Record<string, string> => ({ etag: e });
    return [
      // ---------------- Identity
      r("GET", "identity", `/tenancies/${id}`, "GetTenancy", false, (c) => {
        if (c.params[0] !== s.tenancy.id) throw notFound();
        return { status: 200, body: tenancyWire(s.tenancy) };
      }),
      r("GET", "identity", "/compartments", "ListCompartments", false, (c) => {
        const all = s.listCompartments({
          compartmentId: requiredParam(c.query, "compartmentId"),
          subtree: boolParam(c.query, "compartmentIdInSubtree"),
          accessLevel: opt(c.query, "accessLevel"),
          name: opt(c.query, "name"),
          lifecycleState: opt(c.query, "lifecycleState"),
          sortBy: opt(c.query, "sortBy"),
          sortOrder: opt(c.query, "sortOrder"),
        });
        return this.pageOf(all, c.query, compartmentWire, true);
      }),
      r("GET", "identity", `/compartments/${id}`, "GetCompartment", false, (c) => {
        const comp = s.getCompartment(c.params[0] as string);
        return { status: 200, body: compartmentWire(comp), headers: etag(comp.etag) };
      }),
      r(
        "POST",
        "identity",
        "/compartments",
        "CreateCompartment",
        true,
        (c) => {
          const comp = s.createCompartment(c.body, c.actor);
          return { status: 200, body: compartmentWire(comp), headers: etag(comp.etag) };
        },
        true,
      ),
      r("PUT", "identity", `/compartments/${id}`, "UpdateCompartment", true, (c) => {
        const comp = s.updateCompartment(c.params[0] as string, c.body, ifMatch(c), c.actor);
        return { status: 200, body: compartmentWire(comp), headers: etag(comp.etag) };
      }),
      r(
        "POST",
        "identity",
        `/compartments/${id}/actions/moveCompartment`,
        "MoveCompartment",
        true,
        (c) => {
          const wr = s.moveCompartment(c.params[0] as string, c.body, ifMatch(c), c.actor);
          return { status: 202, headers: { "opc-work-request-id": wr.id } };
        },
        true,
      ),
      r("GET", "identity", `/workRequests/${id}`, "GetWorkRequest", false, (c) => {
        const wr = s.workRequests.get(c.params[0] as string);
        if (!wr) throw notFound();
        return { status: 200, body: wr };
      }),
      r("GET", "identity", "/policies", "ListPolicies", false, (c) => {
        const all = s.listPolicies({
          compartmentId: requiredParam(c.query, "compartmentId"),
          name: opt(c.query, "name"),
          lifecycleState: opt(c.query, "lifecycleState"),
          sortBy: opt(c.query, "sortBy"),
          sortOrder: opt(c.query, "sortOrder"),
        });
        return this.pageOf(all, c.query, policyWire, true);
      }),
      r("GET", "identity", `/policies/${id}`, "GetPolicy", false, (c) => {
        const p = s.getPolicy(c.params[0] as string);
        return { status: 200, body: policyWire(p), headers: etag(p.etag) };
      }),
      r(
        "POST",
        "identity",
        "/policies",
        "CreatePolicy",
        true,
        (c) => {
          const p = s.createPolicy(c.body, c.actor);
          return { status: 200, body: policyWire(p), headers: etag(p.etag) };
        },
        true,
      ),
      r("PUT", "identity", `/policies/${id}`, "UpdatePolicy", true, (c) => {
        const p = s.updatePolicy(c.params[0] as string, c.body, ifMatch(c), c.actor);
        return { status: 200, body: policyWire(p), headers: etag(p.etag) };
      }),
      r("DELETE", "identity", `/policies/${id}`, "DeletePolicy", true, (c) => {
        s.deletePolicy(c.params[0] as string, ifMatch(c), c.actor);
        return { status: 204 };
      }),
      // ---------------- Cloud Guard
      r("GET", "cloudguard", "/securityPolicies", "ListSecurityPolicies", false, (c) => {
        s.activeCompartment(requiredParam(c.query, "compartmentId"));
        let all = [...SECURITY_ZONE_POLICIES];
        const dn = opt(c.query, "displayName");
        const pid = opt(c.query, "id");
        const ls = opt(c.query, "lifecycleState");
        if (dn !== undefined) all = all.filter((p) => p.displayName === dn);
        if (pid !== undefined) all = all.filter((p) => p.id === pid);
        if (ls !== undefined && ls !== "ACTIVE") all = [];
        return this.pageOf(all, c.query, (p) => securityPolicyWire(p, s.tenancy.id), false);
      }),
      r("GET", "cloudguard", `/securityPolicies/${id}`, "GetSecurityPolicy", false, (c) => {
        const p = SECURITY_ZONE_POLICIES.find((x) => x.id === c.params[0]);
        if (!p) throw notFound();
        return { status: 200, body: securityPolicyWire(p, s.tenancy.id), headers: etag("oracle-managed") };
      }),
      r("GET", "cloudguard", "/securityRecipes", "ListSecurityRecipes", false, (c) => {
        const all = s.listRecipes({
          compartmentId: requiredParam(c.query, "compartmentId"),
          displayName: opt(c.query, "displayName"),
          id: opt(c.query, "id"),
          lifecycleState: opt(c.query, "lifecycleState"),
          sortBy: opt(c.query, "sortBy"),
          sortOrder: opt(c.query, "sortOrder"),
        });
        return this.pageOf(all, c.query, recipeWire, false);
      }),
      r("GET", "cloudguard", `/securityRecipes/${id}`, "GetSecurityRecipe", false, (c) => {
        const rec = s.getRecipe(c.params[0] as string);
        return { status: 200, body: recipeWire(rec), headers: etag(rec.etag) };
      }),
      r(
        "POST",
        "cloudguard",
        "/securityRecipes",
        "CreateSecurityRecipe",
        true,
        (c) => {
          const rec = s.createRecipe(c.body, c.actor);
          return { status: 200, body: recipeWire(rec), headers: etag(rec.etag) };
        },
        true,
      ),
      r("PUT", "cloudguard", `/securityRecipes/${id}`, "UpdateSecurityRecipe", true, (c) => {
        const rec = s.updateRecipe(c.params[0] as string, c.body, ifMatch(c), c.actor);
        return { status: 200, body: recipeWire(rec), headers: etag(rec.etag) };
      }),
      r("DELETE", "cloudguard", `/securityRecipes/${id}`, "DeleteSecurityRecipe", true, (c) => {
        s.deleteRecipe(c.params[0] as string, ifMatch(c), c.actor);
        return { status: 204 };
      }),
      r("GET", "cloudguard", "/targets", "ListTargets", false, (c) => {
        const all = listTargets(s, {
          compartmentId: requiredParam(c.query, "compartmentId"),
          subtree: boolParam(c.query, "compartmentIdInSubtree"),
          accessLevel: opt(c.query, "accessLevel"),
          lifecycleState: opt(c.query, "lifecycleState"),
          displayName: opt(c.query, "displayName"),
          nonZoneOnly: boolParam(c.query, "isNonSecurityZoneTargetsOnlyQuery"),
        });
        return this.pageOf(all, c.query, targetWire, false);
      }),
      r("GET", "cloudguard", `/targets/${id}`, "GetTarget", false, (c) => {
        const t = getTarget(s, c.params[0] as string);
        return { status: 200, body: targetWire(t), headers: etag(t.etag) };
      }),
      r("GET", "cloudguard", "/securityZones", "ListSecurityZones", false, (c) => {
        const all = s.listZones({
          compartmentId: requiredParam(c.query, "compartmentId"),
          displayName: opt(c.query, "displayName"),
          id: opt(c.query, "id"),
          securityRecipeId: opt(c.query, "securityRecipeId"),
          inSubtree: boolParam(c.query, "isRequiredSecurityZonesInSubtree"),
          lifecycleState: opt(c.query, "lifecycleState"),
          sortBy: opt(c.query, "sortBy"),
          sortOrder: opt(c.query, "sortOrder"),
        });
        return this.pageOf(all, c.query, zoneSummaryWire, false);
      }),
      r("GET", "cloudguard", `/securityZones/${id}`, "GetSecurityZone", false, (c) => {
        const z = s.getZone(c.params[0] as string);
        return { status: 200, body: zoneWire(z, s), headers: etag(z.etag) };
      }),
      r(
        "POST",
        "cloudguard",
        "/securityZones",
        "CreateSecurityZone",
        true,
        (c) => {
          const z = s.createZone(c.body, c.actor);
          return { status: 200, body: zoneWire(z, s), headers: etag(z.etag) };
        },
        true,
      ),
      r("PUT", "cloudguard", `/securityZones/${id}`, "UpdateSecurityZone", true, (c) => {
        const z = s.updateZone(c.params[0] as string, c.body, ifMatch(c), c.actor);
        return { status: 200, body: zoneWire(z, s), headers: etag(z.etag) };
      }),
      r("DELETE", "cloudguard", `/securityZones/${id}`, "DeleteSecurityZone", true, (c) => {
        s.deleteZone(c.params[0] as string, ifMatch(c), c.actor);
        return { status: 204 };
      }),
    ];
  }

  /** Whether this path belongs to the cloud API (as opposed to /_admin/). */
  static owns(path: string): boolean {
    return path.startsWith(`${IDENTITY}/`) || path.startsWith(`${CLOUDGUARD}/`);
  }

  private match(method: string, path: string): { route: Route; params: string[] } | { allowed: boolean } {
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (route.method !== method) continue;
      return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    }
    return { allowed: !pathKnown };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rid = makeRequestId(
      this.store.rand,
      typeof req.headers["opc-request-id"] === "string" ? req.headers["opc-request-id"] : undefined,
    );
    const send = (reply: Reply): void => {
      const headers = { ...(reply.headers ?? {}), "opc-request-id": rid };
      if (reply.status === 204 || reply.body === undefined) {
        res.writeHead(reply.status, { ...headers, "content-length": "0" });
        res.end();
      } else sendJson(res, reply.status, reply.body, headers);
    };
    const fail = (e: OciApiError): void => send({ status: e.status, body: { code: e.code, message: e.message }, headers: e.headers });
    try {
      const target = req.url ?? "/";
      const method = (req.method ?? "GET").toUpperCase();
      let body: Buffer;
      try {
        body = await readBody(req);
      } catch (e) {
        if (e instanceof BodyTooLargeError) throw new OciApiError(413, "RequestEntityTooLarge", "The request body is too large.");
        throw e;
      }
      const q = target.indexOf("?");
      const path = q < 0 ? target : target.slice(0, q);
      const query = new URLSearchParams(q < 0 ? "" : target.slice(q + 1));
      let found: ReturnType<OciHttpApi["match"]>;
      try {
        found = this.match(method, path);
      } catch {
        throw new OciApiError(400, "CannotParseRequest", "The request path is not correctly URL-encoded.");
      }
      if (!("route" in found)) {
        if (found.allowed) throw new OciApiError(404, "NotFound", `No API matches ${method} ${path}.`);
        throw new OciApiError(405, "MethodNotAllowed", `${method} is not allowed on ${path}.`);
      }
      const { route, params } = found;
      this.counters.inc(route.op);

      await this.faults.delay();
      const fault = this.faults.decide();
      if (fault.kind === "outage") throw new OciApiError(503, "ServiceUnavailable", "The service is currently unavailable.");
      if (fault.kind === "error") throw new OciApiError(500, "InternalServerError", "An internal server error occurred.");

      const auth = verifyRequest({
        method,
        target,
        headers: req.headers,
        body,
        now: Date.now(),
        clockSkewToleranceSec: this.cfg().clockSkewToleranceSec,
        resolveKey: (t, u, f) => this.store.resolveKey(t, u, f),
      });
      if (!auth.ok) {
        throw new OciApiError(
          401,
          "NotAuthenticated",
          `The required information to complete authentication was not provided or was incorrect: ${auth.message}.`,
        );
      }
      if (!this.store.mayCall(auth.userId, route.op)) throw notFound();

      const family: OciFamily = `${route.service}-${route.write ? "write" : "read"}`;
      const wait = this.throttler.check(family);
      if (wait > 0) {
        throw new OciApiError(429, "TooManyRequests", "Too many requests for the tenancy.", {
          "retry-after": String(Math.max(1, Math.ceil(wait / 1000))),
        });
      }

      let parsed: unknown;
      if (method === "POST" || method === "PUT") {
        const j = tryParseJson(body);
        if (!j.ok) throw new OciApiError(400, "CannotParseRequest", "The request body is not valid JSON.");
        parsed = j.value;
        if (parsed === undefined) throw new OciApiError(400, "CannotParseRequest", "The request body is missing.");
      }

      const tokenHeader = req.headers["opc-retry-token"];
      const token = route.idempotent && typeof tokenHeader === "string" && tokenHeader ? tokenHeader : undefined;
      const tokenKey = token ? `${auth.userId}|${route.op}|${path}|${token}` : undefined;
      const hash = createHash("sha256").update(body).digest("base64");
      if (tokenKey) {
        const prior = this.retryTokens.get(tokenKey);
        if (prior) {
          if (prior.hash !== hash) {
            throw new OciApiError(409, "InvalidatedRetryToken", "The retry token was already used for a request with different content.");
          }
          send(prior.reply);
          return;
        }
      }

      const reply = route.handle({
        params,
        query,
        body: parsed,
        headers: req.headers,
        actor: { principalId: auth.userId, via: "api" },
      });
      if (tokenKey) {
        if (this.retryTokens.size >= RETRY_TOKEN_CAP) {
          const oldest = this.retryTokens.keys().next().value;
          if (oldest !== undefined) this.retryTokens.delete(oldest);
        }
        this.retryTokens.set(tokenKey, { hash, reply });
      }
      send(reply);
    } catch (e) {
      if (e instanceof OciApiError) fail(e);
      else fail(new OciApiError(500, "InternalServerError", "An internal server error occurred."));
    }
  }
}
