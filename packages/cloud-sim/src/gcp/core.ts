import { randomUUID } from "node:crypto";
import type { WebhookEmitter } from "../common/events.ts";
import { permissionDenied } from "./errors.ts";
import { type GcpLimits, type GcpState, type ServiceAccount, type StoredOperation } from "./model.ts";
import { AuditLogStore, auditEntry } from "./logging.ts";
import type { Json } from "./wire.ts";

type AuditService = "orgpolicy.googleapis.com" | "iam.googleapis.com" | "cloudresourcemanager.googleapis.com";

/** One mutation to report as a Cloud Audit Log (admin activity) entry. */
export interface AuditRecord {
  service: AuditService;
  /** e.g. `google.cloud.orgpolicy.v2.OrgPolicy.UpdatePolicy`. */
  methodName: string;
  /** e.g. `organizations/123/policies/gcp.resourceLocations`. */
  resourceName: string;
  /** Container the change happened in (`organizations/1`, `folders/2`, `projects/{number}`). */
  container: string;
  principalEmail: string;
  permission: string;
  request?: Json;
  response?: Json;
}

/** Mutable pieces every handler needs: state, limits, events, operations. */
export class GcpCore {
  lroPolls = 1;
  /** While true (bulk seeding), mutations emit no audit events. */
  muted = false;
  subscription = "projects/parapet-sim/subscriptions/parapet-audit";
  /** Every call served, as Cloud Audit Logs entries (logging.ts serves them through entries.list). */
  readonly auditLog = new AuditLogStore();
  private persistHook: () => void = () => {};

  constructor(
    public state: GcpState,
    public limits: GcpLimits,
    readonly emitter: WebhookEmitter,
  ) {}

  onChange(hook: () => void): void {
    this.persistHook = hook;
  }

  changed(): void {
    this.persistHook();
  }

  /** Stores an operation and returns its wire form for the first response. */
  startOperation(name: string, metadata: Json, result: StoredOperation["result"]): Json {
    const op: StoredOperation = { name, pollsLeft: this.lroPolls, metadata, result };
    this.state.operations.set(name, op);
    if (this.state.operations.size > 10_000) {
      const oldest = this.state.operations.keys().next().value;
      if (oldest !== undefined) this.state.operations.delete(oldest);
    }
    return operationWire(op, op.pollsLeft <= 0);
  }

  /**
   * Google Cloud Audit Log entry (Admin Activity): kept in the simulator's log (served by entries.list)
   * and wrapped in a Pub/Sub push envelope, posted to the webhook.
   */
  audit(r: AuditRecord): void {
    if (this.muted) return;
    const entry = auditEntry(this, {
      service: r.service,
      methodName: r.methodName,
      resourceName: r.resourceName,
      container: r.container,
      principalEmail: r.principalEmail,
      checks: [{ permission: r.permission, resource: r.resourceName, granted: true }],
      log: "activity",
      permissionType: "ADMIN_WRITE",
      ...(r.request ? { request: r.request } : {}),
      ...(r.response ? { response: r.response } : {}),
    });
    // IAM's entries name the API, not the container (as before the log was kept).
    if (r.service === "iam.googleapis.com")
      entry.resource = { type: "audited_resource", labels: { service: r.service, method: r.methodName } };
    this.auditLog.append(entry);
    const ts = entry.timestamp as string;
    const messageId = String(Date.now()) + String(Math.floor(Math.random() * 1000));
    this.emitter.emit({
      message: {
        data: Buffer.from(JSON.stringify(entry)).toString("base64"),
        attributes: { "logging.googleapis.com/timestamp": ts },
        messageId,
        message_id: messageId,
        publishTime: ts,
        publish_time: ts,
      },
      subscription: this.subscription,
    });
  }
}

export function operationWire(op: StoredOperation, done: boolean): Json {
  const out: Json = { name: op.name, metadata: op.metadata, done };
  if (!done) return out;
  if ("response" in op.result) out.response = op.result.response;
  else out.error = op.result.error;
  return out;
}

export function newUid(): string {
  return randomUUID();
}

/** Permission check against an account's grants (`*`, `service.*`, `service.resource.*` or exact). */
export function hasPermission(sa: ServiceAccount, permission: string): boolean {
  for (const g of sa.permissions) {
    if (g === "*" || g === permission) return true;
    if (g.endsWith(".*") && permission.startsWith(g.slice(0, -1))) return true;
  }
  return false;
}

/** Request context handed to every API handler. */
export interface Ctx {
  core: GcpCore;
  method: string;
  /** Path segments, each percent-decoded once. */
  segs: string[];
  query: URLSearchParams;
  body: unknown;
  principal: ServiceAccount;
  intEnums: boolean;
  /** Permissions checked while serving the call, in order: the entry's authorizationInfo. */
  checks: { permission: string; resource: string; granted: boolean }[];
}

export function authorize(ctx: Ctx, permission: string, resource: string): void {
  const granted = hasPermission(ctx.principal, permission);
  ctx.checks.push({ permission, resource, granted });
  if (!granted) throw permissionDenied(permission, resource);
}

export const CRM = "//cloudresourcemanager.googleapis.com/";
