/**
 * Cloud Audit Logs entries → the normalised AuditEvent impact replays. Pure: no I/O.
 *
 * Wire format: a LogEntry (google/logging/v2/log_entry.proto in googleapis/googleapis: logName, resource
 * {type, labels}, timestamp, insertId, operation {id, producer, first, last}, protoPayload) whose
 * protoPayload is `type.googleapis.com/google.cloud.audit.AuditLog` (google/cloud/audit/audit_log.proto:
 * serviceName, methodName, resourceName, resourceLocation {currentLocations, originalLocations},
 * authenticationInfo {principalEmail, principalSubject}, authorizationInfo[] {resource, permission,
 * granted, permissionType}, status (google.rpc.Status), requestMetadata {callerIp}, request), in the
 * proto3 JSON mapping (camelCase), as `gcloud logging read --format=json`, `entries.list` and sink
 * exports to Cloud Storage write it.
 *
 * One event per entry, not one per authorizationInfo element. audit_log.proto: "If there are multiple
 * resources or permissions involved, then there is one AuthorizationInfo element for each {resource,
 * permission} tuple" — they are the checks of ONE call, which succeeds only if every check passes, so a
 * guardrail denying any one of them denies the call. Splitting would count one call several times;
 * instead `action` is the first permission checked and context `authorizationInfo.permission` lists all
 * of them, which the evaluator tests one by one.
 *
 * Cloud Audit Logs docs (https://cloud.google.com/logging/docs/audit, .../audit/understanding-audit-logs):
 * log names end in `cloudaudit.googleapis.com%2Factivity` (Admin Activity), `%2Fdata_access` (Data
 * Access), `%2Fsystem_event` (System Event: Google's own actions, no user caller) and `%2Fpolicy`
 * (Policy Denied: the service refused the call for a security-policy violation).
 */
import type { AuditEvent, AuditPrincipal } from "../contract/audit.ts";

const AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog";

/** google.rpc.Code values (google/rpc/code.proto) that mean "the caller was not allowed". */
const RPC_PERMISSION_DENIED = 7;
const RPC_UNAUTHENTICATED = 16;

/** Why an entry is not an event; stable codes the CLI and the replay count by. */
type TGcpAuditSkip = "malformed" | "not-audit-log" | "system-event" | "operation-continuation" | "principal-not-logged" | "no-action";

