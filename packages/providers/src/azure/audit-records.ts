import type { AuditEvent, AuditPrincipal } from "../contract/audit.ts";

/**
 * Azure Activity Log entries → AuditEvent, for impact replay. Pure: no I/O.
 *
 * Two shapes exist for the same entry:
 * - the REST shape, `EventData` of "Activity Logs - List" (azure-rest-api-specs
 *   specification/monitor/resource-manager/Microsoft.Insights/stable/2015-04-01/activityLogs_API.json):
 *   `operationName`, `status`, `subStatus`, `category`, `resourceType` are LocalizableStrings
 *   (`{value, localizedValue}`), `claims` a string map, `properties` a Dictionary<String,String> (so a
 *   logged `requestbody` is a JSON *string*), `httpRequest {clientIpAddress, method}`. The list API
 *   returns `{value:[...], nextLink}`, and `az monitor activity-log list` prints the array itself;
 * - the diagnostic-settings export to a storage account or event hub, `{"records":[...]}`, described
 *   in "Azure Activity Log event schema", section "Schema from storage account and event hubs"
 *   (https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema): flat strings
 *   `time`, `resourceId`, `operationName` (often upper-case), `category`, `resultType` (= status),
 *   `resultSignature` (= subStatus), `callerIpAddress`, `correlationId`, `identity {authorization,
 *   claims}`, and `properties` whose values may already be objects.
 *
 * One ARM call writes several entries (`Started` then `Accepted`/`Succeeded`/`Failed`, same
 * correlation id and operation), so the exported parser collapses them into one event per call.
 */

/** Why an entry was not turned into an event; stable codes the UI counts by. */
type TAzureAuditSkip =
  /** Not an object, or lacks the operation / time / identity every event needs. */
  | "malformed"
  /** ServiceHealth, ResourceHealth, Alert, Autoscale, Recommendation, Security, Policy: not a caller's request. */
  | "not-administrative"
  /** Issued by Azure itself with no caller claims (e.g. platform maintenance). */
  | "no-caller";

export type TAzureParsed = { event: AuditEvent } | { skip: TAzureAuditSkip; detail?: string };

type TRec = Record<string, unknown>;
const isRec = (x: unknown): x is TRec => typeof x === "object" && x !== null && !Array.isArray(x);
const s = (x: unknown): string | undefined => (typeof x === "string" && x !== "" ? x : undefined);
/** A LocalizableString (`{value}`) of the REST shape or the plain string of the export shape. */
const lv = (x: unknown): string | undefined => (isRec(x) ? s(x["value"]) : s(x));

const CLAIM = {
  oid: ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"],
  tenant: ["http://schemas.microsoft.com/identity/claims/tenantid", "tid"],
  upn: ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "upn", "unique_name"],
  name: ["name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"],
  appid: ["appid", "azp"],
  idtyp: ["idtyp"],
} as const;
const claim = (claims: TRec, names: readonly string[]): string | undefined => {
  for (const n of names) {
    const v = s(claims[n]);
    if (v) return v;
  }
  return undefined;
};

/**
 * The caller as policies and people know it. Azure Policy cannot condition on the caller, so this only
 * feeds grouping and the lockout check: the object id (`oid`) is the stable key for users, groups'
 * members and service principals alike; an app-only token without `oid` falls back to its `appid`.
 */
