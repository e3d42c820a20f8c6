/**
 * Cloud Logging v2 `entries.list` over the simulator's own audit log.
 *
 * Wire: `POST /v2/entries:list` with ListLogEntriesRequest {resourceNames, filter, orderBy, pageSize,
 * pageToken} → ListLogEntriesResponse {entries, nextPageToken} (googleapis google/logging/v2/logging.proto;
 * REST reference https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list). pageSize:
 * "Default is 50. If the value is negative or exceeds 1000, the request is rejected"; orderBy: only
 * `timestamp asc` (default) or `timestamp desc`.
 *
 * Entries are Cloud Audit Logs LogEntries (google/logging/v2/log_entry.proto, google/cloud/audit/
 * audit_log.proto) the simulator writes for every call it serves (core.audit, recordCall) plus those the
 * admin API appends. Memory is bounded: the oldest entries go first past `MAX_ENTRIES`.
 *
 * Filters: a subset of the Logging query language (https://cloud.google.com/logging/docs/view/logging-query-language):
 * comparisons `FIELD OP VALUE` (OP one of = != > >= < <= :) on the fields below, joined by AND (or
 * juxtaposition), with parenthesised OR-groups of comparisons and `NOT`-free. Anything else is refused
 * with 400 INVALID_ARGUMENT, never half-applied.
 */
import { randomBytes } from "node:crypto";
import type { Ctx, GcpCore } from "./core.ts";
import { authorize } from "./core.ts";
import { invalid } from "./errors.ts";
import { isObj, type Json } from "./wire.ts";

const MAX_ENTRIES = 100_000;

/** The audit log kept by the simulator: entries in time order. */
export class AuditLogStore {
  entries: Json[] = [];

