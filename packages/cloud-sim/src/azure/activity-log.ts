import { randomUUID } from "node:crypto";
import type { AzureCore } from "./core.ts";
import { ArmError } from "./errors.ts";
import type { Req, Route } from "./arm-common.ts";

/**
 * The Azure Activity Log (Administrative category) as the simulator keeps it, and the list APIs that
 * read it: "Activity Logs - List" (`GET /subscriptions/{id}/providers/microsoft.insights/eventtypes/
 * management/values`) and "Tenant Activity Logs - List" (`GET /providers/microsoft.insights/eventtypes/
 * management/values`), azure-rest-api-specs specification/monitor/resource-manager/Microsoft.Insights/
 * stable/2015-04-01/activityLogs_API.json and tenantActivityLogs_API.json. There is no list API at
 * management-group scope in the specs, so none is served.
 *
 * Every write / delete / action the simulator serves is recorded the way the schema doc describes it
 * ("Azure Activity Log event schema", Administrative category —
 * https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema): a `Started`
 * entry and a `Succeeded` / `Failed` entry sharing the correlation id, with the caller's claims.
 * Reads are not recorded: the Administrative category holds write, delete and action operations only.
 */

interface LocalizableString {
  value: string;
  localizedValue: string;
}

/** EventData, the spec's shape; `properties` is a string map on the wire (Dictionary<String,String>). */
export interface ActivityEntry {
  authorization: { action: string; scope: string };
  caller: string;
  channels: string;
  claims: Record<string, string>;
  correlationId: string;
  description: string;
  eventDataId: string;
  eventName: LocalizableString;
  category: LocalizableString;
  httpRequest: { clientRequestId: string; clientIpAddress: string; method: string };
  id: string;
  level: "Critical" | "Error" | "Warning" | "Informational" | "Verbose";
  resourceGroupName?: string;
  resourceProviderName: LocalizableString;
  resourceType: LocalizableString;
  resourceId: string;
  operationId: string;
  operationName: LocalizableString;
  properties: Record<string, string>;
  status: LocalizableString;
  subStatus: LocalizableString;
  eventTimestamp: string;
  submissionTimestamp: string;
  subscriptionId: string;
  tenantId: string;
}

/** Who made a call, as the token's claims say it. */
interface ActivityCaller {
  objectId: string;
  appId?: string;
  upn?: string;
  groups?: string[];
}

/** One call to record (or append through the admin API). */
export interface ActivityCall {
  operationName: string;
  resourceId: string;
  method: string;
  caller: ActivityCaller;
  /** Defaults to now. */
  time?: Date;
  /** Logged as `properties.requestbody` on the Started entry. */
  requestBody?: unknown;
  /** HTTP status of the outcome; ≥ 400 is Failed. */
  httpStatus: number;
  /** ARM error code of a failure (RequestDisallowedByPolicy, AuthorizationFailed, …). */
  errorCode?: string;
  errorMessage?: string;
}

/** The Activity Log keeps 90 days ("Activity log retention" in the schema doc above); the sim also bounds the count. */
const RETENTION_MS = 90 * 24 * 3600 * 1000;
// Each entry is ~1.5 KB: 50,000 keeps a long demo history without letting bulk benchmarks grow the heap unbounded.
const MAX_ENTRIES = 50_000;

const local = (v: string, l = v): LocalizableString => ({ value: v, localizedValue: l });
const HTTP_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "NoContent",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  429: "TooManyRequests",
  500: "InternalServerError",
  503: "ServiceUnavailable",
};

/** `Microsoft.Sql/servers/databases` for `/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/a/databases/b`. */
function typeOf(resourceId: string, operationName: string): string {
  const parts = resourceId.split("/").filter(Boolean);
  const p = parts.map((x) => x.toLowerCase()).lastIndexOf("providers");
  if (p >= 0 && parts[p + 1]) return [parts[p + 1], ...parts.slice(p + 2).filter((_, i) => i % 2 === 0)].join("/");
  return operationName.split("/").slice(0, -1).join("/");
}

