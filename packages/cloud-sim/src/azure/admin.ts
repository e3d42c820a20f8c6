import { tryParseJson } from "../common/http.ts";
import type { ActivityCall } from "./activity-log.ts";
import type { AzureCore } from "./core.ts";
import { ArmError, badRequest } from "./errors.ts";
import type { RoleGrant } from "./model.ts";
import { seedAzureDemoCore, seedAzureTenantCore, type SeedOptions } from "./seed.ts";
import { isObject } from "./validate.ts";

/**
 * Admin API (plain JSON, same HTTPS port, no auth: loopback only). Errors use the ARM shape too.
 * The routes are listed below (`ADMIN_ROUTES`, also quoted in the 404 for an unknown route).
 */
const ADMIN_ROUTES = [
  "GET  /_admin/state                       summary (counts, tenant, apps)",
  "GET  /_admin/snapshot                    full state as JSON",
  "POST /_admin/reset                       clear hierarchy and policy resources (built-ins and apps stay)",
  "POST /_admin/seed                        {subscriptions, managementGroups, depth?, tags?, reset?} or {demo: true}",
  "GET  /_admin/config                      current throttle, faults, limits, webhook, pageSize",
  "POST /_admin/config                      patch of the same",
  "GET  /_admin/counters                    requests per ARM operation",
  "POST /_admin/counters/reset",
  "GET  /_admin/events                      events emitted so far (most recent 10,000)",
  "POST /_admin/events/flush                wait until webhook deliveries settle",
  "POST /_admin/apps                        {appId?, displayName?, secret?, grants?, federated?} -> app",
  "POST /_admin/tokens                      {appId, token?, lifetimeSec?} -> {access_token}",
  "POST /_admin/assignments/enforcement-mode {id, enforcementMode, actor?}",
  "POST /_admin/assignments/not-scopes      {id, notScopes: [], actor?}",
  "POST /_admin/definitions/rule            {id, policyRule, actor?}",
  "POST /_admin/delete                      {id, force?, actor?} (assignment, definition, set definition, exemption)",
  "POST /_admin/subscriptions               {subscriptionId?, displayName?, managementGroup?, tags?, actor?}",
  "POST /_admin/subscriptions/move          {subscriptionId, managementGroup, actor?}",
  "POST /_admin/subscriptions/tags          {subscriptionId, tags, operation?: Merge|Replace|Delete, actor?}",
  "POST /_admin/subscriptions/rename        {subscriptionId, displayName, actor?}",
  "POST /_admin/subscriptions/cancel        {subscriptionId, actor?} (state Disabled; it stays in its group)",
  "POST /_admin/management-groups           {name, displayName?, parent?, actor?} (creates, renames or moves)",
  "POST /_admin/management-groups/delete    {name, actor?} (refused while it has children, as ARM refuses)",
  "GET  /_admin/activity-log                 Activity Log entries recorded or appended so far",
  "POST /_admin/activity-log                 {events: [{operationName, resourceId, caller: {objectId, appId?, upn?, groups?}, time?, method?, requestBody?, httpStatus?, errorCode?, errorMessage?}]}",
  "POST /_admin/activity-log/reset",
];

