import type { PolicyAssignment, PolicyClient, PolicyDefinition, PolicySetDefinition } from "@azure/arm-policy";
import { getContinuationToken as mgToken, type DescendantInfo } from "@azure/arm-managementgroups";
import type { TokenCredential } from "@azure/core-auth";
import { publicMessage } from "../contract/public-message.ts";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../contract/retry.ts";
import type {
  ApplyResult,
  ArtifactKind,
  CallStats,
  Change,
  CloudAdapter,
  DesiredArtifact,
  Difference,
  DiscoveredNode,
  Hierarchy,
  ObservedArtifact,
  ObservedState,
  ObserveRequest,
  PermissionCheck,
  VerifyResult,
} from "../contract/types.ts";
import { ARM_API_VERSIONS, createAzureClients, type AzureClients } from "./client.ts";
import {
  assignmentFromCloud,
  compareAssignment,
  compareDefinition,
  compareExemption,
  compareSetDefinition,
  definitionFromCloud,
  exemptionFromCloud,
  foreignMetadata,
  setDefinitionFromCloud,
  type TObservedAzureAssignment,
} from "./compare.ts";
import {
  AzureClientCredential,
  credentialIdentity,
  DEFAULT_ARM_AUDIENCE,
  staticTokenCredential,
  ZAzureCredentials,
  type TAzureCredentials,
} from "./credentials.ts";
import { EgressGuard } from "../egress/guard.ts";
import { classifyAzureError, isAzureThrottle, retryAfterMs } from "./errors.ts";
import { AZURE_OWNER_METADATA_KEY, isOwnedByWorkspaceAzure } from "./markers.ts";
import { permissionFor } from "./permissions.ts";
import { armResourceId, MG_SCOPE_PREFIX, parseArmId, parseScope, scopeKey, type AzureScope, type PolicyArtifactKind } from "./scope.ts";
import type { TAzurePolicyAssignment, TAzurePolicyDefinition, TAzurePolicyExemption, TAzurePolicySetDefinition } from "./types.ts";

export { ZAzureCredentials, type TAzureCredentials } from "./credentials.ts";
export { minimumPermissions, azureCustomRoleDefinition, AZURE_BUILT_IN_ROLE } from "./permissions.ts";

export const DEFAULT_ARM_ENDPOINT = "https://management.azure.com";

export interface AzureAdapterConfig {
  workspaceId: string;
  credentials: TAzureCredentials;
  /** ARM base URL override (sovereign clouds, the simulator). */
  endpoint?: string;
  /** Microsoft identity platform host; the token endpoint is `{authorityHost}/{tenant}/oauth2/v2.0/token`. */
  authorityHost?: string;
  /** Token audience (default https://management.azure.com). */
  audience?: string;
  /** PEM CA bundle for a private ARM endpoint and authority (the simulator's self-signed certificate). */
  tlsCa?: string;
  /** Root facts; the root management group defaults to the tenant id (Azure names the tenant root group so). */
  facts?: { rootManagementGroupId?: string; tenantId?: string };
  retry?: RetryPolicy;
  /** Parallel reads during observe; small, so one reconcile leaves room in the tenant's ARM read bucket. */
  concurrency?: number;
  /**
   * Expected artifacts of one kind at one scope from which observe lists the scope (pages of every
   * artifact there) instead of reading each artifact by name.
   */
  listThreshold?: number;
  /** Fresh federated assertions for `federated` credentials (overrides the stored federatedToken). */
  getAssertion?: () => Promise<string>;
  recorder?: CallRecorder;
  /** Which hosts and addresses the SDK may connect to; default: Azure's own hosts only, no allowlist. */
  egress?: EgressGuard;
}

type Expected = ObserveRequest["expected"][number];

/** What one read of a policy resource yields, before it becomes an ObservedArtifact. */
interface Found {
  id: string;
  body: unknown;
  owned: boolean;
  /** The cloud's raw metadata (for keeping other people's annotations on update). */
  metadata: unknown;
  /** Assignment fields Parapet does not manage but keeps across its writes. */
  keep?: Record<string, unknown>;
}

const AZURE_KINDS = new Set<ArtifactKind>(["azure.policy-definition", "azure.policy-set-definition", "azure.policy-assignment", "azure.policy-exemption"]);

// Shown to users (verify, plan "unknown" entries): the classified text, never the cloud's raw answer.
const reason = (e: unknown): string => publicMessage(e);

function notOwned(operation: string, what: string): ProviderError {
  return new ProviderError(
    "invalid",
    `Parapet refuses to change ${what}: its metadata.${AZURE_OWNER_METADATA_KEY} does not name this workspace.`,
    false,
    operation,
    "NOT_OWNED",
  );
}