export class ActivityLog {
  readonly entries: ActivityEntry[] = [];

  constructor(private readonly tenantId: () => string) {}

  record(call: ActivityCall): ActivityEntry[] {
    const t = call.time ?? new Date();
    const correlationId = randomUUID();
    const sub = /^\/subscriptions\/([^/]+)/i.exec(call.resourceId)?.[1] ?? "";
    const rg = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/i.exec(call.resourceId)?.[1];
    const type = typeOf(call.resourceId, call.operationName);
    const tenant = this.tenantId();
    const claims: Record<string, string> = {
      aud: "https://management.core.windows.net/",
      iss: `https://sts.windows.net/${tenant}/`,
      "http://schemas.microsoft.com/identity/claims/tenantid": tenant,
      "http://schemas.microsoft.com/identity/claims/objectidentifier": call.caller.objectId,
      ...(call.caller.appId ? { appid: call.caller.appId, appidacr: "1", idtyp: "app" } : { idtyp: "user" }),
      ...(call.caller.upn ? { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": call.caller.upn, name: call.caller.upn } : {}),
      ...(call.caller.groups?.length ? { groups: call.caller.groups.join(",") } : {}),
    };
    const base = (at: Date, eventDataId: string) => ({
      authorization: { action: call.operationName, scope: call.resourceId },
      caller: call.caller.upn ?? call.caller.appId ?? call.caller.objectId,
      channels: "Operation",
      claims,
      correlationId,
      description: "",
      eventDataId,
      category: local("Administrative"),
      httpRequest: { clientRequestId: randomUUID(), clientIpAddress: "127.0.0.1", method: call.method },
      id: `${call.resourceId}/events/${eventDataId}/ticks/${String(at.getTime() * 10_000 + 621_355_968_000_000_000)}`,
      ...(rg ? { resourceGroupName: rg } : {}),
      resourceProviderName: local(type.split("/")[0] ?? ""),
      resourceType: local(type),
      resourceId: call.resourceId,
      operationId: correlationId,
      operationName: local(call.operationName),
      eventTimestamp: at.toISOString(),
      submissionTimestamp: new Date(at.getTime() + 10_000).toISOString(),
      subscriptionId: sub,
      tenantId: tenant,
    });
    const body = call.requestBody === undefined ? undefined : JSON.stringify(call.requestBody);
    const started: ActivityEntry = {
      ...base(t, randomUUID()),
      eventName: local("BeginRequest", "Begin request"),
      level: "Informational",
      status: local("Started"),
      subStatus: local(""),
      properties: {
        eventCategory: "Administrative",
        entity: call.resourceId,
        message: call.operationName,
        hierarchy: sub ? `${tenant}/${sub}` : tenant,
        ...(body !== undefined ? { requestbody: body } : {}),
      },
    };
    const text = HTTP_TEXT[call.httpStatus] ?? String(call.httpStatus);
    const failed = call.httpStatus >= 400;
    const ended: ActivityEntry = {
      ...base(new Date(t.getTime() + 1), randomUUID()),
      eventName: local("EndRequest", "End request"),
      level: failed ? "Error" : "Informational",
      status: local(failed ? "Failed" : call.httpStatus === 202 ? "Accepted" : "Succeeded"),
      subStatus: local(text, `${text} (HTTP Status Code: ${call.httpStatus})`),
      properties: {
        statusCode: text,
        eventCategory: "Administrative",
        entity: call.resourceId,
        message: call.operationName,
        ...(failed && call.errorCode
          ? { statusMessage: JSON.stringify({ error: { code: call.errorCode, message: call.errorMessage ?? call.errorCode } }) }
          : {}),
      },
    };
    this.entries.push(started, ended);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return [started, ended];
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * This API's errors are `{code, message}` at the top level: the spec's `ErrorResponse` for
 * ActivityLogs_List (activityLogs_API.json), unlike ARM's usual `{error:{…}}`.
 */
class ActivityLogError extends ArmError {
  override body(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}
const bad = (message: string): ActivityLogError => new ActivityLogError(400, "BadRequest", message);

/** The filter fields the spec allows besides the time range (activityLogs_API.json, `$filter`). */
const FILTER_FIELDS: Record<string, (e: ActivityEntry) => string | undefined> = {
  resourcegroupname: (e) => e.resourceGroupName,
  resourceuri: (e) => e.resourceId,
  resourceprovider: (e) => e.resourceProviderName.value,
  correlationid: (e) => e.correlationId,
};
/** `$select` accepts EventData's property names (the spec's SelectParameter lists them). */
const SELECTABLE = new Set(
  [
    "authorization",
    "claims",
    "correlationId",
    "description",
    "eventDataId",
    "eventName",
    "eventTimestamp",
    "httpRequest",
    "level",
    "operationId",
    "operationName",
    "properties",
    "resourceGroupName",
    "resourceProviderName",
    "resourceId",
    "status",
    "submissionTimestamp",
    "subStatus",
    "subscriptionId",
    // EventData's other properties, which clients select too (the CLI asks for caller and category).
    "caller",
    "category",
    "channels",
    "id",
    "resourceType",
    "tenantId",
  ].map((s) => s.toLowerCase()),
);

interface ParsedFilter {
  from: number;
  to: number;
  field?: { name: string; value: string };
}

/**
 * The spec allows exactly these patterns: `eventTimestamp ge 'T1' and eventTimestamp le 'T2'`, optionally
 * followed by `and <resourceGroupName|resourceUri|resourceProvider|correlationId> eq 'V'`, "No other
 * syntax is allowed". The start time is required (azure-rest-api-specs issue #2467, "$filter is not
 * optional and it requires at least a start time"); the end defaults to now. The log keeps 90 days, and
 * a start older than that is refused (azure-cli issue #4885: Bad Request for a start 3 months back).
 */
function parseActivityFilter(filter: string | null, now: number): ParsedFilter {
  if (filter === null || filter.trim() === "") {
    throw bad("The $filter query parameter is required and must contain at least a start time: eventTimestamp ge '<time>'.");
  }
  const clauses = filter.trim().split(/\s+and\s+/i);
  let from: number | undefined;
  let to: number | undefined;
  let field: ParsedFilter["field"];
  for (const c of clauses) {
    const m = /^(\w+)\s+(ge|le|eq)\s+'([^']*)'$/i.exec(c.trim());
    if (!m) throw bad(`The $filter clause '${c}' is invalid; only "<field> ge|le|eq '<value>'" joined by 'and' is supported.`);
    const [, name, op, value] = m as unknown as [string, string, string, string];
    const key = name.toLowerCase();
    if (key === "eventtimestamp") {
      const t = Date.parse(value);
      if (Number.isNaN(t)) throw bad(`The eventTimestamp value '${value}' is not a valid date time.`);
      if (op.toLowerCase() === "ge" && from === undefined) from = t;
      else if (op.toLowerCase() === "le" && to === undefined) to = t;
      else throw bad(`The $filter may hold one 'eventTimestamp ge' and one 'eventTimestamp le' clause, not '${c}'.`);
    } else if (FILTER_FIELDS[key] && op.toLowerCase() === "eq" && !field) {
      field = { name: key, value };
    } else {
      throw bad(
        `The $filter field '${name}' is not supported; after the eventTimestamp range only one of resourceGroupName, resourceUri, resourceProvider or correlationId eq '<value>' is allowed.`,
      );
    }
  }
  if (from === undefined) throw bad("The $filter must contain a start time: eventTimestamp ge '<time>'.");
  const end = to ?? now;
  if (end < from) throw bad("The end time of the $filter is before its start time.");
  if (from < now - RETENTION_MS) throw bad("The start time of the $filter is older than 90 days; the Activity Log keeps 90 days.");
  return { from, to: end, ...(field ? { field } : {}) };
}

function parseSelect(select: string | null): string[] | undefined {
  if (select === null || select.trim() === "") return undefined;
  const names = select.split(",").map((s) => s.trim());
  const unknown = names.filter((n) => !SELECTABLE.has(n.toLowerCase()));
  if (unknown.length) throw bad(`The $select property '${unknown[0]!}' is not a property of EventData.`);
  return names;
}

function project(e: ActivityEntry, names: string[] | undefined): Record<string, unknown> {
  if (!names) return e as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const rec = e as unknown as Record<string, unknown>;
  for (const n of names) {
    const k = Object.keys(rec).find((x) => x.toLowerCase() === n.toLowerCase());
    if (k) out[k] = rec[k];
  }
  return out;
}

/** `GET …/providers/microsoft.insights/eventtypes/management/values` at subscription (`sub`) or tenant scope. */
export function activityLogRoute(core: AzureCore, req: Req, sub: string | undefined): Route {
  const scope = sub ? `/subscriptions/${sub}` : "/";
  return {
    family: "activityLogs",
    typeName: "eventtypes",
    op: sub ? "ActivityLogs_List" : "TenantActivityLogs_List",
    method: "read",
    // "Microsoft.Insights/eventtypes/values/read" (Read management event type values), part of Reader.
    action: "Microsoft.Insights/eventtypes/values/read",
    chain: () => core.state.chain(sub ? { kind: "sub", sub } : { kind: "tenant" }),
    authScope: scope,
    exec: () => {
      if (req.method !== "GET") {
        throw new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${req.method}'.`);
      }
      if (sub) core.state.mustSub(sub);
      const f = parseActivityFilter(req.url.searchParams.get("$filter"), Date.now());
      const select = parseSelect(req.url.searchParams.get("$select"));
      const match = f.field ? FILTER_FIELDS[f.field.name]! : undefined;
      const want = f.field?.value.toLowerCase();
      // Newest first, as the service lists them.
      const items = core.activity.entries
        .filter((e) => (sub ? e.subscriptionId.toLowerCase() === sub.toLowerCase() : e.subscriptionId === ""))
        .filter((e) => {
          const t = Date.parse(e.eventTimestamp);
          return t >= f.from && t <= f.to;
        })
        .filter((e) => !match || (match(e) ?? "").toLowerCase() === want)
        .sort((a, b) => (a.eventTimestamp < b.eventTimestamp ? 1 : a.eventTimestamp > b.eventTimestamp ? -1 : 0))
        .map((e) => project(e, select));
      return { status: 200, body: pageOf(core, req.url, items) };
    },
  };
}

/** Pages by `$skiptoken` in an absolute nextLink, like the service (the spec's `x-ms-pageable`). */
function pageOf(core: AzureCore, url: URL, items: Record<string, unknown>[]): { value: Record<string, unknown>[]; nextLink?: string } {
  const tok = url.searchParams.get("$skiptoken");
  const offset = tok === null ? 0 : Number(Buffer.from(tok, "base64url").toString("utf8"));
  if (!Number.isInteger(offset) || offset < 0) throw bad(`The skip token '${tok ?? ""}' is invalid.`);
  const size = core.config.pageSize;
  const value = items.slice(offset, offset + size);
  if (offset + size >= items.length) return { value };
  const q: string[] = [];
  for (const [k, v] of url.searchParams) if (k !== "$skiptoken") q.push(`${k}=${encodeURIComponent(v)}`);
  q.push(`$skiptoken=${Buffer.from(String(offset + size)).toString("base64url")}`);
  return { value, nextLink: `${core.baseUrl}${url.pathname}?${q.join("&")}` };
}
