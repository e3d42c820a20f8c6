import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counters } from "../common/counters.ts";
import type { FaultInjector } from "../common/faults.ts";
import { BodyTooLargeError, readBody, sendJson, tryParseJson } from "../common/http.ts";
import type { Throttler } from "../common/throttle.ts";
import type { OciAuditLog } from "./audit.ts";
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
  service: "identity" | "cloudguard" | "audit";
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
const AUDIT = "/20190901";
/** The region the simulator answers as (its endpoints' region in recorded audit events). */
export const OCI_SIM_REGION = "eu-frankfurt-1";
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
    private readonly audit: OciAuditLog,
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
      pattern: new RegExp(`^${service === "identity" ? IDENTITY : service === "audit" ? AUDIT : CLOUDGUARD}${path}$`),
      op,
      write,
      handle,
      idempotent,
    });
    const etag = (e: string): Record<string, string> => ({ etag: e });
    return [
      // ---------------- Audit (ListEvents: per compartment, not recursive; ListEvents takes no limit)
      r("GET", "audit", "/auditEvents", "ListEvents", false, (c) => {
        const events = this.audit.list(c.query, new Date());
        if (!s.compartments.has(c.query.get("compartmentId") ?? "") && c.query.get("compartmentId") !== s.tenancy.id) throw notFound();
        const page = paginate(events, this.cfg().pageSize, opt(c.query, "page"));
        const headers: Record<string, string> = page.next ? { "opc-next-page": page.next } : {};
        return { status: 200, body: page.items, headers };
      }),
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
      r("DELETE", "identity", `/compartments/${id}`, "DeleteCompartment", true, (c) => {
        const wr = s.deleteCompartment(c.params[0] as string, ifMatch(c), c.actor);
        return { status: 202, headers: { "opc-work-request-id": wr.id } };
      }),
      r("GET", "identity", `/workRequests/${id}`, "GetWorkRequest", false, (c) => {
        const wr = s.workRequests.get(c.params[0] as string);
        if (!wr) throw notFound();
        return { status: 200, body: wr };
      }),
      // ListUserGroupMemberships / GetGroup (Identity API 20160918; oci-identity UserGroupMembership and
      // Group models): memberships are listed in the tenancy (the root compartment) by user or group.
      r("GET", "identity", "/userGroupMemberships", "ListUserGroupMemberships", false, (c) => {
        const compartmentId = requiredParam(c.query, "compartmentId");
        if (compartmentId !== s.tenancy.id) throw notFound();
        const userId = opt(c.query, "userId");
        const groupId = opt(c.query, "groupId");
        const rows = [...s.users.values()]
          .filter((u) => userId === undefined || u.id === userId)
          .flatMap((u) => (u.groupIds ?? []).map((g) => ({ user: u.id, group: g })))
          .filter((m) => groupId === undefined || m.group === groupId);
        return this.pageOf(
          rows,
          c.query,
          (m) => ({
            id: `ocid1.groupmembership.oc1..${Buffer.from(`${m.user}|${m.group}`).toString("hex").slice(-40)}`,
            compartmentId: s.tenancy.id,
            groupId: m.group,
            userId: m.user,
            timeCreated: "2026-01-01T00:00:00.000Z",
            lifecycleState: "ACTIVE",
          }),
          true,
        );
      }),
      r("GET", "identity", "/groups", "ListGroups", false, (c) => {
        if (requiredParam(c.query, "compartmentId") !== s.tenancy.id) throw notFound();
        return this.pageOf(
          [...s.groups.values()],
          c.query,
          (g) => ({
            id: g.id,
            compartmentId: s.tenancy.id,
            name: g.name,
            description: g.name,
            timeCreated: "2026-01-01T00:00:00.000Z",
            lifecycleState: "ACTIVE",
          }),
          true,
        );
      }),
      r("GET", "identity", `/groups/${id}`, "GetGroup", false, (c) => {
        const g = s.groups.get(c.params[0] as string);
        if (!g) throw notFound();
        return {
          status: 200,
          body: {
            id: g.id,
            compartmentId: s.tenancy.id,
            name: g.name,
            description: g.name,
            timeCreated: "2026-01-01T00:00:00.000Z",
            lifecycleState: "ACTIVE",
          },
        };
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
    return path.startsWith(`${IDENTITY}/`) || path.startsWith(`${CLOUDGUARD}/`) || path.startsWith(`${AUDIT}/`);
  }

  /**
   * The compartment Audit files a call under: the resource's compartment (`data.compartmentId` is "the
   * compartment of the resource emitting the event"), from the request, the reply or the store, else the tenancy.
   */
  private auditCompartment(query: URLSearchParams, body: ReturnType<typeof tryParseJson> | undefined, reply?: Reply): string {
    const fromObj = (o: unknown): string | undefined =>
      typeof o === "object" && o !== null && typeof (o as { compartmentId?: unknown }).compartmentId === "string"
        ? (o as { compartmentId: string }).compartmentId
        : undefined;
    return fromObj(reply?.body) ?? (body?.ok ? fromObj(body.value) : undefined) ?? query.get("compartmentId") ?? this.store.tenancy.id;
  }

  /** The compartment of the resource a path names, while it still exists. */
  private storedCompartment(params: string[], path: string): string | undefined {
    const id = params[0];
    if (!id) return undefined;
    return (
      this.store.policies.get(id)?.compartmentId ??
      (path.includes("/compartments/") ? this.store.compartments.get(id)?.compartmentId : undefined) ??
      this.store.zones.get(id)?.compartmentId ??
      this.store.recipes.get(id)?.compartmentId
    );
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
      const principalId = auth.userId;
      // Every Identity and Cloud Guard call the simulator serves past authentication is audited,
      // refusals included (Audit's own reads are not, so listing does not feed itself).
      const audited = route.service !== "audit";
      // Looked up before the call: a delete removes what names the compartment.
      const before = audited ? this.storedCompartment(params, path) : undefined;
      const record = (status: number, message: string | undefined, reply?: Reply): void => {
        if (!audited) return;
        const u = this.store.users.get(principalId);
        const compartmentId =
          before ?? this.auditCompartment(query, method === "POST" || method === "PUT" ? tryParseJson(body) : undefined, reply);
        this.audit.record({
          eventName: route.op,
          service: route.service,
          compartmentId,
          ...(this.store.compartments.get(compartmentId) ? { compartmentName: this.store.compartments.get(compartmentId)?.name } : {}),
          principalId,
          ...(u ? { principalName: u.name } : {}),
          principalType: "user",
          tenancyId: this.store.tenancy.id,
          method,
          path,
          status,
          ...(message ? { message } : {}),
          region: OCI_SIM_REGION,
          ...(params[0] ? { resourceId: params[0] } : {}),
        });
      };
      if (!this.store.mayCall(auth.userId, route.op)) {
        const e = notFound();
        record(e.status, `${e.code}: ${e.message}`);
        throw e;
      }

      const family = `${route.service}-${route.write ? "write" : "read"}`;
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

      let reply: Reply;
      try {
        reply = route.handle({
          params,
          query,
          body: parsed,
          headers: req.headers,
          actor: { principalId: auth.userId, via: "api" },
        });
      } catch (e) {
        if (e instanceof OciApiError) record(e.status, `${e.code}: ${e.message}`);
        throw e;
      }
      record(reply.status, undefined, reply);
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
