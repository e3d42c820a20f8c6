import { randomUUID } from "node:crypto";
import { activityLogRoute } from "./activity-log.ts";
import { authorize } from "./auth.ts";
import type { AzureCore } from "./core.ts";
import { ArmError, badRequest, notFound } from "./errors.ts";
import { API_VERSIONS, type ArmReply, type Req, type Route } from "./arm-common.ts";
import { entitiesRoute, mgRoute } from "./arm-management-groups.ts";
import { policyRoute } from "./arm-policy.ts";
import { subscriptionRoute } from "./arm-subscriptions.ts";

// The routes live by resource provider: arm-policy.ts (Microsoft.Authorization), arm-management-groups.ts
// (Microsoft.Management), arm-subscriptions.ts (subscriptions and tags); shared shapes are in arm-common.ts.
export { type ArmReply } from "./arm-common.ts";

function route(core: AzureCore, req: Req): Route | undefined {
  const segs = req.url.pathname
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const l = segs.map((s) => s.toLowerCase());
  // Policy resources: {scope}/providers/Microsoft.Authorization/{type}[/{name}]
  for (let i = segs.length - 2; i >= 0; i--) {
    if (l[i] === "providers" && l[i + 1] === "microsoft.authorization") {
      if (segs.length !== i + 3 && segs.length !== i + 4) return undefined;
      return policyRoute(core, req, segs.slice(0, i), l[i + 2]!, segs[i + 3]);
    }
  }
  // Activity Log: {"/subscriptions/{id}" | ""}/providers/microsoft.insights/eventtypes/management/values
  const tail = l.slice(-5).join("/");
  if (tail === "providers/microsoft.insights/eventtypes/management/values") {
    if (segs.length === 5) return activityLogRoute(core, req, undefined);
    if (segs.length === 7 && l[0] === "subscriptions") return activityLogRoute(core, req, segs[1]);
    return undefined;
  }
  if (segs.length === 3 && l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "getentities")
    return entitiesRoute(core, req);
  if (l[0] === "providers" && l[1] === "microsoft.management" && l[2] === "managementgroups") return mgRoute(core, req, segs);
  if (l[0] === "subscriptions") return subscriptionRoute(core, req, segs);
  return undefined;
}

/** Serves one ARM request (everything except /_admin and the token endpoint). Throws ArmError for failures. */
export async function handleArm(core: AzureCore, req: Req, authHeader: string | undefined): Promise<ArmReply> {
  const apiVersion = req.url.searchParams.get("api-version");
  if (!apiVersion) {
    core.counters.inc("MissingApiVersion");
    throw badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  await core.faults.delay();
  const fault = core.faults.decide();
  if (fault.kind === "outage") {
    core.counters.inc("Fault_Outage");
    throw new ArmError(
      503,
      "ServiceUnavailable",
      "The server (leased) is currently unable to handle the request due to a temporary overloading or maintenance. Please retry the request later.",
      { "retry-after": "1" },
    );
  }
  if (fault.kind === "error") {
    core.counters.inc("Fault_Error");
    throw new ArmError(
      500,
      "InternalServerError",
      `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', tracking id '${randomUUID()}'.`,
    );
  }
  const appId = core.tokens.check(authHeader, core.state.tenantId, core.baseUrl);
  const r = route(core, req);
  if (!r) {
    core.counters.inc("Unknown");
    throw notFound(
      "InvalidResourceType",
      `The resource type could not be found for the request path '${req.url.pathname}' and api version '${apiVersion}'.`,
    );
  }
  core.counters.inc(r.op);
  const supported = API_VERSIONS[r.family]!;
  if (!supported.includes(apiVersion)) {
    throw badRequest(
      "InvalidResourceType",
      `No registered resource provider found for location 'global' and API version '${apiVersion}' for type '${r.typeName}'. The supported api-versions are '${supported.join(", ")}'.`,
    );
  }
  const wait = core.throttler.check(r.method);
  if (wait > 0) {
    core.counters.inc("Throttled");
    const secs = Math.max(1, Math.ceil(wait / 1000));
    const sub = /^\/subscriptions\/([^/]+)/i.exec(r.authScope)?.[1];
    throw new ArmError(
      429,
      sub ? "SubscriptionRequestsThrottled" : "TenantRequestsThrottled",
      `Number of '${r.method}' requests for ${sub ? `subscription '${sub}'` : `tenant '${core.state.tenantId}'`} actor '${appId}' exceeded. Please try again after '${secs}' seconds after additional tokens are available.`,
      { "retry-after": String(secs) },
    );
  }
  const app = core.state.apps.get(appId.toLowerCase());
  if (!app) throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
  // Writes, deletes and actions land in the Activity Log with their outcome, refused ones included.
  const record = (httpStatus: number, err?: ArmError): void => {
    if (r.method !== "write") return;
    let requestBody: unknown;
    if ((req.method === "PUT" || req.method === "PATCH") && req.body.length > 0) {
      try {
        requestBody = JSON.parse(req.body.toString("utf8"));
      } catch {
        requestBody = undefined;
      }
    }
    core.activity.record({
      operationName: r.action,
      // ARM treats repeated slashes as one (SDKs given a scope with a leading slash send two).
      resourceId: req.url.pathname.replace(/\/{2,}/g, "/"),
      method: req.method,
      caller: { objectId: app.objectId, appId: app.appId },
      httpStatus,
      ...(requestBody !== undefined ? { requestBody } : {}),
      ...(err ? { errorCode: err.code, errorMessage: err.message } : {}),
    });
  };
  let reply: ArmReply;
  try {
    if (r.chain) authorize(app, r.action, r.chain(), r.authScope);
    reply = r.exec(core.callerFor(app.appId));
  } catch (e) {
    if (e instanceof ArmError) record(e.status, e);
    throw e;
  }
  record(reply.status);
  if (r.method === "write") core.persister.schedule();
  return reply;
}
