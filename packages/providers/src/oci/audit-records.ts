import type { AuditEvent } from "../contract/audit.ts";
import { OCI_OPERATIONS, ociRegionKey } from "./types.ts";

/**
 * OCI Audit events → the providers' normalised `AuditEvent`, in the terms OCI policies speak
 * (`request.permission`, `request.operation`, `request.principal.type`, `target.compartment.id`,
 * `request.region`), so core's impact evaluator can replay them against compiled deny statements.
 *
 * Sources:
 * - The event model: oci-audit 2.139.1 `AuditEvent` / `Data` / `Identity` / `Request` / `Response`
 *   (lib/model/*.d.ts, Audit API 20190901) and "Contents of an Audit Log Event"
 *   (https://docs.oracle.com/iaas/Content/Audit/Reference/logeventreference.htm): CloudEvents 0.1
 *   envelope, `data.eventName` is the API operation, `data.compartmentId` the compartment of the
 *   resource, `data.identity.principalId` the principal's OCID, `data.request.headers["opc-principal"]`
 *   the authenticated principal's claims (`ptype` = user | instance | resource | service).
 * - `oci audit event list` (CLI) prints `{"data": [...]}` with the same model in kebab-case keys
 *   (the CLI's JSON output convention), so both spellings are read.
 * - Operation → permission: OCI_OPERATIONS (types.ts), from the "Details for …" IAM policy reference pages.
 */

function regionFromUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    host = url.split("/")[0] ?? "";
  }
  for (const part of host.split(".")) {
    const key = ociRegionKey(part);
    if (key) return key;
  }
  return undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A field of the SDK model, in the SDK's camelCase or the CLI's kebab-case. */
function field(o: Obj | undefined, key: string): unknown {
  if (!o) return undefined;
  return key in o ? o[key] : o[kebab(key)];
}
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** A header's first value, whatever the case of its name. */
function header(headers: unknown, name: string): string | undefined {
  if (!isObj(headers)) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? str(v[0]) : str(v);
  }
  return undefined;
}

/** The `ptype` claim of the `opc-principal` header (the authenticated principal as OCI saw it). */
function principalTypeClaim(headers: unknown): string | undefined {
  const raw = header(headers, "opc-principal");
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as { claims?: Array<{ key?: string; value?: string }> };
    return str(p.claims?.find((c) => c.key === "ptype")?.value);
  } catch {
    return undefined;
  }
}

/**
 * Principal type as `request.principal.type` spells it: the `ptype` claim when logged, else the kind
 * of the principal's OCID (users `ocid1.user`, instance principals `ocid1.instance`; a resource
 * principal is named by the OCID of its resource — a function, a notebook session…), else the
 * authType. `unknown` when none says.
 */
export function ociPrincipalType(principalId: string, authType: string | undefined, headers?: unknown): string {
  const claim = principalTypeClaim(headers);
  if (claim) return claim.toLowerCase();
  const kind = /^ocid1\.([a-z0-9]+)\./i.exec(principalId)?.[1]?.toLowerCase();
  if (kind === "user") return "user";
  if (kind === "instance") return "instance";
  const auth = (authType ?? "").toLowerCase();
  if (auth.includes("instance")) return "instance";
  if (auth.includes("resource")) return "resource";
  if (kind && !["tenancy", "group", "dynamicgroup", "compartment", "credential"].includes(kind)) return "resource";
  return "unknown";
}

/** An authorization refusal: 401/403, or OCI's 404 NotAuthorizedOrNotFound (it never says which). */
function outcomeOf(status: number, message: string): AuditEvent["outcome"] {
  if (status < 400) return "success";
  if (status === 401 || status === 403) return "denied";
  if (status === 404 && /NotAuthorized/i.test(message)) return "denied";
  return "failed";
}

/** Object reads and writes are the data plane; every other audited call manages resources. */
const DATA_PLANE = new Set(["GetObject", "PutObject", "DeleteObject", "HeadObject", "ListObjects"]);

export type TOciAuditParse = { ok: true; event: AuditEvent } | { ok: false; reason: string };

export interface TOciAuditParseOptions {
  /** Region identifier the events were read from (ListEvents is regional), e.g. `eu-frankfurt-1`. */
  region?: string;
}

/**
 * One OCI Audit event (SDK model or CLI JSON) → `AuditEvent`, or why it cannot be normalised
 * (a stable reason the caller counts).
 */