/** An appended call, validated field by field (the admin API's callers are tests and the demo seed). */
function activityCall(v: unknown, i: number): ActivityCall {
  const at = (k: string): string => `events[${i}].${k}`;
  if (!isObject(v)) throw badRequest("InvalidAdminRequest", `'events[${i}]' must be an object`);
  const s = (k: string, required: boolean): string | undefined => {
    const x = v[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== "string" || x === "") throw badRequest("InvalidAdminRequest", `'${at(k)}' must be a non-empty string`);
    return x;
  };
  const operationName = s("operationName", true)!;
  if (!/^[A-Za-z0-9.]+\/.+\/[A-Za-z]+$/.test(operationName)) {
    throw badRequest(
      "InvalidAdminRequest",
      `'${at("operationName")}' must be an ARM operation like Microsoft.Storage/storageAccounts/delete`,
    );
  }
  const resourceId = s("resourceId", true)!;
  if (!resourceId.startsWith("/"))
    throw badRequest("InvalidAdminRequest", `'${at("resourceId")}' must be an ARM resource id starting with /`);
  const c = v.caller;
  if (!isObject(c) || typeof c.objectId !== "string" || c.objectId === "") {
    throw badRequest("InvalidAdminRequest", `'${at("caller.objectId")}' must be a non-empty string`);
  }
  for (const k of ["appId", "upn"]) {
    if (c[k] !== undefined && typeof c[k] !== "string") throw badRequest("InvalidAdminRequest", `'${at(`caller.${k}`)}' must be a string`);
  }
  if (c.groups !== undefined && (!Array.isArray(c.groups) || c.groups.some((g) => typeof g !== "string"))) {
    throw badRequest("InvalidAdminRequest", `'${at("caller.groups")}' must be an array of strings`);
  }
  const time = s("time", false);
  if (time !== undefined && Number.isNaN(Date.parse(time)))
    throw badRequest("InvalidAdminRequest", `'${at("time")}' must be an ISO date-time`);
  const status = v.httpStatus;
  if (status !== undefined && (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599)) {
    throw badRequest("InvalidAdminRequest", `'${at("httpStatus")}' must be an HTTP status between 200 and 599`);
  }
  const verb = operationName.split("/").pop()!.toLowerCase();
  const errorCode = s("errorCode", false);
  const errorMessage = s("errorMessage", false);
  return {
    operationName,
    resourceId,
    method: s("method", false) ?? (verb === "delete" ? "DELETE" : verb === "write" ? "PUT" : "POST"),
    caller: {
      objectId: c.objectId,
      ...(typeof c.appId === "string" ? { appId: c.appId } : {}),
      ...(typeof c.upn === "string" ? { upn: c.upn } : {}),
      ...(Array.isArray(c.groups) ? { groups: c.groups as string[] } : {}),
    },
    ...(time !== undefined ? { time: new Date(time) } : {}),
    ...(v.requestBody !== undefined ? { requestBody: v.requestBody } : {}),
    // A policy refusal unless said otherwise when only the code is given.
    httpStatus: typeof status === "number" ? status : errorCode ? 403 : 200,
    ...(errorCode ? { errorCode } : {}),
    ...(errorMessage ? { errorMessage } : {}),
  };
}

function str(body: Record<string, unknown>, key: string, required = true): string {
  const v = body[key];
  if (typeof v === "string" && v.length > 0) return v;
  if (!required && v === undefined) return "";
  throw badRequest("InvalidAdminRequest", `'${key}' must be a non-empty string`);
}

function optStr(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw badRequest("InvalidAdminRequest", `'${key}' must be a string`);
  return v;
}

function tags(v: unknown, key = "tags"): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw badRequest("InvalidAdminRequest", `'${key}' must be an object of string values`);
  }
  return v as Record<string, string>;
}

