/**
 * Renders an ARM request as the Activity Log entries Azure writes for it, in the REST shape of
 * "Activity Logs - List" (azure-rest-api-specs specification/monitor/resource-manager/Microsoft.Insights/
 * stable/2015-04-01/activityLogs_API.json, EventData): a `Started` entry (carrying the request body in
 * `properties.requestbody` as a JSON string, when the write logs one) and its end entry, same
 * correlation id. Tests feed these through the real parser, so what they exercise is the parse + judge
 * path a replay takes.
 */
import { randomUUID } from "node:crypto";

export const ACTIVITY_SUBSCRIPTION = "6b1c5d3e-2f4a-4b8c-9d0e-1a2b3c4d5e6f";
const ACTIVITY_TENANT = "00000000-0000-4000-8000-000000000001";

export interface TActivityCaller {
  /** Object id (`oid` claim) of the user or service principal. */
  objectId: string;
  /** Application id (`appid` claim) for a service principal / app token. */
  appId?: string;
  /** UPN for a user. */
  upn?: string;
  /** Group object ids, as the `groups` claim lists them (comma-separated in the log). */
  groups?: string[];
}

/** The ARM id a request of this type and name addresses, the way the portal or an SDK would build it. */
function armResourceId(type: string, name: string, sub = ACTIVITY_SUBSCRIPTION): string {
  const [ns, ...types] = type.split("/");
  const lower = type.toLowerCase();
  if (lower === "microsoft.resources/subscriptions/resourcegroups") return `/subscriptions/${sub}/resourceGroups/${name}`;
  // Subscription-level resources (Defender plans, role definitions, policy artifacts) live under the subscription itself.
  if (lower === "microsoft.security/pricings" || lower.startsWith("microsoft.authorization/")) {
    return `/subscriptions/${sub}/providers/${type}/${name}`;
  }
  // Diagnostic settings are extension resources: they hang off the resource whose logs they route.
  if (lower === "microsoft.insights/diagnosticsettings") {
    return `/subscriptions/${sub}/resourceGroups/logs/providers/Microsoft.KeyVault/vaults/kv-audit/providers/${type}/${name}`;
  }
  // Child types (`servers/databases`) need a parent name per extra segment.
  const segments = types.map((t, i) => `${t}/${i === types.length - 1 ? name : `parent${i}`}`);
  return `/subscriptions/${sub}/resourceGroups/rg-app/providers/${ns}/${segments.join("/")}`;
}

export interface TActivityRequest {
  verb: "write" | "delete";
  /** For a write: PUT (default) or PATCH. */
  method?: "PUT" | "PATCH";
  type: string;
  name: string;
  /** The request body; logged in the Started entry when given. */
  body?: Record<string, unknown>;
  caller: TActivityCaller;
  time: Date;
  /** How the call ended: `denied` renders RequestDisallowedByPolicy (403). Default `Succeeded`. */
  result?: "Succeeded" | "Failed" | "denied";
  subscriptionId?: string;
}

function claimsOf(c: TActivityCaller): Record<string, string> {
  return {
    aud: "https://management.core.windows.net/",
    iss: `https://sts.windows.net/${ACTIVITY_TENANT}/`,
    "http://schemas.microsoft.com/identity/claims/tenantid": ACTIVITY_TENANT,
    "http://schemas.microsoft.com/identity/claims/objectidentifier": c.objectId,
    ...(c.upn ? { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": c.upn, name: c.upn } : {}),
    ...(c.appId ? { appid: c.appId, appidacr: "1", idtyp: "app" } : { idtyp: "user" }),
    ...(c.groups?.length ? { groups: c.groups.join(",") } : {}),
  };
}

const local = (s: string, v = s): { value: string; localizedValue: string } => ({ value: s, localizedValue: v });

/** The Started and end entries of one ARM call. */
export function activityLogEntries(req: TActivityRequest): Record<string, unknown>[] {
  const sub = req.subscriptionId ?? ACTIVITY_SUBSCRIPTION;
  const resourceId = armResourceId(req.type, req.name, sub);
  const operation = `${req.type}/${req.verb}`;
  const correlationId = randomUUID();
  const rg = /\/resourceGroups\/([^/]+)/i.exec(resourceId)?.[1];
  const method = req.verb === "delete" ? "DELETE" : (req.method ?? "PUT");
  const base = (at: Date): Record<string, unknown> => ({
    authorization: { action: operation, scope: resourceId },
    caller: req.caller.upn ?? req.caller.appId ?? req.caller.objectId,
    channels: "Operation",
    claims: claimsOf(req.caller),
    correlationId,
    description: "",
    category: local("Administrative"),
    httpRequest: { clientRequestId: randomUUID(), clientIpAddress: "203.0.113.10", method },
    level: "Informational",
    ...(rg ? { resourceGroupName: rg } : {}),
    resourceProviderName: local(req.type.split("/")[0]!),
    resourceType: local(req.type),
    resourceId,
    operationId: correlationId,
    operationName: local(operation),
    eventTimestamp: at.toISOString(),
    submissionTimestamp: new Date(at.getTime() + 12_000).toISOString(),
    subscriptionId: sub,
    tenantId: ACTIVITY_TENANT,
  });
  const started = {
    ...base(req.time),
    eventDataId: randomUUID(),
    eventName: local("BeginRequest", "Begin request"),
    status: local("Started"),
    subStatus: local(""),
    properties: {
      eventCategory: "Administrative",
      entity: resourceId,
      message: operation,
      hierarchy: `${ACTIVITY_TENANT}/${sub}`,
      ...(req.body ? { requestbody: JSON.stringify(req.body) } : {}),
    },
  };
  const end = new Date(req.time.getTime() + 1_500);
  const result = req.result ?? "Succeeded";
  const ended =
    result === "denied"
      ? {
          ...base(end),
          eventDataId: randomUUID(),
          eventName: local("EndRequest", "End request"),
          status: local("Failed"),
          subStatus: local("Forbidden", "Forbidden (HTTP Status Code: 403)"),
          level: "Error",
          properties: {
            statusCode: "Forbidden",
            statusMessage: JSON.stringify({
              error: {
                code: "RequestDisallowedByPolicy",
                target: req.name,
                message: `Resource '${req.name}' was disallowed by policy.`,
              },
            }),
            eventCategory: "Administrative",
            entity: resourceId,
            message: operation,
          },
        }
      : {
          ...base(end),
          eventDataId: randomUUID(),
          eventName: local("EndRequest", "End request"),
          status: local(result),
          subStatus: local(
            result === "Succeeded" ? "OK" : "Conflict",
            result === "Succeeded" ? "OK (HTTP Status Code: 200)" : "Conflict (HTTP Status Code: 409)",
          ),
          ...(result === "Failed" ? { level: "Error" } : {}),
          properties: {
            statusCode: result === "Succeeded" ? "OK" : "Conflict",
            eventCategory: "Administrative",
            entity: resourceId,
            message: operation,
          },
        };
  return [started, ended];
}