export type TGcpAuditRecord = { event: AuditEvent } | { skip: TGcpAuditSkip; detail: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** `projects/p/logs/cloudaudit.googleapis.com%2Factivity` → its parent and the audit log kind. */
function parseLogName(logName: string): { parent: string; kind: string } | undefined {
  const m = /^((?:projects|organizations|folders|billingAccounts)\/[^/]+)\/logs\/cloudaudit\.googleapis\.com(?:%2F|\/)([a-z_]+)$/.exec(
    logName,
  );
  return m ? { parent: m[1]!, kind: m[2]! } : undefined;
}

/**
 * The caller as deny rules match it. `principalSubject` is logged in the IAM principal-identifier
 * form (`user:…`, `serviceAccount:…`, `principal://…` for workforce/workload identities); older
 * entries carry only `principalEmail`, and a service account's e-mail ends in `gserviceaccount.com`.
 */
function principalOf(auth: Obj): AuditPrincipal | undefined {
  const email = str(auth.principalEmail);
  const subject = str(auth.principalSubject);
  let id: string | undefined = subject;
  if (!id && email) id = /\.gserviceaccount\.com$/.test(email) ? `serviceAccount:${email}` : `user:${email}`;
  if (!id) return undefined;
  const saEmail = /^serviceAccount:(.+)$/.exec(id)?.[1];
  const type = saEmail ? "service-account" : id.startsWith("user:") ? "user" : id.startsWith("principal://") ? "user" : "unknown";
  // `name@PROJECT_ID.iam.gserviceaccount.com` is a user-managed account of PROJECT_ID
  // (https://cloud.google.com/iam/docs/service-account-types); Google-managed ones name no project.
  const account = saEmail ? /@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(saEmail)?.[1] : undefined;
  const name = email ?? saEmail ?? /^user:(.+)$/.exec(id)?.[1];
  return { id, type, ...(name ? { name } : {}), ...(account ? { account } : {}) };
}

/**
 * Turns one LogEntry (parsed JSON) into an event, or says why it is none. Never throws: anything
 * that is not a readable audit entry is a skip with a reason.
 */
export function gcpAuditRecord(entry: unknown): TGcpAuditRecord {
  if (!isObj(entry)) return { skip: "malformed", detail: "entry is not a JSON object" };
  const logName = str(entry.logName);
  const log = logName ? parseLogName(logName) : undefined;
  const p = entry.protoPayload;
  if (!log || !isObj(p) || p["@type"] !== AUDIT_LOG_TYPE) {
    return { skip: "not-audit-log", detail: `logName ${logName ?? "(none)"} is not a Cloud Audit Logs entry` };
  }
  // System Event entries record Google's own actions, no caller made them (understanding-audit-logs).
  if (log.kind === "system_event") return { skip: "system-event", detail: "System Event entries have no caller" };
  const op = isObj(entry.operation) ? entry.operation : undefined;
  const authz = Array.isArray(p.authorizationInfo) ? p.authorizationInfo.filter(isObj) : [];
  // A long-running operation writes a first and a last entry (LogEntryOperation.first/last); the call
  // was authorised, and is counted, at the first. A last entry without checks of its own is the same call.
  if (op && op.last === true && op.first !== true && authz.length === 0) {
    return { skip: "operation-continuation", detail: `operation ${str(op.id) ?? "?"} was counted at its first entry` };
  }
  const id = str(entry.insertId);
  const time = str(entry.timestamp) ?? str(entry.receiveTimestamp);
  if (!id || !time) return { skip: "malformed", detail: `entry lacks ${id ? "timestamp" : "insertId"}` };
  const auth = isObj(p.authenticationInfo) ? p.authenticationInfo : {};
  const principal = principalOf(auth);
  // Callers outside the organisation are redacted from denied Data Access entries (the principal
  // e-mail is omitted: "Caller identities" in understanding-audit-logs); nothing to match a rule against.
  if (!principal) return { skip: "principal-not-logged", detail: `entry ${id} names no caller` };

  const permissions = authz.map((a) => str(a.permission)).filter((x): x is string => !!x);
  const methodName = str(p.methodName);
  const action = permissions[0] ?? methodName;
  if (!action) return { skip: "no-action", detail: `entry ${id} names neither a permission nor a method` };

  const serviceName = str(p.serviceName);
  const resourceName = str(p.resourceName) ?? str(authz[0]?.resource);
  const resource = resourceName ? (resourceName.startsWith("//") || !serviceName ? resourceName : `//${serviceName}/${resourceName}`) : "";
  const labels = isObj(entry.resource) && isObj(entry.resource.labels) ? entry.resource.labels : {};
  const projectId = str(labels.project_id);
  const nodeExternalId = projectId ? `projects/${projectId}` : log.parent;
  const loc = isObj(p.resourceLocation) ? p.resourceLocation : {};
  const locations = Array.isArray(loc.currentLocations) ? loc.currentLocations.filter((x): x is string => typeof x === "string") : [];
  const region = locations[0] ?? str(labels.location) ?? str(labels.region) ?? str(labels.zone);

  const permissionTypes = authz.map((a) => str(a.permissionType)).filter((x): x is string => !!x);
  const readOnly =
    permissionTypes.length > 0
      ? permissionTypes.every((t) => t === "ADMIN_READ" || t === "DATA_READ")
      : log.kind === "activity"
        ? false
        : undefined;
  const dataPlane =
    log.kind === "data_access" && (permissionTypes.length === 0 || permissionTypes.some((t) => t === "DATA_READ" || t === "DATA_WRITE"));

  const status = isObj(p.status) ? p.status : {};
  const code = typeof status.code === "number" ? status.code : 0;
  const outcome: AuditEvent["outcome"] =
    log.kind === "policy" || code === RPC_PERMISSION_DENIED || code === RPC_UNAUTHENTICATED ? "denied" : code === 0 ? "success" : "failed";

  const context: Record<string, string | string[]> = {};
  if (serviceName) context["protoPayload.serviceName"] = serviceName;
  if (methodName) context["protoPayload.methodName"] = methodName;
  if (permissions.length > 0) context["protoPayload.authorizationInfo.permission"] = permissions;
  if (locations.length > 0) context["protoPayload.resourceLocation.currentLocations"] = locations;
  const md = isObj(p.requestMetadata) ? p.requestMetadata : {};
  const callerIp = str(md.callerIp);
  if (callerIp) context["protoPayload.requestMetadata.callerIp"] = callerIp;
  if (projectId) context["resource.labels.project_id"] = projectId;

  const event: AuditEvent = {
    cloud: "gcp",
    id,
    time,
    principal,
    action,
    resource,
    nodeExternalId,
    ...(region ? { region } : {}),
    ...(readOnly !== undefined ? { readOnly } : {}),
    plane: dataPlane ? "data" : "management",
    outcome,
    context,
    ...(isObj(p.request) ? { request: p.request } : {}),
  };
  return { event };
}

/**
 * An exported audit log: `gcloud logging read --format=json` prints a JSON array of entries; a sink to
 * Cloud Storage writes newline-delimited JSON, one entry a line
 * (https://cloud.google.com/logging/docs/export/storage). Both are accepted; a single entry object too.
 * Lines that are not JSON are counted as `malformed`, never thrown, so one bad line does not lose a file.
 */
export function parseGcpAuditExport(text: string): { events: AuditEvent[]; skipped: Record<string, number> } {
  const events: AuditEvent[] = [];
  const skipped: Record<string, number> = {};
  const take = (entry: unknown): void => {
    const r = gcpAuditRecord(entry);
    if ("event" in r) events.push(r.event);
    else skipped[r.skip] = (skipped[r.skip] ?? 0) + 1;
  };
  const trimmed = text.trim();
  if (trimmed === "") return { events, skipped };
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`events: not a JSON array of log entries (${(e as Error).message})`);
    }
    for (const entry of parsed as unknown[]) take(entry);
    return { events, skipped };
  }
  if (trimmed.includes("\n")) {
    // A pretty-printed single entry spans lines; NDJSON of two or more entries never parses whole.
    let whole: unknown;
    try {
      whole = JSON.parse(trimmed);
    } catch {
      whole = undefined;
    }
    if (whole !== undefined) {
      take(whole);
      return { events, skipped };
    }
  }
  for (const line of trimmed.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      skipped.malformed = (skipped.malformed ?? 0) + 1;
      continue;
    }
    take(entry);
  }
  return { events, skipped };
}