export async function handleAdmin(core: AzureCore, method: string, path: string, raw: Buffer): Promise<{ status: number; body: unknown }> {
  const parsed = tryParseJson(raw);
  if (!parsed.ok) throw badRequest("InvalidRequestContent", "The admin request body is not valid JSON.");
  const body = parsed.value === undefined ? {} : parsed.value;
  if (!isObject(body)) throw badRequest("InvalidRequestContent", "The admin request body must be a JSON object.");
  const route = `${method} ${path.replace(/\/+$/, "")}`;
  const ok = (b: unknown): { status: number; body: unknown } => ({ status: 200, body: b });
  switch (route) {
    case "GET /_admin/state":
      return ok(core.summary());
    case "GET /_admin/snapshot":
      return ok(core.state.snapshot());
    case "POST /_admin/reset":
      core.state.clear();
      core.persister.schedule();
      return ok(core.summary());
    case "POST /_admin/seed": {
      if (body.demo === true) return ok(seedAzureDemoCore(core));
      const num = (k: string): number | undefined => {
        const v = body[k];
        if (v === undefined) return undefined;
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 100_000)
          throw badRequest("InvalidAdminRequest", `'${k}' must be an integer between 0 and 100000`);
        return v;
      };
      const tagValues = body.tags;
      if (
        tagValues !== undefined &&
        (!isObject(tagValues) || Object.values(tagValues).some((x) => !Array.isArray(x) || x.some((y) => typeof y !== "string")))
      ) {
        throw badRequest("InvalidAdminRequest", "'tags' must map tag names to arrays of values");
      }
      const opts: SeedOptions = {
        subscriptions: num("subscriptions") ?? 0,
        managementGroups: num("managementGroups") ?? 0,
        ...(num("depth") !== undefined ? { depth: num("depth")! } : {}),
        ...(tagValues !== undefined ? { tags: tagValues as Record<string, string[]> } : {}),
        reset: body.reset === true,
      };
      return ok(seedAzureTenantCore(core, opts));
    }
    case "GET /_admin/config":
      return ok(core.config);
    case "POST /_admin/config": {
      const patch: Parameters<AzureCore["configure"]>[0] = {};
      if ("throttle" in body) {
        if (body.throttle !== false && !isObject(body.throttle))
          throw badRequest("InvalidAdminRequest", "'throttle' must be false or {read:{burst,ratePerSec}, write:{…}}");
        patch.throttle = body.throttle as never;
      }
      if ("faults" in body) {
        if (!isObject(body.faults)) throw badRequest("InvalidAdminRequest", "'faults' must be an object");
        patch.faults = body.faults;
      }
      if ("limits" in body) {
        if (!isObject(body.limits) || Object.values(body.limits).some((v) => typeof v !== "number" || v < 0))
          throw badRequest("InvalidAdminRequest", "'limits' values must be non-negative numbers");
        patch.limits = body.limits;
      }
      if ("webhook" in body) {
        const w = body.webhook;
        if (w !== null && (!isObject(w) || typeof w.url !== "string"))
          throw badRequest("InvalidAdminRequest", "'webhook' must be null or {url, secret?}");
        patch.webhook = w === null ? undefined : { url: w.url as string, ...(typeof w.secret === "string" ? { secret: w.secret } : {}) };
      }
      if ("pageSize" in body) patch.pageSize = body.pageSize as number;
      return ok(core.configure(patch));
    }
    case "GET /_admin/counters":
      return ok({ total: core.counters.total(), operations: core.counters.snapshot() });
    case "POST /_admin/counters/reset":
      core.counters.reset();
      return ok({ total: 0, operations: {} });
    case "GET /_admin/events":
      return ok(core.events);
    case "GET /_admin/activity-log":
      return ok({ value: core.activity.entries });
    case "POST /_admin/activity-log": {
      const events = body.events;
      if (!Array.isArray(events) || events.length === 0 || events.length > 10_000) {
        throw badRequest("InvalidAdminRequest", "'events' must be an array of 1 to 10000 calls");
      }
      const calls = events.map((e, i) => activityCall(e, i));
      return ok({ value: calls.flatMap((c) => core.activity.record(c)) });
    }
    case "POST /_admin/activity-log/reset":
      core.activity.clear();
      return ok({ value: [] });
    case "POST /_admin/events/flush":
      await core.emitter.flush();
      return ok({ delivered: core.emitter.delivered, dropped: core.emitter.dropped });
    case "POST /_admin/apps": {
      const grants = body.grants;
      if (grants !== undefined && (!Array.isArray(grants) || grants.some((g) => !isObject(g) || typeof g.scope !== "string"))) {
        throw badRequest("InvalidAdminRequest", "'grants' must be an array of {role?, actions?, notActions?, scope}");
      }
      const federated = body.federated;
      if (
        federated !== undefined &&
        (!Array.isArray(federated) || federated.some((f) => !isObject(f) || typeof f.issuer !== "string" || typeof f.subject !== "string"))
      ) {
        throw badRequest("InvalidAdminRequest", "'federated' must be an array of {issuer, subject, audience?}");
      }
      const app = core.registerApp({
        ...(optStr(body, "appId") ? { appId: optStr(body, "appId")! } : {}),
        ...(optStr(body, "displayName") ? { displayName: optStr(body, "displayName")! } : {}),
        ...(optStr(body, "secret") ? { secret: optStr(body, "secret")! } : {}),
        ...(grants ? { grants: grants as RoleGrant[] } : {}),
        ...(federated ? { federated: federated as never } : {}),
      });
      return ok({ ...app, secrets: undefined, tenantId: app.tenantId });
    }
    case "POST /_admin/tokens": {
      const lifetime = body.lifetimeSec;
      if (lifetime !== undefined && (typeof lifetime !== "number" || lifetime <= 0))
        throw badRequest("InvalidAdminRequest", "'lifetimeSec' must be a positive number");
      const token = core.issueToken(str(body, "appId"), {
        ...(optStr(body, "token") ? { token: optStr(body, "token")! } : {}),
        ...(typeof lifetime === "number" ? { lifetimeSec: lifetime } : {}),
      });
      return ok({ token_type: "Bearer", access_token: token, expires_in: typeof lifetime === "number" ? lifetime : 3599 });
    }
    case "POST /_admin/assignments/enforcement-mode": {
      const mode = str(body, "enforcementMode");
      if (mode !== "Default" && mode !== "DoNotEnforce")
        throw badRequest("InvalidAdminRequest", "'enforcementMode' must be Default or DoNotEnforce");
      return ok(core.state.toArm(core.setEnforcementMode(str(body, "id"), mode, optStr(body, "actor"))));
    }
    case "POST /_admin/assignments/not-scopes": {
      const ns = body.notScopes;
      if (!Array.isArray(ns) || ns.some((x) => typeof x !== "string"))
        throw badRequest("InvalidAdminRequest", "'notScopes' must be an array of scope strings");
      return ok(core.state.toArm(core.addNotScopes(str(body, "id"), ns as string[], optStr(body, "actor"))));
    }
    case "POST /_admin/definitions/rule":
      return ok(core.state.toArm(core.editDefinitionRule(str(body, "id"), body.policyRule, optStr(body, "actor"))));
    case "POST /_admin/delete":
      core.deleteResource(str(body, "id"), {
        force: body.force === true,
        ...(optStr(body, "actor") ? { actor: optStr(body, "actor")! } : {}),
      });
      return ok({ deleted: body.id });
    case "POST /_admin/subscriptions": {
      const s = core.addSubscription({
        ...(optStr(body, "subscriptionId") ? { subscriptionId: optStr(body, "subscriptionId")! } : {}),
        ...(optStr(body, "displayName") ? { displayName: optStr(body, "displayName")! } : {}),
        ...(optStr(body, "managementGroup") ? { managementGroup: optStr(body, "managementGroup")! } : {}),
        tags: tags(body.tags),
        ...(optStr(body, "actor") ? { actor: optStr(body, "actor")! } : {}),
      });
      return ok(core.state.subArm(s));
    }
    case "POST /_admin/subscriptions/move":
      return ok(
        core.state.subUnderMg(core.moveSubscription(str(body, "subscriptionId"), str(body, "managementGroup"), optStr(body, "actor"))),
      );
    case "POST /_admin/subscriptions/tags": {
      const op = optStr(body, "operation") ?? "Merge";
      if (op !== "Merge" && op !== "Replace" && op !== "Delete")
        throw badRequest("InvalidAdminRequest", "'operation' must be Merge, Replace or Delete");
      return ok(core.state.subArm(core.tagSubscription(str(body, "subscriptionId"), tags(body.tags), op, optStr(body, "actor"))));
    }
    case "POST /_admin/subscriptions/rename":
      return ok(core.state.subArm(core.renameSubscription(str(body, "subscriptionId"), str(body, "displayName"), optStr(body, "actor"))));
    case "POST /_admin/subscriptions/cancel":
      return ok(core.state.subArm(core.cancelSubscription(str(body, "subscriptionId"), optStr(body, "actor"))));
    case "POST /_admin/management-groups":
      core.addManagementGroup(str(body, "name"), optStr(body, "displayName"), optStr(body, "parent"), optStr(body, "actor"));
      return ok(core.state.mgFull(str(body, "name").toLowerCase(), true, false));
    case "POST /_admin/management-groups/delete":
      core.deleteManagementGroup(str(body, "name"), optStr(body, "actor"));
      return ok({ deleted: body.name });
    default:
      throw new ArmError(404, "NotFound", `No admin route '${route}'. Routes: ${ADMIN_ROUTES.map((r) => r.split(/\s{2,}/)[0]).join("; ")}`);
  }
}
