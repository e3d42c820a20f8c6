import { randomUUID } from "node:crypto";
import { Counters } from "../common/counters.ts";
import { WebhookEmitter } from "../common/events.ts";
import { FaultInjector } from "../common/faults.ts";
import { Persister } from "../common/persist.ts";
import { mulberry32 } from "../common/rng.ts";
import { Throttler } from "../common/throttle.ts";
import { ActivityLog } from "./activity-log.ts";
import { TokenStore } from "./auth.ts";
import { badRequest } from "./errors.ts";
import {
  DEFAULT_LIMITS,
  DEFAULT_THROTTLE,
  type AppRegistration,
  type AzureLimits,
  type AzureRuntimeConfig,
  type PolicyKind,
  type PolicyResource,
  type RoleGrant,
  type Subscription,
} from "./model.ts";
import { parsePolicyResourceId, parseScope, type Scope } from "./scope.ts";
import { AzureState, KIND_BY_SEGMENT, notFoundError, type Caller } from "./state.ts";

/** Event Grid event as Azure Resource Manager system topics deliver it (schema "EventGridSchema"). */
export interface AzureEvent {
  id: string;
  topic: string;
  subject: string;
  eventType:
    "Microsoft.Resources.ResourceWriteSuccess" | "Microsoft.Resources.ResourceDeleteSuccess" | "Microsoft.Resources.ResourceActionSuccess";
  eventTime: string;
  dataVersion: string;
  metadataVersion: "1";
  data: {
    authorization: { scope: string; action: string; evidence: { role: string } };
    claims: Record<string, string>;
    correlationId: string;
    httpRequest: { clientRequestId: string; clientIpAddress: string; method: string; url: string };
    resourceProvider: string;
    resourceUri: string;
    operationName: string;
    status: "Succeeded";
    subscriptionId: string;
    tenantId: string;
  };
}

export interface CoreOptions {
  tenantId?: string;
  seed?: number;
  throttle?: AzureRuntimeConfig["throttle"];
  faults?: AzureRuntimeConfig["faults"];
  webhook?: AzureRuntimeConfig["webhook"];
  limits?: Partial<AzureLimits>;
  pageSize?: number;
  persistFile?: string;
}