function invalid(operation: string, message: string, code: string): ProviderError {
  return new ProviderError("invalid", message, false, operation, code);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * PolicyAssignments_Delete answers 200 with the deleted assignment, or 204 with no body when it was not
 * there: the two statuses the API definition lists, which @azure/arm-policy 7.0.1's generated
 * `_$deleteDeserialize` accepts (expectedStatuses ["200", "204"]) before deserializing the missing body
 * and throwing a TypeError. A 204 is success — nothing was there to delete.
 */
async function deleteAssignment(policy: PolicyClient, scope: string, name: string): Promise<void> {
  let status: number | undefined;
  try {
    await policy.policyAssignments.delete(scope, name, { onResponse: (r) => void (status = r.status) });
  } catch (e) {
    if (status === 204 && e instanceof TypeError) return;
    throw e;
  }
}

/** arm-policy 7's pages carry their nextLink as `continuationToken` (the modular SDKs' ContinuablePage). */
const policyToken = (page: unknown): string | undefined => (page as { continuationToken?: string }).continuationToken;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Azure adapter: policy definitions, initiatives (policy set definitions), assignments and
 * exemptions through @azure/arm-policy and @azure/arm-managementgroups. Ownership is
 * `metadata.parapetOwner = <workspaceId>`, always read back from ARM before anything is changed.
 */
class AzureAdapter implements CloudAdapter {
  readonly cloud = "azure" as const;
  private readonly recorder: CallRecorder;
  private readonly retry: RetryPolicy;
  private readonly ws: string;
  private readonly rootMg: string;
  private readonly rootScope: string;
  private readonly concurrency: number;
  private readonly listThreshold: number;
  private readonly identity: string;
  private readonly sdk: AzureClients;

  constructor(config: AzureAdapterConfig) {
    const parsed = ZAzureCredentials.safeParse(config.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid("configure", `Azure credentials: ${issue ? `${issue.path.join(".") || "credentials"} ${issue.message}` : "invalid"}`, "INVALID_CREDENTIALS");
    }
    const creds = parsed.data;
    this.ws = config.workspaceId;
    const tenantId = config.facts?.tenantId ?? creds.tenantId;
    const root = config.facts?.rootManagementGroupId ?? tenantId;
    if (!root) {
      throw invalid("configure", "Azure connection: the root management group id (or tenant id) is required.", "MISSING_ROOT");
    }
    this.rootMg = root;
    this.rootScope = `${MG_SCOPE_PREFIX}${root}`;
    this.retry = config.retry ?? DEFAULT_RETRY;
    this.concurrency = Math.max(1, config.concurrency ?? 4);
    this.listThreshold = Math.max(1, config.listThreshold ?? 3);
    this.recorder = config.recorder ?? new CallRecorder();
    this.identity = credentialIdentity(creds);
    const egress = (config.egress ?? new EgressGuard()).forCloud("azure");
    let credential: TokenCredential;
    if (creds.kind === "access-token") credential = staticTokenCredential(creds.accessToken);
    else {
      const federatedToken = creds.kind === "federated" ? creds.federatedToken : undefined;
      credential = new AzureClientCredential({
        tenantId: creds.tenantId,
        clientId: creds.clientId,
        ...(creds.kind === "client-secret" ? { clientSecret: creds.clientSecret } : { assertion: config.getAssertion ?? (async () => federatedToken!) }),
        ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
        ...(config.tlsCa ? { tlsCa: config.tlsCa } : {}),
        recorder: this.recorder,
        egress,
      });
    }
    this.sdk = createAzureClients({
      credential,
      egress,
      endpoint: (config.endpoint ?? DEFAULT_ARM_ENDPOINT).replace(/\/+$/, ""),
      audience: config.audience ?? DEFAULT_ARM_AUDIENCE,
      ...(config.tlsCa ? { tlsCa: config.tlsCa } : {}),
    });
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * One SDK call: recorded, classified, retried with backoff when retryable. The SDK's own retries
   * are off, so a throttle waits here for the Retry-After ARM asked for (capped by the policy).
   */
  private call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await this.recorder.call(operation, write, fn, isAzureThrottle);
        } catch (e) {
          throw classifyAzureError(e, operation);
        }
      },
      this.retry,
      async (err) => {
        const ms = retryAfterMs(err);
        if (ms !== undefined) await sleep(Math.min(ms, this.retry.maxMs));
      },
    );
  }

  /** Reads a list page by page; each page is its own retried call, resuming from its continuation token. */
  private async pages<T>(operation: string, page: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
    const all: T[] = [];
    let token: string | undefined;
    do {
      const r = await this.call(operation, false, () => page(token));
      all.push(...r.items);
      token = r.next;
    } while (token);
    return all;
  }

  private async sdkPages<T>(operation: string, byPage: (token: string | undefined) => AsyncIterableIterator<T[]>, tokenOf: (page: unknown) => string | undefined): Promise<T[]> {
    return this.pages(operation, async (token) => {
      const r = await byPage(token).next();
      if (r.done) return { items: [], next: undefined };
      return { items: r.value, next: tokenOf(r.value) };
    });
  }

  private async orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if (isProviderError(e) && e.kind === "not_found") return undefined;
      throw e;
    }
  }

  private scopeOf(raw: string, operation: string): AzureScope {
    const s = parseScope(raw);
    if (!s) {
      throw invalid(operation, `'${raw}' is not an Azure scope Parapet can manage (expected providers/Microsoft.Management/managementGroups/<id> or subscriptions/<id>).`, "INVALID_SCOPE");
    }
    return s;
  }

  // ------------------------------------------------------------------ raw reads and writes

  private found(kind: PolicyArtifactKind, raw: unknown, name: string): Found {
    const r = (isObj(raw) ? raw : {});
    const id = typeof r.id === "string" ? r.id : "";
    switch (kind) {
      case "azure.policy-definition": {
        const d = raw as PolicyDefinition;
        return { id, body: definitionFromCloud(d, name), owned: isOwnedByWorkspaceAzure({ properties: { metadata: d.metadata as Record<string, unknown> } }, this.ws), metadata: d.metadata };
      }
      case "azure.policy-set-definition": {
        const s = raw as PolicySetDefinition;
        return { id, body: setDefinitionFromCloud(s, name), owned: isOwnedByWorkspaceAzure({ properties: { metadata: s.metadata as Record<string, unknown> } }, this.ws), metadata: s.metadata };
      }
      case "azure.policy-assignment": {
        const a = raw as PolicyAssignment;
        return {
          id,
          body: assignmentFromCloud(a, name),
          owned: isOwnedByWorkspaceAzure({ properties: { metadata: a.metadata as Record<string, unknown> } }, this.ws),
          metadata: a.metadata,
          keep: a.nonComplianceMessages?.length ? { nonComplianceMessages: a.nonComplianceMessages } : {},
        };
      }
      case "azure.policy-exemption": {
        const p = isObj(r.properties) ? r.properties : {};
        return { id, body: exemptionFromCloud(r, name), owned: isOwnedByWorkspaceAzure({ properties: { metadata: p.metadata as Record<string, unknown> } }, this.ws), metadata: p.metadata };
      }
    }
  }

  private exemptionPath(scope: string, name?: string): string {
    return `${scope}/providers/Microsoft.Authorization/policyExemptions${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
  }

  /** GET one policy resource by scope and name; undefined when it does not exist. */
  private async read(kind: PolicyArtifactKind, scope: string, name: string): Promise<Found | undefined> {
    const s = this.scopeOf(scope, "read");
    const { policy } = this.sdk;
    let raw: unknown;
    switch (kind) {
      case "azure.policy-definition":
        raw = await this.orUndefined(
          s.kind === "mg"
            ? this.call("PolicyDefinitions_GetAtManagementGroup", false, () => policy.policyDefinitions.getAtManagementGroup(s.mg, name))
            : this.call("PolicyDefinitions_Get", false, () => this.sdk.policyFor(s.sub).policyDefinitions.get(name)),
        );
        break;
      case "azure.policy-set-definition":
        raw = await this.orUndefined(
          s.kind === "mg"
            ? this.call("PolicySetDefinitions_GetAtManagementGroup", false, () => policy.policySetDefinitions.getAtManagementGroup(s.mg, name))
            : this.call("PolicySetDefinitions_Get", false, () => this.sdk.policyFor(s.sub).policySetDefinitions.get(name)),
        );
        break;
      case "azure.policy-assignment":
        raw = await this.orUndefined(this.call("PolicyAssignments_Get", false, () => policy.policyAssignments.get(scope, name)));
        break;
      case "azure.policy-exemption":
        raw = await this.orUndefined(this.call("PolicyExemptions_Get", false, () => this.sdk.arm.get(this.exemptionPath(scope, name), ARM_API_VERSIONS.exemptions)));
        break;
    }
    return raw === undefined ? undefined : this.found(kind, raw, name);
  }

  /** Every policy resource of a kind at exactly this scope (not inherited, not below). */
  private async list(kind: PolicyArtifactKind, scope: string): Promise<Array<{ name: string; found: Found }>> {
    const s = this.scopeOf(scope, "list");
    const { policy } = this.sdk;
    const exact = { filter: "atExactScope()" };
    let raws: Array<{ name?: string }>;
    switch (kind) {
      case "azure.policy-definition":
        raws =
          s.kind === "mg"
            ? await this.sdkPages("PolicyDefinitions_ListByManagementGroup", (t) => policy.policyDefinitions.listByManagementGroup(s.mg, exact).byPage({ continuationToken: t }), policyToken)
            : await this.sdkPages("PolicyDefinitions_List", (t) => this.sdk.policyFor(s.sub).policyDefinitions.list(exact).byPage({ continuationToken: t }), policyToken);
        break;
      case "azure.policy-set-definition":
        raws =
          s.kind === "mg"
            ? await this.sdkPages("PolicySetDefinitions_ListByManagementGroup", (t) => policy.policySetDefinitions.listByManagementGroup(s.mg, exact).byPage({ continuationToken: t }), policyToken)
            : await this.sdkPages("PolicySetDefinitions_List", (t) => this.sdk.policyFor(s.sub).policySetDefinitions.list(exact).byPage({ continuationToken: t }), policyToken);
        break;
      case "azure.policy-assignment":
        raws =
          s.kind === "mg"
            ? await this.sdkPages("PolicyAssignments_ListForManagementGroup", (t) => policy.policyAssignments.listForManagementGroup(s.mg, exact).byPage({ continuationToken: t }), policyToken)
            : await this.sdkPages("PolicyAssignments_List", (t) => this.sdk.policyFor(s.sub).policyAssignments.list(exact).byPage({ continuationToken: t }), policyToken);
        break;
      case "azure.policy-exemption":
        raws = await this.pages("PolicyExemptions_List", async (t) => {
          const p = await this.sdk.arm.listPage(this.exemptionPath(scope), ARM_API_VERSIONS.exemptions, t, "atExactScope()");
          return { items: p.value, next: p.nextLink };
        });
        break;
    }
    return raws.filter((r) => typeof r.name === "string").map((r) => ({ name: r.name!, found: this.found(kind, r, r.name!) }));
  }

  /** PUT the desired body, keeping annotations and settings that others added and Parapet does not manage. */
  private async put(kind: PolicyArtifactKind, scope: string, name: string, body: unknown, existing: Found | undefined, operation: string): Promise<string> {
    const s = this.scopeOf(scope, operation);
    if (!isObj(body) || !isObj(body.properties)) throw invalid(operation, `The desired ${kind} ${name} has no properties.`, "INVALID_BODY");
    const desiredMeta = isObj(body.properties.metadata) ? body.properties.metadata : {};
    const metadata = { ...foreignMetadata(existing?.metadata, desiredMeta), ...desiredMeta };
    const { policy } = this.sdk;
    let raw: { id?: string };
    switch (kind) {
      case "azure.policy-definition": {
        const p = (body as unknown as TAzurePolicyDefinition).properties;
        const params: PolicyDefinition = {
          policyType: p.policyType,
          mode: p.mode,
          displayName: p.displayName,
          description: p.description,
          policyRule: p.policyRule,
          parameters: p.parameters,
          metadata,
        };
        raw =
          s.kind === "mg"
            ? await this.call("PolicyDefinitions_CreateOrUpdateAtManagementGroup", true, () => policy.policyDefinitions.createOrUpdateAtManagementGroup(s.mg, name, params))
            : await this.call("PolicyDefinitions_CreateOrUpdate", true, () => this.sdk.policyFor(s.sub).policyDefinitions.createOrUpdate(name, params));
        break;
      }
      case "azure.policy-set-definition": {
        const p = (body as unknown as TAzurePolicySetDefinition).properties;
        const params: PolicySetDefinition = {
          policyType: p.policyType,
          displayName: p.displayName,
          description: p.description,
          metadata,
          parameters: p.parameters,
          policyDefinitions: p.policyDefinitions.map((r) => ({ policyDefinitionId: r.policyDefinitionId, policyDefinitionReferenceId: r.policyDefinitionReferenceId, parameters: r.parameters })),
        };
        raw =
          s.kind === "mg"
            ? await this.call("PolicySetDefinitions_CreateOrUpdateAtManagementGroup", true, () => policy.policySetDefinitions.createOrUpdateAtManagementGroup(s.mg, name, params))
            : await this.call("PolicySetDefinitions_CreateOrUpdate", true, () => this.sdk.policyFor(s.sub).policySetDefinitions.createOrUpdate(name, params));
        break;
      }
      case "azure.policy-assignment": {
        const p = (body as unknown as TAzurePolicyAssignment).properties;
        const params: PolicyAssignment = {
          displayName: p.displayName,
          description: p.description,
          policyDefinitionId: p.policyDefinitionId,
          enforcementMode: p.enforcementMode,
          notScopes: p.notScopes,
          parameters: p.parameters,
          metadata,
          ...(existing?.keep ?? {}),
        };
        raw = await this.call("PolicyAssignments_Create", true, () => policy.policyAssignments.create(scope, name, params));
        break;
      }
      case "azure.policy-exemption": {
        const p = (body as unknown as TAzurePolicyExemption).properties;
        raw = await this.call("PolicyExemptions_CreateOrUpdate", true, () =>
          this.sdk.arm.put(this.exemptionPath(scope, name), ARM_API_VERSIONS.exemptions, { properties: { ...p, metadata } }),
        );
        break;
      }
    }
    return raw.id ?? armResourceId(scope, kind, name);
  }

  private async del(kind: PolicyArtifactKind, scope: string, name: string): Promise<void> {
    const s = this.scopeOf(scope, "delete");
    const { policy } = this.sdk;
    const run = async (): Promise<void> => {
      switch (kind) {
        case "azure.policy-definition":
          if (s.kind === "mg") await this.call("PolicyDefinitions_DeleteAtManagementGroup", true, () => policy.policyDefinitions.deleteAtManagementGroup(s.mg, name));
          else await this.call("PolicyDefinitions_Delete", true, () => this.sdk.policyFor(s.sub).policyDefinitions.delete(name));
          return;
        case "azure.policy-set-definition":
          if (s.kind === "mg") await this.call("PolicySetDefinitions_DeleteAtManagementGroup", true, () => policy.policySetDefinitions.deleteAtManagementGroup(s.mg, name));
          else await this.call("PolicySetDefinitions_Delete", true, () => this.sdk.policyFor(s.sub).policySetDefinitions.delete(name));
          return;
        case "azure.policy-assignment":
          await this.call("PolicyAssignments_Delete", true, () => deleteAssignment(policy, scope, name));
          return;
        case "azure.policy-exemption":
          await this.call("PolicyExemptions_Delete", true, () => this.sdk.arm.delete(this.exemptionPath(scope, name), ARM_API_VERSIONS.exemptions));
          return;
      }
    };
    await this.orUndefined(run());
  }

  private observed(kind: PolicyArtifactKind, name: string, scope: string, f: Found): ObservedArtifact {
    return { kind, name, externalId: f.id || armResourceId(scope, kind, name), body: f.body, attachments: [scope], owned: f.owned };
  }

  // ------------------------------------------------------------------ verify

  async verify(): Promise<VerifyResult> {
    const checks: PermissionCheck[] = [];
    const missing = new Set<string>();
    const root = this.rootMg;
    const { policy, mg, arm } = this.sdk;
    let rootId: string | undefined;
    let someSubscription: string | undefined;
    const probeName = "parapet-permission-probe";
    const absentDefinition = `/${this.rootScope}/providers/Microsoft.Authorization/policyDefinitions/${probeName}-absent`;
    // Reads are probed directly. ARM checks RBAC before it looks at a body, so each write is probed
    // with a request that is invalid in more than one way (a BuiltIn policy type, an unknown mode or
    // effect, an unknown definition or enforcement mode): 400/404 means authorised, 403 names the
    // missing action. Deletes probe a name that does not exist, which ARM answers with 204 when the
    // caller may delete. Should a probe PUT ever be accepted, `undo` removes what it made.
    const probes: Array<{ op: string; write: boolean; run: () => Promise<unknown>; undo?: () => Promise<unknown> }> = [
      {
        op: "ManagementGroups_Get",
        write: false,
        run: async () => {
          const g = await mg.managementGroups.get(root);
          rootId = `${MG_SCOPE_PREFIX}${g.name ?? root}`;
        },
      },
      {
        op: "ManagementGroups_GetDescendants",
        write: false,
        run: async () => {
          const page = await mg.managementGroups.listDescendants(root, { top: 50 }).byPage().next();
          const items: DescendantInfo[] = page.done ? [] : page.value;
          someSubscription = items.find((d) => (d.type ?? "").toLowerCase().endsWith("subscriptions"))?.name;
        },
      },
      {
        op: "Subscriptions_Get",
        write: false,
        run: async () => {
          // Without a subscription in the tree there is nothing to read and nothing to label.
          if (someSubscription) await arm.get(`subscriptions/${someSubscription}`, ARM_API_VERSIONS.subscriptions);
        },
      },
      { op: "PolicyDefinitions_ListByManagementGroup", write: false, run: () => policy.policyDefinitions.listByManagementGroup(root, { filter: "atExactScope()", top: 1 }).byPage().next() },
      {
        op: "PolicyDefinitions_CreateOrUpdateAtManagementGroup",
        write: true,
        run: () =>
          policy.policyDefinitions.createOrUpdateAtManagementGroup(root, probeName, {
            policyType: "BuiltIn",
            mode: "ParapetProbe",
            displayName: "Parapet permission probe (never created)",
            policyRule: { if: { field: "type", equals: "Parapet.Probe/never" }, then: { effect: "parapetProbe" } },
          }),
        undo: () => policy.policyDefinitions.deleteAtManagementGroup(root, probeName),
      },
      { op: "PolicyDefinitions_DeleteAtManagementGroup", write: true, run: () => policy.policyDefinitions.deleteAtManagementGroup(root, `${probeName}-absent`) },
      { op: "PolicySetDefinitions_ListByManagementGroup", write: false, run: () => policy.policySetDefinitions.listByManagementGroup(root, { filter: "atExactScope()", top: 1 }).byPage().next() },
      {
        op: "PolicySetDefinitions_CreateOrUpdateAtManagementGroup",
        write: true,
        run: () =>
          policy.policySetDefinitions.createOrUpdateAtManagementGroup(root, probeName, {
            policyType: "BuiltIn",
            displayName: "Parapet permission probe (never created)",
            policyDefinitions: [{ policyDefinitionId: absentDefinition }],
          }),
        undo: () => policy.policySetDefinitions.deleteAtManagementGroup(root, probeName),
      },
      { op: "PolicySetDefinitions_DeleteAtManagementGroup", write: true, run: () => policy.policySetDefinitions.deleteAtManagementGroup(root, `${probeName}-absent`) },
      { op: "PolicyAssignments_ListForManagementGroup", write: false, run: () => policy.policyAssignments.listForManagementGroup(root, { filter: "atExactScope()", top: 1 }).byPage().next() },
      {
        op: "PolicyAssignments_Create",
        write: true,
        run: () =>
          policy.policyAssignments.create(this.rootScope, "parapet-probe", {
            policyDefinitionId: absentDefinition,
            enforcementMode: "ParapetProbe",
            displayName: "Parapet permission probe (never created)",
          }),
        undo: () => deleteAssignment(policy, this.rootScope, "parapet-probe"),
      },
      { op: "PolicyAssignments_Delete", write: true, run: () => deleteAssignment(policy, this.rootScope, "parapet-probe-absent") },
      {
        op: "PolicyExemptions_List",
        write: false,
        run: () => arm.listPage(this.exemptionPath(this.rootScope), ARM_API_VERSIONS.exemptions, undefined, "atExactScope()"),
      },
      {
        op: "PolicyExemptions_CreateOrUpdate",
        write: true,
        run: () =>
          arm.put(this.exemptionPath(this.rootScope, probeName), ARM_API_VERSIONS.exemptions, {
            properties: { policyAssignmentId: `/${this.rootScope}/providers/Microsoft.Authorization/policyAssignments/parapet-probe-absent`, exemptionCategory: "ParapetProbe" },
          }),
        undo: () => arm.delete(this.exemptionPath(this.rootScope, probeName), ARM_API_VERSIONS.exemptions),
      },
      { op: "PolicyExemptions_Delete", write: true, run: () => arm.delete(this.exemptionPath(this.rootScope, `${probeName}-absent`), ARM_API_VERSIONS.exemptions) },
    ];
    for (const p of probes) {
      const permission = permissionFor(p.op);
      try {
        await this.call(p.op, p.write, p.run);
        if (p.undo) await this.call(p.op.replace(/_.*$/, "_Delete"), true, p.undo);
        checks.push({ permission, ok: true, detail: p.op });
      } catch (e) {
        const pe = classifyAzureError(e, p.op);
        const status = (pe.cause as { statusCode?: number } | undefined)?.statusCode;
        if (p.write && (pe.kind === "invalid" || pe.kind === "not_found")) {
          checks.push({ permission, ok: true, detail: `${p.op} (authorised; the probe request was rejected as ${pe.code ?? pe.kind}, as intended)` });
        } else if (status === 403) {
          checks.push({ permission, ok: false, detail: publicMessage(pe) });
          missing.add(permission);
        } else {
          // Bad credentials, unreachable endpoint, unknown root, exhausted retries: nothing more to learn.
          return { ok: false, identity: this.identity, ...(rootId ? { rootId } : {}), checks, missing: [...missing], error: publicMessage(pe) };
        }
      }
    }
    return { ok: missing.size === 0, identity: this.identity, ...(rootId ? { rootId } : {}), checks, missing: [...missing] };
  }

  // ------------------------------------------------------------------ discover

  async discover(): Promise<Hierarchy> {
    const { mg, arm } = this.sdk;
    const root = await this.call("ManagementGroups_Get", false, () => mg.managementGroups.get(this.rootMg));
    const rootName = root.name ?? this.rootMg;
    const rootExternalId = `${MG_SCOPE_PREFIX}${rootName}`;
    const descendants = await this.sdkPages("ManagementGroups_GetDescendants", (t) => mg.managementGroups.listDescendants(rootName).byPage({ continuationToken: t }), mgToken);
    // One paged subscription listing carries every subscription's tags: far cheaper than a tags read per subscription.
    const subs = await this.pages("Subscriptions_List", async (t) => {
      const p = await arm.listPage("subscriptions", ARM_API_VERSIONS.subscriptions, t);
      return { items: p.value, next: p.nextLink };
    });
    const tagsBySub = new Map<string, Record<string, string>>();
    for (const s of subs) {
      const id = typeof s.subscriptionId === "string" ? s.subscriptionId : undefined;
      if (!id) continue;
      const labels: Record<string, string> = {};
      if (isObj(s.tags)) for (const [k, v] of Object.entries(s.tags)) if (typeof v === "string") labels[k] = v;
      tagsBySub.set(id.toLowerCase(), labels);
    }
    const nodes: DiscoveredNode[] = [
      { externalId: rootExternalId, kind: "management-group", name: root.displayName ?? rootName, parentExternalId: null, isEnvironment: false, labels: {} },
    ];
    for (const d of descendants) {
      if (!d.id || !d.name) continue;
      const isSub = (d.type ?? "").toLowerCase().endsWith("subscriptions");
      const parent = d.parent?.id ? d.parent.id.replace(/^\/+/, "") : rootExternalId;
      nodes.push({
        externalId: isSub ? `subscriptions/${d.name}` : `${MG_SCOPE_PREFIX}${d.name}`,
        kind: isSub ? "subscription" : "management-group",
        name: d.displayName ?? d.name,
        parentExternalId: parent,
        // Resources live in subscriptions; management groups only group them, so coverage counts subscriptions.
        isEnvironment: isSub,
        // Management groups carry no tags in Azure; subscription tags are the labels.
        labels: isSub ? (tagsBySub.get(d.name.toLowerCase()) ?? {}) : {},
      });
    }
    return { rootExternalId, nodes };
  }

  // ------------------------------------------------------------------ observe

  async observe(req: ObserveRequest): Promise<ObservedState> {
    const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
    const seen = new Set<string>();
    const groups = new Map<string, { kind: PolicyArtifactKind; scope: string; items: Expected[] }>();
    for (const e of req.expected) {
      const k = `${e.kind}|${e.name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      if (!AZURE_KINDS.has(e.kind)) {
        state.unreadable.push({ kind: e.kind, name: e.name, reason: `${e.kind} is not observed by the Azure adapter` });
        continue;
      }
      const kind = e.kind as PolicyArtifactKind;
      // Where to look: the scope the request names, else the one in the known ARM id, else the root.
      const fromId = e.externalId ? parseArmId(e.externalId) : undefined;
      const scope = (e.attachments?.[0] ?? fromId?.scope ?? this.rootScope).replace(/^\/+/, "");
      if (!parseScope(scope)) {
        state.unreadable.push({ kind: e.kind, name: e.name, target: scope, reason: `'${scope}' is not an Azure management group or subscription scope` });
        continue;
      }
      const gk = `${kind}|${scopeKey(scope)}`;
      const g = groups.get(gk) ?? { kind, scope, items: [] };
      g.items.push(e);
      groups.set(gk, g);
    }

    await mapLimit([...groups.values()], this.concurrency, async (g) => {
      if (g.items.length < this.listThreshold) {
        for (const e of g.items) {
          try {
            const f = await this.read(g.kind, g.scope, e.name);
            if (f) state.artifacts.push(this.observed(g.kind, e.name, g.scope, f));
          } catch (err) {
            state.unreadable.push({ kind: e.kind, name: e.name, reason: reason(err) });
          }
        }
        return;
      }
      try {
        const byName = new Map((await this.list(g.kind, g.scope)).map((x) => [x.name.toLowerCase(), x]));
        for (const e of g.items) {
          const x = byName.get(e.name.toLowerCase());
          if (x) state.artifacts.push(this.observed(g.kind, e.name, g.scope, x.found));
        }
      } catch (err) {
        for (const e of g.items) state.unreadable.push({ kind: e.kind, name: e.name, target: g.scope, reason: reason(err) });
      }
    });
    const order = (a: { kind?: string; name?: string }, b: { kind?: string; name?: string }): number =>
      `${a.kind ?? ""}|${a.name ?? ""}`.localeCompare(`${b.kind ?? ""}|${b.name ?? ""}`);
    state.artifacts.sort(order);
    state.unreadable.sort(order);
    return state;
  }

  // ------------------------------------------------------------------ apply

  async apply(change: Change): Promise<ApplyResult> {
    const kind = "artifact" in change ? change.artifact.kind : change.kind;
    if (!AZURE_KINDS.has(kind)) throw invalid(change.op, `${kind} is not an Azure artifact.`, "WRONG_CLOUD");
    const k = kind as PolicyArtifactKind;
    switch (change.op) {
      case "create":
        return this.create(k, change.artifact);
      case "update":
        return this.update(k, change.artifact, change.externalId);
      case "attach":
        return this.attach(k, change.name, change.target);
      case "detach":
        return this.detach(k, change.name, change.target);
      case "delete":
        return this.remove(k, change.name, change.externalId);
    }
  }

  private desiredScope(a: DesiredArtifact, operation: string): string {
    const scope = a.attachments[0];
    if (!scope) throw invalid(operation, `${a.kind} ${a.name} names no scope to live in.`, "NO_SCOPE");
    this.scopeOf(scope, operation);
    return scope.replace(/^\/+/, "");
  }

  /** Idempotent create: adopts its own artifact left by an interrupted run, refuses anyone else's. */
  private async create(kind: PolicyArtifactKind, a: DesiredArtifact): Promise<ApplyResult> {
    const scope = this.desiredScope(a, "create");
    const existing = await this.read(kind, scope, a.name);
    if (existing) {
      if (!existing.owned) throw notOwned("create", `${kind} ${a.name} at ${scope}`);
      const observed = this.observed(kind, a.name, scope, existing);
      if (this.compare(a, observed).equal) return { externalId: observed.externalId, noop: true };
    }
    return { externalId: await this.put(kind, scope, a.name, a.body, existing, "create") };
  }

  private async update(kind: PolicyArtifactKind, a: DesiredArtifact, externalId: string): Promise<ApplyResult> {
    const fromId = externalId ? parseArmId(externalId) : undefined;
    if (fromId && fromId.kind !== kind) throw invalid("update", `${externalId} is not a ${kind}.`, "WRONG_KIND");
    const scope = fromId?.scope ?? this.desiredScope(a, "update");
    const name = fromId?.name ?? a.name;
    const existing = await this.read(kind, scope, name);
    // Gone since it was observed: writing it again is the update (nobody else's object is touched).
    if (existing && !existing.owned) throw notOwned("update", `${kind} ${name} at ${scope}`);
    return { externalId: await this.put(kind, scope, name, a.body, existing, "update") };
  }

  /**
   * Definitions, initiatives, assignments and exemptions exist at exactly one scope: being there is
   * being attached. Attach therefore confirms the artifact at the target; it cannot conjure one.
   */
  private async attach(kind: PolicyArtifactKind, name: string, target: string): Promise<ApplyResult> {
    const scope = target.replace(/^\/+/, "");
    const existing = await this.read(kind, scope, name);
    if (!existing) {
      throw invalid("attach", `${kind} ${name} does not exist at ${scope}; Azure policy resources are attached by creating them there.`, "NOT_CREATED");
    }
    if (!existing.owned) throw notOwned("attach", `${kind} ${name} at ${scope}`);
    return { externalId: existing.id, noop: true };
  }

  private async detach(kind: PolicyArtifactKind, name: string, target: string): Promise<ApplyResult> {
    // A definition or initiative is not attached anywhere: it is only available at and below its
    // scope, and the delete that follows a cleanup removes it. Assignments and exemptions are the
    // attachment itself, so detaching one removes it.
    if (kind === "azure.policy-definition" || kind === "azure.policy-set-definition") return { noop: true };
    const scope = target.replace(/^\/+/, "");
    const existing = await this.read(kind, scope, name);
    if (!existing) return { noop: true };
    if (!existing.owned) throw notOwned("detach", `${kind} ${name} at ${scope}`);
    await this.del(kind, scope, name);
    return { externalId: existing.id };
  }

  private async remove(kind: PolicyArtifactKind, name: string, externalId: string): Promise<ApplyResult> {
    const fromId = externalId ? parseArmId(externalId) : undefined;
    if (fromId && fromId.kind !== kind) throw invalid("delete", `${externalId} is not a ${kind}.`, "WRONG_KIND");
    const scope = fromId?.scope ?? this.rootScope;
    const n = fromId?.name ?? name;
    const existing = await this.read(kind, scope, n);
    if (!existing) return { noop: true };
    if (!existing.owned) throw notOwned("delete", `${kind} ${n} at ${scope}`);
    await this.del(kind, scope, n);
    return { externalId: existing.id };
  }

  // ------------------------------------------------------------------ compare

  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
    const d = desired.body;
    const o = observed.body;
    if (!isObj(d) || !isObj(d.properties) || !isObj(o) || !isObj(o.properties)) {
      return { equal: false, kind: "modified", detail: "the observed artifact has no properties to compare" };
    }
    switch (desired.kind) {
      case "azure.policy-definition":
        return compareDefinition(d as unknown as TAzurePolicyDefinition, o as unknown as TAzurePolicyDefinition);
      case "azure.policy-set-definition":
        return compareSetDefinition(d as unknown as TAzurePolicySetDefinition, o as unknown as TAzurePolicySetDefinition);
      case "azure.policy-assignment":
        return compareAssignment(d as unknown as TAzurePolicyAssignment, o as unknown as TObservedAzureAssignment);
      case "azure.policy-exemption":
        return compareExemption(d as unknown as TAzurePolicyExemption, o as unknown as TAzurePolicyExemption);
      default:
        return { equal: false, kind: "modified", detail: `${desired.kind} is not an Azure artifact` };
    }
  }

  stats(): CallStats {
    return this.recorder.stats();
  }

  resetStats(): void {
    this.recorder.reset();
  }

  async close(): Promise<void> {
    // The SDK clients hold no sockets open beyond keep-alive connections that close on their own.
  }
}

export function createAzureAdapter(config: AzureAdapterConfig): CloudAdapter {
  return new AzureAdapter(config);
}