  /** Keeps time order: an appended entry with an earlier timestamp (admin history) goes where it belongs. */
  append(entry: Json): void {
    const ts = String(entry.timestamp);
    let i = this.entries.length;
    while (i > 0 && String(this.entries[i - 1]!.timestamp) > ts) i--;
    this.entries.splice(i, 0, entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  clear(): void {
    this.entries = [];
  }
}

/** Fields the filter subset may test, read from an entry by dotted path. */
const FIELDS = new Set([
  "logName",
  "timestamp",
  "severity",
  "insertId",
  "resource.type",
  "resource.labels.project_id",
  "protoPayload.serviceName",
  "protoPayload.methodName",
  "protoPayload.resourceName",
  "protoPayload.authenticationInfo.principalEmail",
  "protoPayload.status.code",
]);

type Op = "=" | "!=" | ">" | ">=" | "<" | "<=" | ":";
interface Cmp {
  field: string;
  op: Op;
  value: string;
}
/** A conjunction of disjunctions of comparisons. */
type Filter = Cmp[][];

const bad = (msg: string): Error => invalid(`Unparseable filter: ${msg}`, "filter");

function tokenize(filter: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\(|\)|>=|<=|!=|=|>|<|:|[^\s()"=<>!:]+)/y;
  let i = 0;
  const s = filter.trim();
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw bad(`unexpected character at column ${i + 1}`);
    out.push(m[1]!);
    i = re.lastIndex;
    while (i < s.length && /\s/.test(s[i]!)) i++;
  }
  return out;
}

function parseFilter(filter: string): Filter {
  if (filter.length > 20_000) throw invalid("Filter exceeds the 20000 character limit.", "filter");
  const t = tokenize(filter);
  let i = 0;
  const cmp = (): Cmp => {
    const field = t[i++];
    const op = t[i++] as Op | undefined;
    const raw = t[i++];
    if (!field || !op || raw === undefined) throw bad("incomplete comparison");
    if (!FIELDS.has(field)) throw bad(`field "${field}" is not supported by this simulator`);
    if (!["=", "!=", ">", ">=", "<", "<=", ":"].includes(op)) throw bad(`operator "${op}"`);
    if (raw === "(" || raw === ")") throw bad(`value expected after ${field}${op}`);
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    return { field, op, value };
  };
  const out: Filter = [];
  while (i < t.length) {
    const tok = t[i];
    if (tok === "AND") {
      i++;
      continue;
    }
    if (tok === "OR" || tok === "NOT" || tok === "-") throw bad(`"${tok}" outside a parenthesised group is not supported`);
    if (tok === "(") {
      i++;
      const group: Cmp[] = [cmp()];
      while (t[i] === "OR") {
        i++;
        group.push(cmp());
      }
      if (t[i] !== ")") throw bad(`expected ")" at token ${i + 1}`);
      i++;
      out.push(group);
      continue;
    }
    out.push([cmp()]);
  }
  return out;
}

function fieldOf(entry: Json, path: string): string | undefined {
  let cur: unknown = entry;
  for (const k of path.split(".")) cur = isObj(cur) ? cur[k] : undefined;
  return typeof cur === "string" ? cur : typeof cur === "number" ? String(cur) : undefined;
}

function test(entry: Json, c: Cmp): boolean {
  const v = fieldOf(entry, c.field);
  if (v === undefined) return c.op === "!=";
  // Timestamps compare as instants; other fields as strings (the query language compares text values).
  const [a, b] = c.field === "timestamp" ? [Date.parse(v), Date.parse(c.value)] : [v, c.value];
  if (c.field === "timestamp" && Number.isNaN(b)) throw bad(`invalid timestamp "${c.value}"`);
  switch (c.op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case ":":
      return v.includes(c.value);
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

const RESOURCE_NAME = /^(projects|organizations|folders|billingAccounts)\/[^/]+$/;

interface PageToken {
  /** Offset into the matching entries. */
  o: number;
  /** Fingerprint of the query, so a token is not reused with another. */
  q: string;
}

/**
 * `POST /v2/entries:list`. Needs `logging.logEntries.list` (roles/logging.viewer); Data Access entries are
 * private logs and need `logging.privateLogEntries.list` too (roles/logging.privateLogViewer,
 * https://cloud.google.com/logging/docs/access-control): without it they are left out, as the Logs
 * Explorer leaves them out for a viewer.
 */
export function listEntries(ctx: Ctx, store: AuditLogStore): Json {
  const b = isObj(ctx.body) ? ctx.body : {};
  const names = b.resourceNames;
  if (!Array.isArray(names) || names.length === 0)
    throw invalid("resourceNames: at least one resource name is required.", "resource_names");
  for (const n of names) {
    if (typeof n !== "string" || !RESOURCE_NAME.test(n)) throw invalid(`Invalid resource name: ${String(n)}`, "resource_names");
  }
  const pageSize = b.pageSize === undefined ? 50 : b.pageSize;
  if (typeof pageSize !== "number" || !Number.isInteger(pageSize) || pageSize < 0 || pageSize > 1000) {
    throw invalid("pageSize must be between 0 and 1000.", "page_size");
  }
  const orderBy = typeof b.orderBy === "string" ? b.orderBy.trim().replace(/\s+/g, " ") : "timestamp asc";
  if (orderBy !== "timestamp asc" && orderBy !== "timestamp desc" && orderBy !== "") {
    throw invalid(`Invalid orderBy: "${orderBy}". Only "timestamp asc" and "timestamp desc" are supported.`, "order_by");
  }
  const filterText = typeof b.filter === "string" ? b.filter : "";
  const filter = parseFilter(filterText);
  for (const n of names as string[]) authorize(ctx, "logging.logEntries.list", n);
  const privateOk = hasPrivate(ctx);
  // Project ids and numbers both name a project (resourceNames accepts `projects/[PROJECT_ID]`).
  const parents = new Set<string>();
  for (const n of names as string[]) {
    parents.add(n);
    const m = /^projects\/(.+)$/.exec(n);
    const p = m ? ctx.core.state.findProject(m[1]!) : undefined;
    if (p) {
      parents.add(`projects/${p.projectId}`);
      parents.add(`projects/${p.number}`);
    }
  }
  const q = JSON.stringify([names, filterText, orderBy]);
  let offset = 0;
  if (typeof b.pageToken === "string" && b.pageToken !== "") {
    let tok: PageToken | undefined;
    try {
      tok = JSON.parse(Buffer.from(b.pageToken, "base64url").toString("utf8")) as PageToken;
    } catch {
      tok = undefined;
    }
    if (!tok || typeof tok.o !== "number" || tok.q !== fingerprint(q)) throw invalid("Invalid page token.", "page_token");
    offset = tok.o;
  }
  const matching: Json[] = [];
  const ordered = orderBy === "timestamp desc" ? [...store.entries].reverse() : store.entries;
  const size = pageSize === 0 ? 50 : pageSize;
  for (const e of ordered) {
    const logName = typeof e.logName === "string" ? e.logName : "";
    const parent = logName.slice(0, logName.indexOf("/logs/"));
    if (!parents.has(parent)) continue;
    if (!privateOk && logName.endsWith("%2Fdata_access")) continue;
    if (!filter.every((group) => group.some((c) => test(e, c)))) continue;
    matching.push(e);
    if (matching.length > offset + size) break;
  }
  const page = matching.slice(offset, offset + size);
  const more = matching.length > offset + size;
  return {
    entries: page,
    ...(more ? { nextPageToken: Buffer.from(JSON.stringify({ o: offset + size, q: fingerprint(q) })).toString("base64url") } : {}),
  };
}

function fingerprint(q: string): string {
  let h = 2166136261;
  for (let i = 0; i < q.length; i++) h = Math.imul(h ^ q.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

function hasPrivate(ctx: Ctx): boolean {
  try {
    authorize(ctx, "logging.privateLogEntries.list", "");
    return true;
  } catch {
    ctx.checks.pop();
    return false;
  }
}

/** Method names of the APIs the simulator serves, as their audit entries name them. */
const METHOD_PREFIX: Record<string, string> = {
  crm: "google.cloud.resourcemanager.v3",
  orgpolicy: "google.cloud.orgpolicy.v2.OrgPolicy",
  iam: "google.iam.v2.Policies",
  logging: "google.logging.v2.LoggingServiceV2",
  cloudidentity: "google.apps.cloudidentity.groups.v1.MembershipsService",
};
const SERVICE_HOSTS: Record<string, string> = {
  crm: "cloudresourcemanager.googleapis.com",
  orgpolicy: "orgpolicy.googleapis.com",
  iam: "iam.googleapis.com",
  logging: "logging.googleapis.com",
  cloudidentity: "cloudidentity.googleapis.com",
};

function methodNameOf(op: string): string {
  const [svc, name] = op.split(".") as [string, string];
  if (svc === "crm") {
    const kind = /Folder/.test(name)
      ? "Folders"
      : /Project/.test(name)
        ? "Projects"
        : /Organization|TestIam/.test(name)
          ? "Organizations"
          : "Operations";
    return `${METHOD_PREFIX.crm}.${kind}.${name}`;
  }
  return `${METHOD_PREFIX[svc] ?? svc}.${name}`;
}

/** A Cloud Audit Logs entry, as the real services write them (see the file comment for the sources). */
export function auditEntry(
  core: GcpCore,
  input: {
    service: string;
    methodName: string;
    resourceName: string;
    /** `organizations/1`, `folders/2`, `projects/<number or id>`. */
    container: string;
    principalEmail: string;
    checks: { permission: string; resource: string; granted: boolean }[];
    log: "activity" | "data_access";
    permissionType?: "ADMIN_READ" | "ADMIN_WRITE" | "DATA_READ" | "DATA_WRITE";
    status?: { code: number; message: string };
    request?: Json;
    response?: Json;
    callerIp?: string;
    timestamp?: string;
    resourceLocation?: string;
  },
): Json {
  const ts = input.timestamp ?? new Date().toISOString();
  const st = core.state;
  const [kind, id = ""] = input.container.split("/");
  let logParent = `organizations/${st.org.id}`;
  let resource: Json = { type: "organization", labels: { organization_id: st.org.id } };
  if (kind === "folders") {
    logParent = `folders/${id}`;
    resource = { type: "folder", labels: { folder_id: id } };
  } else if (kind === "projects") {
    const pid = st.findProject(id)?.projectId ?? id;
    logParent = `projects/${pid}`;
    resource = { type: "project", labels: { project_id: pid } };
  }
  return {
    protoPayload: {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      status: input.status ?? {},
      authenticationInfo: { principalEmail: input.principalEmail },
      requestMetadata: { callerIp: input.callerIp ?? "127.0.0.1", callerSuppliedUserAgent: "parapet-cloud-sim" },
      serviceName: input.service,
      methodName: input.methodName,
      authorizationInfo: input.checks.map((c) => ({
        resource: c.resource,
        permission: c.permission,
        granted: c.granted,
        resourceAttributes: {},
        ...(input.permissionType ? { permissionType: input.permissionType } : {}),
      })),
      resourceName: input.resourceName,
      ...(input.resourceLocation ? { resourceLocation: { currentLocations: [input.resourceLocation] } } : {}),
      ...(input.request ? { request: input.request } : {}),
      ...(input.response ? { response: input.response } : {}),
    },
    insertId: randomBytes(8).toString("hex"),
    resource,
    timestamp: ts,
    severity: input.status ? "ERROR" : "NOTICE",
    logName: `${logParent}/logs/cloudaudit.googleapis.com%2F${input.log}`,
    receiveTimestamp: ts,
  };
}

/**
 * Records a served call the handlers did not record themselves: every read (Data Access, ADMIN_READ)
 * and every refused call. Successful writes are recorded by `GcpCore.audit` with their request.
 */
export function recordCall(ctx: Ctx, op: string, service: string, write: boolean, error?: { code: number; message: string }): void {
  if (ctx.core.muted || (write && !error)) return;
  const resourceName = ctx.segs
    .slice(1)
    .join("/")
    .replace(/:[A-Za-z]+$/, "");
  const container = /^(organizations|folders|projects)\/[^/]+/.exec(resourceName)?.[0] ?? `organizations/${ctx.core.state.org.id}`;
  ctx.core.auditLog.append(
    auditEntry(ctx.core, {
      service: SERVICE_HOSTS[service] ?? service,
      methodName: methodNameOf(op),
      resourceName,
      container,
      principalEmail: ctx.principal.email,
      checks: ctx.checks,
      log: write ? "activity" : "data_access",
      permissionType: write ? "ADMIN_WRITE" : "ADMIN_READ",
      ...(error ? { status: error } : {}),
    }),
  );
}

function isoTime(v: unknown): string {
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw invalid("'timestamp' must be an RFC 3339 time.", "timestamp");
  return new Date(t).toISOString();
}

/** The admin API's realistic entries: `POST /_admin/audit-entries` with `{entries: [...]}` of this shape. */
export function appendAdminEntry(core: GcpCore, b: Json): Json {
  const s = (k: string): string => {
    const v = b[k];
    if (typeof v !== "string" || v === "") throw invalid(`'${k}' is required.`, k);
    return v;
  };
  const permission = s("permission");
  const denied = b.denied === true;
  const log = b.log === "data_access" ? "data_access" : b.log === undefined || b.log === "activity" ? "activity" : undefined;
  if (!log) throw invalid("'log' must be activity or data_access.", "log");
  const resourceName = s("resourceName");
  const entry = auditEntry(core, {
    service: s("service"),
    methodName: typeof b.methodName === "string" ? b.methodName : permission,
    resourceName,
    container: s("project").startsWith("projects/") ? s("project") : `projects/${s("project")}`,
    principalEmail: s("principalEmail"),
    checks: [{ permission, resource: resourceName, granted: !denied }],
    log,
    permissionType:
      log === "data_access" ? (/\.(get|list|access|getData|useToDecrypt)$/.test(permission) ? "DATA_READ" : "DATA_WRITE") : "ADMIN_WRITE",
    ...(denied ? { status: { code: 7, message: "PERMISSION_DENIED" } } : {}),
    ...(isObj(b.request) ? { request: b.request } : {}),
    ...(b.timestamp !== undefined ? { timestamp: isoTime(b.timestamp) } : {}),
    ...(typeof b.resourceLocation === "string" ? { resourceLocation: b.resourceLocation } : {}),
  });
  core.auditLog.append(entry);
  return entry;
}