/** Guid-shaped id from the simulator's deterministic random source. */
export function guid(rand: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[Math.floor(rand() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Everything one simulator instance holds: state, auth, limits, throttling, faults, events, counters. */
export class AzureCore {
  readonly rand: () => number;
  readonly state: AzureState;
  readonly tokens = new TokenStore();
  readonly counters = new Counters();
  readonly emitter: WebhookEmitter;
  readonly faults: FaultInjector;
  readonly throttler: Throttler;
  readonly persister: Persister;
  readonly config: AzureRuntimeConfig;
  readonly events: AzureEvent[] = [];
  /** The Activity Log (Administrative category) of every write, delete and action served. */
  readonly activity = new ActivityLog(() => this.state.tenantId);
  /** Base URL (https://127.0.0.1:port) once listening; nextLinks and the AAD authority use it. */
  baseUrl = "";

  constructor(opts: CoreOptions) {
    this.rand = mulberry32(opts.seed ?? 20261125);
    const tenantId = opts.tenantId ?? guid(this.rand);
    this.config = {
      throttle: opts.throttle === undefined ? { ...DEFAULT_THROTTLE } : opts.throttle,
      faults: opts.faults ?? {},
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
      webhook: opts.webhook,
      pageSize: opts.pageSize ?? 100,
    };
    this.state = new AzureState(tenantId, () => this.config.limits);
    this.emitter = new WebhookEmitter(opts.webhook);
    this.faults = new FaultInjector(this.config.faults);
    this.throttler = new Throttler(this.config.throttle);
    this.persister = new Persister(opts.persistFile, () => this.state.snapshot());
  }

  configure(patch: Partial<Omit<AzureRuntimeConfig, "limits">> & { limits?: Partial<AzureLimits> }): AzureRuntimeConfig {
    if (patch.throttle !== undefined) {
      this.config.throttle = patch.throttle;
      this.throttler.setRules(patch.throttle);
    }
    if (patch.faults !== undefined) {
      this.config.faults = patch.faults;
      this.faults.set(patch.faults);
    }
    if (patch.limits !== undefined) this.config.limits = { ...this.config.limits, ...patch.limits };
    if ("webhook" in patch) {
      this.config.webhook = patch.webhook;
      this.emitter.configure(patch.webhook);
    }
    if (patch.pageSize !== undefined) {
      if (!Number.isInteger(patch.pageSize) || patch.pageSize < 1) throw badRequest("InvalidConfig", "pageSize must be a positive integer");
      this.config.pageSize = patch.pageSize;
    }
    return this.config;
  }

  // ---------------------------------------------------------------- identities

  registerApp(a: {
    appId?: string;
    displayName?: string;
    secret?: string;
    grants?: RoleGrant[];
    federated?: AppRegistration["federated"];
  }): AppRegistration {
    const app: AppRegistration = {
      appId: a.appId ?? guid(this.rand),
      objectId: guid(this.rand),
      displayName: a.displayName ?? "app",
      tenantId: this.state.tenantId,
      secrets: a.secret ? [a.secret] : [],
      federated: a.federated ?? [],
      grants: a.grants ?? [{ role: "Owner", scope: "/" }],
    };
    const prev = this.state.apps.get(app.appId.toLowerCase());
    if (prev) app.objectId = prev.objectId;
    this.state.apps.set(app.appId.toLowerCase(), app);
    this.persister.schedule();
    return app;
  }

  /** Registers an app (if new) and returns a bearer token for it. */
  issueToken(appId: string, opts: { token?: string; lifetimeSec?: number } = {}): string {
    if (!this.state.apps.has(appId.toLowerCase())) throw badRequest("UnknownApp", `No app '${appId}' is registered`);
    return this.tokens.issue(appId, opts.lifetimeSec, opts.token).token;
  }

  callerFor(appId: string): Caller {
    const app = this.state.apps.get(appId.toLowerCase());
    return { id: appId, type: "Application", ...(app ? { objectId: app.objectId } : {}) };
  }

  // ---------------------------------------------------------------- events

  /**
   * One Event Grid event for a change ARM served. `action` is a POST action (ResourceActionSuccess, e.g.
   * Microsoft.Subscription/rename/action), whose subject is the resource acted on
   * (https://learn.microsoft.com/azure/event-grid/event-schema-subscriptions).
   */
  emit(kind: "write" | "delete" | "action", resourceUri: string, operationName: string, caller: Caller, method: string): void {
    const scope = resourceUri.split("/providers/Microsoft.Authorization/")[0] ?? resourceUri;
    const sub = /^\/subscriptions\/([^/]+)/i.exec(resourceUri)?.[1];
    const mg = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)/i.exec(scope)?.[0];
    const claims: Record<string, string> = {
      "http://schemas.microsoft.com/identity/claims/tenantid": this.state.tenantId,
      "http://schemas.microsoft.com/identity/claims/objectidentifier": caller.objectId ?? caller.id,
    };
    if (caller.type === "Application") claims.appid = caller.id;
    else claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = caller.id;
    const correlationId = randomUUID();
    const ev: AzureEvent = {
      id: randomUUID(),
      topic: sub ? `/subscriptions/${sub}` : (mg ?? `/providers/Microsoft.Management/managementGroups/${this.state.tenantId}`),
      subject: resourceUri,
      eventType:
        kind === "write"
          ? "Microsoft.Resources.ResourceWriteSuccess"
          : kind === "delete"
            ? "Microsoft.Resources.ResourceDeleteSuccess"
            : "Microsoft.Resources.ResourceActionSuccess",
      eventTime: new Date().toISOString(),
      dataVersion: "2",
      metadataVersion: "1",
      data: {
        authorization: {
          scope: resourceUri,
          action: operationName,
          evidence: { role: caller.type === "User" ? "Owner" : "Resource Policy Contributor" },
        },
        claims,
        correlationId,
        httpRequest: {
          clientRequestId: randomUUID(),
          clientIpAddress: "127.0.0.1",
          method,
          url: `https://management.azure.com${resourceUri}`,
        },
        resourceProvider: operationName.split("/")[0] ?? "",
        resourceUri,
        operationName,
        status: "Succeeded",
        subscriptionId: sub ?? "",
        tenantId: this.state.tenantId,
      },
    };
    // Keep a bounded in-process log for tests and the admin API.
    this.events.push(ev);
    if (this.events.length > 10_000) this.events.splice(0, this.events.length - 10_000);
    this.emitter.emit([ev]);
    this.persister.schedule();
  }

  // ---------------------------------------------------------------- out-of-band changes (as a human in the portal)

  private human(actor?: string): Caller {
    return { id: actor ?? "admin@contoso.onmicrosoft.com", type: "User" };
  }

  private byId(id: string, kinds: PolicyKind[]): { r: PolicyResource; scope: Scope } {
    const p = parsePolicyResourceId(id);
    const kind = p ? KIND_BY_SEGMENT[p.type] : undefined;
    if (!p || !kind || !kinds.includes(kind)) throw badRequest("InvalidResourceId", `'${id}' is not a ${kinds.join(" or ")} id`);
    const r = this.state.find(kind, p.scope, p.name);
    if (!r) throw notFoundError(kind, p.name);
    return { r, scope: p.scope };
  }

  private rewrite(r: PolicyResource, scope: Scope, mutate: (props: Record<string, unknown>) => void, actor?: string): PolicyResource {
    const props = structuredClone(r.properties);
    mutate(props);
    const body = { location: r.location, identity: r.identity, properties: props };
    const caller = this.human(actor);
    const { resource } = this.state.put(r.kind, scope, r.name, body, caller);
    this.emit("write", this.state.resourceId(resource), `Microsoft.Authorization/${r.kind}/write`, caller, "PUT");
    return resource;
  }

  setEnforcementMode(assignmentId: string, mode: "Default" | "DoNotEnforce", actor?: string): PolicyResource {
    const { r, scope } = this.byId(assignmentId, ["policyAssignments"]);
    return this.rewrite(r, scope, (p) => (p.enforcementMode = mode), actor);
  }

  addNotScopes(assignmentId: string, notScopes: string[], actor?: string): PolicyResource {
    const { r, scope } = this.byId(assignmentId, ["policyAssignments"]);
    return this.rewrite(r, scope, (p) => (p.notScopes = [...((p.notScopes as string[] | undefined) ?? []), ...notScopes]), actor);
  }

  editDefinitionRule(definitionId: string, policyRule: unknown, actor?: string): PolicyResource {
    const { r, scope } = this.byId(definitionId, ["policyDefinitions"]);
    return this.rewrite(r, scope, (p) => (p.policyRule = policyRule), actor);
  }

  /** Deletes an assignment, definition, set definition or exemption; `force` ignores ARM's in-use checks. */
  deleteResource(id: string, opts: { force?: boolean; actor?: string } = {}): void {
    const { r, scope } = this.byId(id, ["policyAssignments", "policyDefinitions", "policySetDefinitions", "policyExemptions"]);
    this.state.delete(r.kind, scope, r.name, opts.force);
    this.emit("delete", this.state.resourceId(r), `Microsoft.Authorization/${r.kind}/delete`, this.human(opts.actor), "DELETE");
  }

  moveSubscription(subscriptionId: string, managementGroup: string, actor?: string): Subscription {
    const s = this.state.moveSubscription(subscriptionId, managementGroup);
    this.emit(
      "write",
      `${this.state.mgId(s.parent)}/subscriptions/${s.subscriptionId}`,
      "Microsoft.Management/managementGroups/subscriptions/write",
      this.human(actor),
      "PUT",
    );
    return s;
  }

  addSubscription(a: {
    subscriptionId?: string;
    displayName?: string;
    managementGroup?: string;
    tags?: Record<string, string>;
    actor?: string;
  }): Subscription {
    const id = a.subscriptionId ?? guid(this.rand);
    const s = this.state.addSubscription({
      subscriptionId: id,
      displayName: a.displayName ?? `sub-${id.slice(0, 8)}`,
      state: "Enabled",
      tags: a.tags ?? {},
      ...(a.managementGroup ? { parent: a.managementGroup } : {}),
    });
    this.emit(
      "write",
      `${this.state.mgId(s.parent)}/subscriptions/${s.subscriptionId}`,
      "Microsoft.Management/managementGroups/subscriptions/write",
      this.human(a.actor),
      "PUT",
    );
    return s;
  }

  tagSubscription(
    subscriptionId: string,
    tags: Record<string, string>,
    operation: "Merge" | "Replace" | "Delete" = "Merge",
    actor?: string,
  ): Subscription {
    const s = this.state.setTags(subscriptionId, tags, operation);
    this.emit(
      "write",
      `/subscriptions/${s.subscriptionId}/providers/Microsoft.Resources/tags/default`,
      "Microsoft.Resources/tags/write",
      this.human(actor),
      "PATCH",
    );
    return s;
  }

  addManagementGroup(name: string, displayName?: string, parent?: string, actor?: string): void {
    this.state.addManagementGroup(name, displayName, parent, actor ?? "");
    this.emit(
      "write",
      `/providers/Microsoft.Management/managementGroups/${name}`,
      "Microsoft.Management/managementGroups/write",
      this.human(actor),
      "PUT",
    );
  }

  /** Subscription_Rename / Subscription_Cancel as the portal calls them (see arm-subscriptions.ts). */
  renameSubscription(subscriptionId: string, displayName: string, actor?: string): Subscription {
    const s = this.state.mustSub(subscriptionId);
    s.displayName = displayName;
    this.emit("action", `/subscriptions/${s.subscriptionId}`, "Microsoft.Subscription/rename/action", this.human(actor), "POST");
    return s;
  }

  cancelSubscription(subscriptionId: string, actor?: string): Subscription {
    const s = this.state.mustSub(subscriptionId);
    s.state = "Disabled";
    this.emit("action", `/subscriptions/${s.subscriptionId}`, "Microsoft.Subscription/cancel/action", this.human(actor), "POST");
    return s;
  }

  /** Deletes an empty management group (ManagementGroups_Delete's checks), as the portal would. */
  deleteManagementGroup(name: string, actor?: string): void {
    const mg = this.state.deleteManagementGroup(name);
    this.emit(
      "delete",
      `/providers/Microsoft.Management/managementGroups/${mg.name}`,
      "Microsoft.Management/managementGroups/delete",
      this.human(actor),
      "DELETE",
    );
  }

  /** Resolves any scope string for admin callers, checking it exists. */
  mustScope(raw: string): Scope {
    const s = parseScope(raw);
    if (!s || s.kind === "tenant") throw badRequest("InvalidScope", `'${raw}' is not a management group or subscription scope`);
    this.state.chain(s);
    return s;
  }

  summary(): Record<string, unknown> {
    const count = (k: PolicyKind): number => this.state.all(k).filter((r) => r.scope !== "").length;
    return {
      tenantId: this.state.tenantId,
      rootManagementGroup: this.state.tenantId,
      managementGroups: this.state.mgs.size,
      subscriptions: this.state.subs.size,
      policyDefinitions: count("policyDefinitions"),
      policySetDefinitions: count("policySetDefinitions"),
      policyAssignments: count("policyAssignments"),
      policyExemptions: count("policyExemptions"),
      apps: [...this.state.apps.values()].map((a) => ({ appId: a.appId, displayName: a.displayName, grants: a.grants })),
      eventsDelivered: this.emitter.delivered,
      eventsDropped: this.emitter.dropped,
    };
  }
}