export function parseOciAuditRecord(raw: unknown, opts: TOciAuditParseOptions = {}): TOciAuditParse {
  if (!isObj(raw)) return { ok: false, reason: "not-an-object" };
  const eventId = str(field(raw, "eventId"));
  if (!eventId) return { ok: false, reason: "no-event-id" };
  const timeRaw = field(raw, "eventTime");
  const time = timeRaw instanceof Date ? timeRaw : typeof timeRaw === "string" ? new Date(timeRaw) : undefined;
  if (!time || Number.isNaN(time.getTime())) return { ok: false, reason: "no-event-time" };
  const data = field(raw, "data");
  if (!isObj(data)) return { ok: false, reason: "no-data" };
  const eventName = str(field(data, "eventName"));
  if (!eventName) return { ok: false, reason: "no-event-name" };
  const identity = field(data, "identity");
  const id = isObj(identity) ? identity : undefined;
  const principalId = str(field(id, "principalId"));
  if (!principalId) return { ok: false, reason: "no-principal" };
  const request = field(data, "request");
  const req = isObj(request) ? request : undefined;
  const response = field(data, "response");
  const res = isObj(response) ? response : undefined;
  const statusRaw = field(res, "status");
  const status = typeof statusRaw === "number" ? statusRaw : typeof statusRaw === "string" ? Number(statusRaw) : NaN;
  if (!Number.isFinite(status)) return { ok: false, reason: "no-response-status" };

  const headers = field(req, "headers");
  const type = ociPrincipalType(principalId, str(field(id, "authType")), headers);
  const compartmentId = str(field(data, "compartmentId"));
  const method = str(field(req, "action"))?.toUpperCase();
  const region =
    (opts.region ? ociRegionKey(opts.region) : undefined) ??
    (() => {
      const url = header(headers, "oci-original-url") ?? header(headers, "host") ?? header(headers, "x-forwarded-host");
      return url ? regionFromUrl(url) : undefined;
    })();
  const operation = OCI_OPERATIONS[eventName];

  const context: Record<string, string | string[]> = {
    "request.operation": eventName,
    "request.principal.id": principalId,
    "request.principal.type": type,
    ...(operation ? { "request.permission": operation.permission } : {}),
    ...(compartmentId ? { "target.compartment.id": compartmentId } : {}),
    ...(region ? { "request.region": region } : {}),
  };
  const stateChange = field(data, "stateChange");
  const additionalDetails = field(data, "additionalDetails");
  const logged: Record<string, unknown> = {
    ...(isObj(additionalDetails) ? { additionalDetails } : {}),
    ...(isObj(stateChange) ? { stateChange } : {}),
    ...(isObj(field(req, "parameters")) ? { parameters: field(req, "parameters") } : {}),
  };
  const tenantId = str(field(id, "tenantId"));
  const principalName = str(field(id, "principalName"));
  const event: AuditEvent = {
    cloud: "oci",
    id: eventId,
    time: time.toISOString(),
    principal: {
      id: principalId,
      type,
      ...(principalName ? { name: principalName } : {}),
      ...(tenantId ? { account: tenantId } : {}),
    },
    action: eventName,
    resource: str(field(data, "resourceId")) ?? "",
    ...(compartmentId ? { nodeExternalId: compartmentId } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(method ? { readOnly: method === "GET" || method === "HEAD" } : {}),
    plane: DATA_PLANE.has(eventName) ? "data" : "management",
    outcome: outcomeOf(status, `${str(field(res, "message")) ?? ""} ${JSON.stringify(field(res, "payload") ?? "")}`),
    context,
    ...(Object.keys(logged).length > 0 ? { request: logged } : {}),
  };
  return { ok: true, event };
}

/**
 * A file of OCI Audit events: `oci audit event list` output (`{"data": [...]}`) or a bare JSON array
 * (the API's ListEvents body). Entries that cannot be normalised are counted by reason.
 */
export function parseOciAuditExport(
  text: string,
  opts: TOciAuditParseOptions = {},
): { events: AuditEvent[]; skipped: Record<string, number> } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`OCI audit export: not JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : isObj(doc) && Array.isArray(doc.data) ? doc.data : undefined;
  if (!list) throw new Error('OCI audit export: expected a JSON array of events or {"data": [...]} as `oci audit event list` prints');
  const events: AuditEvent[] = [];
  const skipped: Record<string, number> = {};
  for (const raw of list) {
    const r = parseOciAuditRecord(raw, opts);
    if (r.ok) events.push(r.event);
    else skipped[r.reason] = (skipped[r.reason] ?? 0) + 1;
  }
  return { events, skipped };
}