function principalOf(claims: TRec, caller: string | undefined): AuditPrincipal | undefined {
  const oid = claim(claims, CLAIM.oid);
  const appid = claim(claims, CLAIM.appid);
  const upn = claim(claims, CLAIM.upn);
  const id = oid ?? appid ?? caller;
  if (!id) return undefined;
  // `idtyp` (v2 tokens) says app or user; v1 tokens of an app carry no UPN and the caller is the appid.
  const idtyp = claim(claims, CLAIM.idtyp);
  const type =
    idtyp === "app"
      ? "app"
      : idtyp === "user" || upn
        ? "user"
        : appid && (!caller || caller === appid || caller === oid)
          ? "app"
          : "unknown";
  const groupsClaim = s(claims["groups"]);
  const groups = groupsClaim
    ? groupsClaim
        .split(",")
        .map((g) => g.trim())
        .filter(Boolean)
    : undefined;
  const name = upn ?? caller ?? claim(claims, CLAIM.name);
  const tenant = claim(claims, CLAIM.tenant);
  return {
    id,
    type,
    ...(name ? { name } : {}),
    ...(tenant ? { account: tenant } : {}),
    ...(groups?.length ? { groups } : {}),
  };
}

/** `properties` values are strings in the REST shape; a logged request body is JSON inside one. */
function jsonObject(x: unknown): TRec | undefined {
  if (isRec(x)) return x;
  if (typeof x !== "string" || !x.trim().startsWith("{")) return undefined;
  try {
    const v: unknown = JSON.parse(x);
    return isRec(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const DENIED_CODES = new Set(["requestdisallowedbypolicy", "authorizationfailed", "linkedauthorizationfailed", "forbidden"]);

/**
 * denied: RequestDisallowedByPolicy (Azure Policy deny / denyAction), AuthorizationFailed (RBAC) or a
 * 403; failed: any other `Failed` status; success otherwise (Started / Accepted / Succeeded).
 * The error code sits in `properties.statusMessage` (a JSON string `{"error":{"code":…}}`), the HTTP
 * status in `subStatus` / `resultSignature` / `properties.statusCode`.
 */
function outcomeOf(
  status: string | undefined,
  subStatus: string | undefined,
  props: TRec,
): { outcome: AuditEvent["outcome"]; code?: string } {
  const msg = jsonObject(props["statusMessage"]);
  const err = msg && isRec(msg["error"]) ? msg["error"] : undefined;
  const code = s(err?.["code"]) ?? s(props["statusCode"]);
  const http = [subStatus, s(props["statusCode"])].map((x) => (x ?? "").toLowerCase());
  if (
    (code && DENIED_CODES.has(code.toLowerCase())) ||
    http.includes("forbidden") ||
    http.includes("403") ||
    /RequestDisallowedByPolicy/i.test(s(props["statusMessage"]) ?? "")
  ) {
    return { outcome: "denied", ...(code ? { code } : {}) };
  }
  if (status && /^failed$/i.test(status)) return { outcome: "failed", ...(code ? { code } : {}) };
  return { outcome: "success" };
}

/** `/subscriptions/<id>/…` → `<id>`. */
const subscriptionOf = (resourceId: string): string | undefined => /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1];

/**
 * The ARM resource type a resource id names: namespace + every type segment (`Microsoft.Sql/servers/
 * databases`); for an extension resource, the last provider's. Resource groups and subscriptions have
 * their own types (`Microsoft.Resources/subscriptions/resourceGroups`).
 */
export function azureResourceTypeOf(resourceId: string): string | undefined {
  const parts = resourceId.split("/").filter(Boolean);
  const last = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  if (last >= 0 && parts[last + 1]) {
    const rest = parts.slice(last + 2);
    const types = rest.filter((_, i) => i % 2 === 0);
    return [parts[last + 1], ...types].join("/");
  }
  if (parts.length === 4 && parts[0]!.toLowerCase() === "subscriptions" && parts[2]!.toLowerCase() === "resourcegroups") {
    return "Microsoft.Resources/subscriptions/resourceGroups";
  }
  if (parts.length === 2 && parts[0]!.toLowerCase() === "subscriptions") return "Microsoft.Resources/subscriptions";
  return undefined;
}

/**
 * Restores ARM's casing when the export upper-cased the operation: the authorization action usually
 * spells it as ARM does; otherwise the resource id keeps the type's casing and verbs are lower-case.
 */
function operationOf(op: string, resourceId: string, authAction: string | undefined): string {
  if (authAction && authAction.toLowerCase() === op.toLowerCase()) return authAction;
  if (op !== op.toUpperCase()) return op;
  const type = azureResourceTypeOf(resourceId);
  if (type && op.toLowerCase().startsWith(`${type.toLowerCase()}/`)) return `${type}${op.slice(type.length).toLowerCase()}`;
  return op;
}

/** One Activity Log entry, in either shape. */
export function parseAzureActivityEntry(raw: unknown): TAzureParsed {
  if (!isRec(raw)) return { skip: "malformed", detail: "entry is not an object" };
  const category = lv(raw["category"]) ?? (isRec(raw["properties"]) ? s(raw["properties"]["eventCategory"]) : undefined);
  if (category && category.toLowerCase() !== "administrative") return { skip: "not-administrative", detail: category };
  const resourceId = s(raw["resourceId"]) ?? "";
  const identityRec = isRec(raw["identity"]) ? raw["identity"] : undefined;
  const auth = isRec(raw["authorization"])
    ? raw["authorization"]
    : identityRec && isRec(identityRec["authorization"])
      ? identityRec["authorization"]
      : {};
  const opRaw = lv(raw["operationName"]) ?? s(auth["action"]);
  const time = s(raw["eventTimestamp"]) ?? s(raw["time"]);
  if (!opRaw) return { skip: "malformed", detail: "operationName missing" };
  if (!time || Number.isNaN(Date.parse(time))) return { skip: "malformed", detail: "eventTimestamp / time missing or not a date" };
  const claims = isRec(raw["claims"]) ? raw["claims"] : identityRec && isRec(identityRec["claims"]) ? identityRec["claims"] : {};
  const principal = principalOf(claims, s(raw["caller"]));
  if (!principal) return { skip: "no-caller", detail: opRaw };
  const props = jsonObject(raw["properties"]) ?? {};
  const status = lv(raw["status"]) ?? s(raw["resultType"]);
  const subStatus = lv(raw["subStatus"]) ?? s(raw["resultSignature"]);
  const { outcome, code } = outcomeOf(status, subStatus, props);
  const action = operationOf(opRaw, resourceId, s(auth["action"]));
  const httpRequest = isRec(raw["httpRequest"]) ? raw["httpRequest"] : {};
  const ip = s(httpRequest["clientIpAddress"]) ?? s(raw["callerIpAddress"]);
  const method = s(httpRequest["method"]);
  const correlationId = s(raw["correlationId"]);
  const sub = s(raw["subscriptionId"]) ?? subscriptionOf(resourceId);
  const request = jsonObject(props["requestbody"] ?? props["requestBody"]);
  const context: Record<string, string> = {};
  if (ip) context["azure:clientIpAddress"] = ip;
  if (method) context["azure:httpMethod"] = method;
  if (correlationId) context["azure:correlationId"] = correlationId;
  if (status) context["azure:status"] = status;
  if (code) context["azure:errorCode"] = code;
  const rg = s(raw["resourceGroupName"]);
  if (rg) context["azure:resourceGroup"] = rg;
  // Principal classes name apps by application id (connector, agents): keep it beside the object id.
  const appId = claim(claims, CLAIM.appid);
  if (appId) context["azure:appId"] = appId;
  const id = s(raw["eventDataId"]) ?? s(raw["id"]) ?? `${correlationId ?? "no-correlation"}|${action}|${time}`;
  const lowerOp = action.toLowerCase();
  return {
    event: {
      cloud: "azure",
      id,
      time: new Date(time).toISOString(),
      principal,
      action,
      resource: resourceId,
      ...(sub ? { nodeExternalId: sub } : {}),
      ...(s(raw["location"]) ? { region: s(raw["location"])! } : {}),
      // Reads are not in the Administrative category at all; actions (POST) may read (listKeys) or not.
      readOnly: lowerOp.endsWith("/read"),
      plane: "management",
      outcome,
      context,
      ...(request ? { request } : {}),
    },
  };
}

/** The key of one ARM call across its entries (Started / Accepted / Succeeded or Failed). */
export const azureCallKey = (e: AuditEvent): string => {
  const correlation = e.context["azure:correlationId"];
  return `${typeof correlation === "string" ? correlation : e.id}|${e.action.toLowerCase()}|${e.resource.toLowerCase()}`;
};
const RANK: Record<AuditEvent["outcome"], number> = { success: 0, failed: 1, denied: 2 };

/**
 * Collapses the entries of one call into one event: the first entry's id and time, the most telling
 * outcome (denied over failed over success), the request body from whichever entry logged it.
 */
export function collapseAzureCalls(events: readonly AuditEvent[]): AuditEvent[] {
  const byCall = new Map<string, AuditEvent>();
  for (const e of events) {
    const k = azureCallKey(e);
    const prev = byCall.get(k);
    if (!prev) {
      byCall.set(k, e);
      continue;
    }
    const first = prev.time <= e.time ? prev : e;
    const worse = RANK[e.outcome] > RANK[prev.outcome] ? e : prev;
    const later = prev.time <= e.time ? e : prev;
    const request = prev.request ?? e.request;
    byCall.set(k, {
      ...first,
      outcome: worse.outcome,
      context: {
        ...first.context,
        ...later.context,
        ...(worse.context["azure:errorCode"] ? { "azure:errorCode": worse.context["azure:errorCode"] } : {}),
      },
      ...(request ? { request } : {}),
    });
  }
  return [...byCall.values()];
}

export interface TAzureExportParse {
  events: AuditEvent[];
  /** Entries not turned into events, by reason. */
  skipped: Record<string, number>;
  /** Which of the accepted formats the text was. */
  format: "list-api" | "cli-array" | "diagnostic-records";
}

/**
 * An exported Activity Log file: the list API's `{value:[...]}`, the JSON array `az monitor
 * activity-log list` prints, or the diagnostic-settings export `{"records":[...]}` (one JSON document;
 * for storage-account blobs written as one record per line, each line is tried as a record too).
 */
export function parseAzureAuditExport(text: string): TAzureExportParse {
  let doc: unknown;
  let format: TAzureExportParse["format"];
  let entries: unknown[];
  try {
    doc = JSON.parse(text);
  } catch {
    // Storage-account exports (insights-activity-logs container) hold one JSON record per line.
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    try {
      entries = lines.flatMap((l): unknown[] => {
        const v: unknown = JSON.parse(l);
        return isRec(v) && Array.isArray(v["records"]) ? (v["records"] as unknown[]) : [v];
      });
    } catch {
      throw new Error("events file: not JSON (expected {value:[...]}, a JSON array, or {records:[...]})");
    }
    return finish(entries, "diagnostic-records");
  }
  if (Array.isArray(doc)) {
    format = "cli-array";
    entries = doc;
  } else if (isRec(doc) && Array.isArray(doc["value"])) {
    format = "list-api";
    entries = doc["value"] as unknown[];
  } else if (isRec(doc) && Array.isArray(doc["records"])) {
    format = "diagnostic-records";
    entries = doc["records"] as unknown[];
  } else {
    throw new Error(
      "events file: expected the list API's {value:[...]}, the JSON array of `az monitor activity-log list`, or {records:[...]}",
    );
  }
  return finish(entries, format);
}

function finish(entries: unknown[], format: TAzureExportParse["format"]): TAzureExportParse {
  const skipped: Record<string, number> = {};
  const events: AuditEvent[] = [];
  for (const raw of entries) {
    const r = parseAzureActivityEntry(raw);
    if ("event" in r) events.push(r.event);
    else skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
  }
  return { events: collapseAzureCalls(events), skipped, format };
}
