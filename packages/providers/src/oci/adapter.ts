import { randomUUID } from "node:crypto";
import * as common from "oci-common";
import { models as cgModels, requests as cgRequests } from "oci-cloudguard";
import { requests as idRequests, type models as idModels } from "oci-identity";
import { publicMessage } from "../contract/public-message.ts";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { backoffMs, DEFAULT_RETRY, withRetry, type RetryPolicy } from "../contract/retry.ts";
import type {
  ApplyResult,
  ArtifactKind,
  CallStats,
  Change,
  CloudAdapter,
  DesiredArtifact,
  DiscoveredNode,
  Difference,
  Hierarchy,
  ObservedArtifact,
  ObservedState,
  ObserveRequest,
  PermissionCheck,
  VerifyResult,
} from "../contract/types.ts";
import { shortHash } from "../aws/markers.ts";
import { createOciClients, type OciClients, type OciEndpoints } from "./client.ts";
import {
  compareOci,
  parapetTags,
  policyBodyFromCloud,
  securityPolicyKey,
  zoneBodyFromCloud,
  ZOciPolicyArtifact,
  ZOciSecurityZoneArtifact,
  type TOciSecurityZoneArtifact,
} from "./compare.ts";
import { checkPrivateKey, ZOciCredentials, type TOciCredentials } from "./credentials.ts";
import { classifyOciError, isOciThrottle } from "./errors.ts";
import { isOwnedByWorkspaceOci, OCI_NAME_PREFIX, OCI_OWNER_TAG_KEY, ociOwnerTags } from "./markers.ts";
import { DENY_STATEMENTS_PERMISSION, ociDenyGuardFix, permissionFor } from "./permissions.ts";
import { OCI_LIMITS, type TOciIamPolicy } from "./types.ts";

import { EgressGuard } from "../egress/guard.ts";

export { ZOciCredentials, type TOciCredentials } from "./credentials.ts";
export { minimumPermissions, ociBootstrapStatements } from "./permissions.ts";

export interface OciAdapterConfig {
  workspaceId: string;
  credentials: TOciCredentials;
  /** One base URL for both Identity and Cloud Guard (the simulators serve both on one port). */
  endpoint?: string;
  /** Per-service overrides; win over `endpoint`. */
  endpoints?: OciEndpoints;
  /** Root facts; the tenancy OCID defaults to the credentials' tenancy. */
  facts?: { tenancyId?: string };
  retry?: RetryPolicy;
  /** Page size for list calls (OCI accepts up to 1000). */
  pageLimit?: number;
  /** Parallel reads during observe; kept small so one reconcile does not eat the tenancy's rate limit. */
  concurrency?: number;
  recorder?: CallRecorder;
  /** Which hosts and addresses the SDK may connect to; default: OCI's own hosts only, no allowlist. */
  egress?: EgressGuard;
}

type Expected = ObserveRequest["expected"][number];
type Policy = idModels.Policy;
type Recipe = cgModels.SecurityRecipeSummary;
type Zone = cgModels.SecurityZoneSummary;

const DEAD = new Set(["DELETED", "DELETING", "FAILED"]);
const isLive = (x: { lifecycleState?: string }): boolean => !DEAD.has(x.lifecycleState ?? "ACTIVE");
const ETAG_MISMATCH = "NoEtagMatch";
const DEFAULT_PAGE_LIMIT = 1000;

function notOwned(operation: string, what: string): ProviderError {
  return new ProviderError(
    "invalid",
    `Parapet refuses to change ${what}: its ownership marker (name prefix '${OCI_NAME_PREFIX}' and tag '${OCI_OWNER_TAG_KEY}') does not name this workspace.`,
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

// Shown to users (verify, plan "unknown" entries): the classified text, never the cloud's raw answer.
const reason = (e: unknown): string => publicMessage(e);

/**
 * OCI adapter: IAM policies (Identity) and security zones with Parapet-owned recipes (Cloud Guard),
 * through the official SDKs. Ownership is the `parapet-` name prefix plus the freeform tag
 * `parapet-managed=<workspaceId>`, always read back from OCI before anything is changed.
 */
class OciAdapter implements CloudAdapter {
  readonly cloud = "oci" as const;
  private readonly recorder: CallRecorder;
  private readonly retry: RetryPolicy;
  private readonly tenancyId: string;
  private readonly ws: string;
  private readonly pageLimit: number;
  private readonly concurrency: number;
  private readonly creds: TOciCredentials;
  private readonly endpoints: OciEndpoints;
  private readonly egress: EgressGuard;
  private sdk: OciClients | undefined;
  private readonly keyProblem: string | null;
  private readonly userId: string;
  /** Oracle's security zone policies never change for a tenancy; one read per adapter is enough. */
  private catalog: { nameById: Map<string, string>; idByKey: Map<string, string> } | undefined;

  constructor(config: OciAdapterConfig) {
    const parsed = ZOciCredentials.safeParse(config.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid("configure", `OCI credentials: ${issue ? `${issue.path.join(".")} ${issue.message}` : "invalid"}`, "INVALID_CREDENTIALS");
    }
    const creds = parsed.data;
    // The workspace id is the ownership tag's value; OCI caps freeform tag values at 256 characters.
    if (!config.workspaceId || config.workspaceId.length > 256) {
      throw invalid("configure", "workspaceId must be 1-256 characters: it is written as the parapet-managed tag value.", "INVALID_CONFIG");
    }
    this.ws = config.workspaceId;
    this.userId = creds.userId;
    this.tenancyId = config.facts?.tenancyId ?? creds.tenancyId;
    this.retry = config.retry ?? DEFAULT_RETRY;
    this.pageLimit = Math.min(Math.max(1, config.pageLimit ?? DEFAULT_PAGE_LIMIT), 1000);
    this.concurrency = Math.max(1, config.concurrency ?? 4);
    this.recorder = config.recorder ?? new CallRecorder();
    this.keyProblem = checkPrivateKey(creds.privateKeyPem, creds.passphrase);
    this.creds = creds;
    this.egress = (config.egress ?? new EgressGuard()).forCloud("oci");
    this.endpoints = {
      identity: config.endpoints?.identity ?? config.endpoint,
      cloudGuard: config.endpoints?.cloudGuard ?? config.endpoint,
    };
  }

  /** Built on first use: the SDK parses the key in its constructor, and a bad key must surface as a verify error. */
  private get clients(): OciClients {
    if (this.keyProblem) {
      throw new ProviderError("auth", `OCI API key: ${this.keyProblem}.`, false, "sign", "INVALID_PRIVATE_KEY");
    }
    try {
      this.sdk ??= createOciClients(this.creds, this.endpoints, this.egress);
    } catch (e) {
      throw new ProviderError("auth", "OCI API key: the SDK cannot use the private key for signing.", false, "sign", "INVALID_PRIVATE_KEY", e);
    }
    return this.sdk;
  }

  // ------------------------------------------------------------------ plumbing

  /**
   * One SDK call: recorded, classified, retried with backoff when retryable. `passThrough` errors
   * leave at once so an outer loop can act first (a 412 needs a fresh etag, not the same request again).
   */
  private async call<T>(
    operation: string,
    write: boolean,
    fn: () => Promise<T>,
    passThrough?: (e: ProviderError) => boolean,
  ): Promise<T> {
    const r = await withRetry(async () => {
      try {
        return { ok: await this.recorder.call(operation, write, fn, isOciThrottle) };
      } catch (e) {
        const pe = classifyOciError(e, operation);
        if (passThrough?.(pe)) return { err: pe };
        throw pe;
      }
    }, this.retry);
    if ("err" in r) throw r.err;
    return r.ok;
  }

  /** Read-modify-write with OCI etags: on 412 the whole step runs again, re-reading the object. */
  private async withFreshEtag<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (e) {
        if (!(isProviderError(e) && e.code === ETAG_MISMATCH) || attempt + 1 >= this.retry.attempts) throw e;
        await new Promise((r) => setTimeout(r, backoffMs(attempt, this.retry)));
      }
    }
  }

  private async pages<T>(operation: string, fetch: (page: string | undefined) => Promise<{ items: T[]; next?: string | null }>): Promise<T[]> {
    const all: T[] = [];
    let page: string | undefined;
    do {
      const r = await this.call(operation, false, () => fetch(page));
      all.push(...r.items);
      page = r.next ?? undefined;
    } while (page);
    return all;
  }

  private isNotFound(e: unknown): boolean {
    return isProviderError(e) && e.kind === "not_found";
  }

  private ownerTags(existing?: Record<string, string> | null, desired?: Record<string, string>): Record<string, string> {
    // Customers' own freeform tags survive Parapet's writes; Parapet's keys are set from desired.
    const keep: Record<string, string> = {};
    for (const [k, v] of Object.entries(existing ?? {})) if (!k.startsWith(OCI_NAME_PREFIX)) keep[k] = v;
    return { ...keep, ...parapetTags(desired), ...ociOwnerTags(this.ws) };
  }

  // ------------------------------------------------------------------ reads

  private listPolicies(compartmentId: string, name?: string): Promise<Policy[]> {
    return this.pages("ListPolicies", async (page) => {
      const r = await this.clients.identity.listPolicies({ compartmentId, limit: this.pageLimit, ...(name ? { name } : {}), ...(page ? { page } : {}) });
      return { items: r.items, next: r.opcNextPage };
    });
  }

  private async getPolicy(policyId: string): Promise<{ policy: Policy; etag: string } | undefined> {
    try {
      const r = await this.call("GetPolicy", false, () => this.clients.identity.getPolicy({ policyId }));
      return isLive(r.policy) ? { policy: r.policy, etag: r.etag } : undefined;
    } catch (e) {
      if (this.isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async findPolicy(compartmentId: string, name: string): Promise<Policy | undefined> {
    const found = (await this.listPolicies(compartmentId, name)).filter((p) => p.name === name && isLive(p));
    return found.find((p) => isOwnedByWorkspaceOci(p, this.ws)) ?? found[0];
  }

  private listRecipes(compartmentId: string, displayName?: string): Promise<Recipe[]> {
    return this.pages("ListSecurityRecipes", async (page) => {
      const r = await this.clients.cloudGuard.listSecurityRecipes({
        compartmentId,
        limit: this.pageLimit,
        lifecycleState: cgModels.LifecycleState.Active,
        ...(displayName ? { displayName } : {}),
        ...(page ? { page } : {}),
      });
      return { items: r.securityRecipeCollection.items, next: r.opcNextPage };
    });
  }

  private async findRecipe(compartmentId: string, name: string): Promise<Recipe | undefined> {
    const found = (await this.listRecipes(compartmentId, name)).filter((r) => r.displayName === name && r.owner === cgModels.OwnerType.Customer && isLive(r));
    return found.find((r) => isOwnedByWorkspaceOci(r, this.ws)) ?? found[0];
  }

  private async getRecipe(securityRecipeId: string): Promise<{ recipe: cgModels.SecurityRecipe; etag: string } | undefined> {
    try {
      const r = await this.call("GetSecurityRecipe", false, () => this.clients.cloudGuard.getSecurityRecipe({ securityRecipeId }));
      return isLive(r.securityRecipe) ? { recipe: r.securityRecipe, etag: r.etag } : undefined;
    } catch (e) {
      if (this.isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Zones on one compartment, or (subtree) every zone in the tenancy. */
  private listZones(q: { compartmentId: string; subtree?: boolean; securityRecipeId?: string }): Promise<Zone[]> {
    return this.pages("ListSecurityZones", async (page) => {
      const r = await this.clients.cloudGuard.listSecurityZones({
        compartmentId: q.compartmentId,
        limit: this.pageLimit,
        lifecycleState: cgModels.LifecycleState.Active,
        ...(q.subtree ? { isRequiredSecurityZonesInSubtree: true } : {}),
        ...(q.securityRecipeId ? { securityRecipeId: q.securityRecipeId } : {}),
        ...(page ? { page } : {}),
      });
      return { items: r.securityZoneCollection.items, next: r.opcNextPage };
    });
  }

  private async securityPolicyCatalog(): Promise<{ nameById: Map<string, string>; idByKey: Map<string, string> }> {
    if (this.catalog) return this.catalog;
    const items = await this.pages("ListSecurityPolicies", async (page) => {
      const r = await this.clients.cloudGuard.listSecurityPolicies({ compartmentId: this.tenancyId, limit: this.pageLimit, ...(page ? { page } : {}) });
      return { items: r.securityPolicyCollection.items, next: r.opcNextPage };
    });
    const nameById = new Map<string, string>();
    const idByKey = new Map<string, string>();
    for (const p of items) {
      const name = p.friendlyName ?? p.displayName ?? p.id;
      nameById.set(p.id, name);
      idByKey.set(securityPolicyKey(name), p.id);
      if (p.displayName) idByKey.set(securityPolicyKey(p.displayName), p.id);
    }
    this.catalog = { nameById, idByKey };
    return this.catalog;
  }

  private async resolveSecurityPolicies(names: string[], operation: string): Promise<string[]> {
    const { idByKey } = await this.securityPolicyCatalog();
    const ids: string[] = [];
    for (const n of names) {
      const id = idByKey.get(securityPolicyKey(n));
      if (!id) {
        throw invalid(operation, `OCI has no security zone policy named '${n}' in this tenancy's region.`, "UNKNOWN_SECURITY_POLICY");
      }
      if (!ids.includes(id)) ids.push(id);
    }
    return ids.sort();
  }

  // ------------------------------------------------------------------ verify

  async verify(): Promise<VerifyResult> {
    const checks: PermissionCheck[] = [];
    if (this.keyProblem) return { ok: false, identity: this.userId, checks, missing: [], error: `OCI API key: ${this.keyProblem}.` };
    const root = this.tenancyId;
    let clients: OciClients;
    try {
      clients = this.clients;
    } catch (e) {
      return { ok: false, identity: this.userId, checks, missing: [], error: reason(e) };
    }
    const id = clients.identity;
    const cg = clients.cloudGuard;
    let rootId: string | undefined;
    // Reads are probed directly. OCI has no dry-run for writes, so each write is probed with a
    // request that cannot succeed (an empty name): 400 means authorised and validated, while an
    // unauthorised caller gets 404 NotAuthorizedOrNotFound before validation.
    const probes: Array<{ op: string; write: boolean; run: () => Promise<unknown> }> = [
      {
        op: "GetTenancy",
        write: false,
        run: async () => {
          rootId = (await id.getTenancy({ tenancyId: root })).tenancy.id;
        },
      },
      {
        op: "ListCompartments",
        write: false,
        run: () => id.listCompartments({ compartmentId: root, limit: 1, compartmentIdInSubtree: true, accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any }),
      },
      { op: "ListPolicies", write: false, run: () => id.listPolicies({ compartmentId: root, limit: 1 }) },
      {
        op: "CreatePolicy",
        write: true,
        run: () => id.createPolicy({ createPolicyDetails: { compartmentId: root, name: "", description: "Parapet permission probe", statements: [] } }),
      },
      { op: "ListSecurityPolicies", write: false, run: () => cg.listSecurityPolicies({ compartmentId: root, limit: 1 }) },
      { op: "ListSecurityRecipes", write: false, run: () => cg.listSecurityRecipes({ compartmentId: root, limit: 1 }) },
      {
        op: "CreateSecurityRecipe",
        write: true,
        run: () => cg.createSecurityRecipe({ createSecurityRecipeDetails: { compartmentId: root, displayName: "", securityPolicies: [] } }),
      },
      { op: "ListTargets", write: false, run: () => cg.listTargets({ compartmentId: root, limit: 1 }) },
      { op: "ListSecurityZones", write: false, run: () => cg.listSecurityZones({ compartmentId: root, limit: 1 }) },
      {
        op: "CreateSecurityZone",
        write: true,
        run: () => cg.createSecurityZone({ createSecurityZoneDetails: { compartmentId: root, displayName: "", securityZoneRecipeId: "" } }),
      },
    ];
    const missing = new Set<string>();
    for (const p of probes) {
      const permission = permissionFor(p.op);
      try {
        await this.call(p.op, p.write, p.run);
        checks.push({ permission, ok: true, detail: p.op });
      } catch (e) {
        const pe = classifyOciError(e, p.op);
        if (p.write && pe.kind === "invalid") {
          checks.push({ permission, ok: true, detail: `${p.op} (authorised; the probe request was rejected as invalid, as intended)` });
        } else if (pe.kind === "not_found" || (pe.cause instanceof common.OciError && pe.cause.statusCode === 403)) {
          checks.push({ permission, ok: false, detail: `${p.op} answered ${pe.code ?? pe.kind}` });
          missing.add(permission);
        } else {
          // Bad signature, unreachable endpoint, exhausted retries: nothing more can be learnt.
          return { ok: false, identity: this.userId, ...(rootId ? { rootId } : {}), checks, missing: [...missing], error: publicMessage(pe) };
        }
      }
    }
    if (checks.some((c) => c.ok && c.detail === "ListPolicies")) {
      const guard = await this.denyGuardCheck();
      checks.push(guard);
      if (!guard.ok) missing.add(guard.permission);
    }
    return { ok: missing.size === 0, identity: this.userId, ...(rootId ? { rootId } : {}), checks, missing: [...missing] };
  }

  /**
   * Reads the root policies for the deny-policy guard OCI creates when IAM deny policies are enabled
   * and says exactly which statement to replace when it does not except the connector: until then
   * OCI refuses every policy Parapet writes that holds a deny statement.
   */
  private async denyGuardCheck(): Promise<PermissionCheck> {
    let policies: Policy[];
    try {
      policies = await this.listPolicies(this.tenancyId);
    } catch (e) {
      return { permission: DENY_STATEMENTS_PERMISSION, ok: false, detail: `The root policies could not be read to look for the deny-policy guard: ${reason(e)}` };
    }
    for (const p of policies.filter(isLive)) {
      for (const st of p.statements) {
        const fix = ociDenyGuardFix(st, this.userId);
        if (fix === undefined) continue;
        return {
          permission: DENY_STATEMENTS_PERMISSION,
          ok: false,
          detail: `Root policy '${p.name}' (${p.id}) lets only listed principals and the Administrators group write deny statements, so OCI refuses Parapet's deny-based guardrails. In that policy replace the statement "${st}" with "${fix}".`,
        };
      }
    }
    return { permission: DENY_STATEMENTS_PERMISSION, ok: true, detail: "no root policy keeps the connector from writing deny statements" };
  }

  // ------------------------------------------------------------------ discover

  async discover(): Promise<Hierarchy> {
    const root = this.tenancyId;
    const tenancy = (await this.call("GetTenancy", false, () => this.clients.identity.getTenancy({ tenancyId: root }))).tenancy;
    const compartments = await this.pages("ListCompartments", async (page) => {
      const r = await this.clients.identity.listCompartments({
        compartmentId: root,
        compartmentIdInSubtree: true,
        // ANY: list every compartment, not only those the connector may act in, so the tree is whole.
        accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
        lifecycleState: "ACTIVE",
        limit: this.pageLimit,
        ...(page ? { page } : {}),
      });
      return { items: r.items, next: r.opcNextPage };
    });
    const parents = new Set(compartments.map((c) => c.compartmentId));
    const nodes: DiscoveredNode[] = [
      {
        externalId: root,
        kind: "tenancy",
        name: tenancy.name ?? root,
        parentExternalId: null,
        // The root compartment holds resources too, but only counts as an environment when nothing is below it.
        isEnvironment: compartments.length === 0,
        labels: labelsOf(tenancy),
      },
    ];
    for (const c of compartments) {
      nodes.push({
        externalId: c.id,
        kind: "compartment",
        name: c.name,
        parentExternalId: c.compartmentId,
        // Every OCI compartment can hold resources; Parapet counts coverage on the leaves of the tree,
        // the compartments with no child compartments, so parents are not counted twice.
        isEnvironment: !parents.has(c.id),
        labels: labelsOf(c),
      });
    }
    return { rootExternalId: root, nodes };
  }

  // ------------------------------------------------------------------ observe

  /**
   * Reads only Parapet's artifacts, by name where they live. Calls per observe:
   *   Σ over compartments holding expected policies of ⌈policies there / pageLimit⌉  (ListPolicies)
   * + Σ over compartments holding expected zones of ⌈recipes there / pageLimit⌉      (ListSecurityRecipes)
   * + ⌈zones in tenancy / pageLimit⌉ when a recipe was found or targets were given  (ListSecurityZones)
   * + 1 ListSecurityPolicies on the adapter's first zone read (Oracle's catalogue, cached).
   * With core's one policy chunk and at most one zone per compartment that is ≤ 1 call per owned
   * artifact + 1, independent of the number of compartments in the tenancy.
   */
  async observe(req: ObserveRequest): Promise<ObservedState> {
    const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
    const seen = new Set<string>();
    const policyGroups = new Map<string, Expected[]>();
    const zoneGroups = new Map<string, Expected[]>();
    const byIdOnly: Expected[] = [];
    for (const e of req.expected) {
      const k = `${e.kind}|${e.name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      if (e.kind !== "oci.policy" && e.kind !== "oci.security-zone") {
        state.unreadable.push({ kind: e.kind, name: e.name, reason: `${e.kind} is not observed by the OCI adapter` });
        continue;
      }
      const compartment = e.attachments?.[0];
      if (!compartment && e.externalId && e.kind === "oci.policy") {
        byIdOnly.push(e);
        continue;
      }
      const groups = e.kind === "oci.policy" ? policyGroups : zoneGroups;
      // Without a hint the artifact can only be looked for where Parapet would not put it by default: the root.
      const c = compartment ?? this.tenancyId;
      groups.set(c, [...(groups.get(c) ?? []), e]);
    }

    for (const e of byIdOnly) {
      try {
        const got = await this.getPolicy(e.externalId as string);
        if (got && got.policy.name === e.name) state.artifacts.push(this.observedPolicy(got.policy));
        else policyGroups.set(this.tenancyId, [...(policyGroups.get(this.tenancyId) ?? []), e]);
      } catch (err) {
        state.unreadable.push({ kind: e.kind, name: e.name, reason: reason(err) });
      }
    }

    await mapLimit([...policyGroups.entries()], this.concurrency, async ([compartmentId, items]) => {
      try {
        const names = new Set(items.map((i) => i.name));
        const listed = await this.listPolicies(compartmentId, names.size === 1 ? items[0]?.name : undefined);
        for (const e of items) {
          const candidates = listed.filter((p) => p.name === e.name && isLive(p));
          const p = candidates.find((x) => x.id === e.externalId) ?? candidates.find((x) => isOwnedByWorkspaceOci(x, this.ws)) ?? candidates[0];
          if (p) state.artifacts.push(this.observedPolicy(p));
        }
      } catch (err) {
        for (const e of items) state.unreadable.push({ kind: e.kind, name: e.name, target: compartmentId, reason: reason(err) });
      }
    });

    await this.observeZones(zoneGroups, req.targets ?? [], state);
    const order = (a: { kind: string; name?: string }, b: { kind: string; name?: string }): number =>
      `${a.kind}|${a.name ?? ""}`.localeCompare(`${b.kind}|${b.name ?? ""}`);
    state.artifacts.sort(order);
    state.unreadable.sort((a, b) => order({ kind: a.kind ?? "", name: a.name }, { kind: b.kind ?? "", name: b.name }));
    return state;
  }

  private observedPolicy(p: Policy): ObservedArtifact {
    return {
      kind: "oci.policy",
      name: p.name,
      externalId: p.id,
      body: policyBodyFromCloud(p),
      attachments: [p.compartmentId],
      owned: isOwnedByWorkspaceOci(p, this.ws),
    };
  }

  /**
   * Recipes are read per compartment (they live beside the zone they serve); zones with one
   * tenancy-wide listing, which also yields the foreign zones on requested targets: a compartment
   * can be in only one security zone, so a customer's zone takes the target's only slot.
   */
  private async observeZones(groups: Map<string, Expected[]>, targets: string[], state: ObservedState): Promise<void> {
    const found: Array<{ e: Expected; recipe: Recipe }> = [];
    await mapLimit([...groups.entries()], this.concurrency, async ([compartmentId, items]) => {
      try {
        const recipes = await this.listRecipes(compartmentId, items.length === 1 ? items[0]?.name : undefined);
        for (const e of items) {
          const candidates = recipes.filter((r) => r.displayName === e.name && r.owner === cgModels.OwnerType.Customer && isLive(r));
          const r = candidates.find((x) => x.id === e.externalId) ?? candidates.find((x) => isOwnedByWorkspaceOci(x, this.ws)) ?? candidates[0];
          if (r) found.push({ e, recipe: r });
        }
      } catch (err) {
        for (const e of items) state.unreadable.push({ kind: e.kind, name: e.name, target: compartmentId, reason: reason(err) });
      }
    });
    if (found.length === 0 && targets.length === 0) return;
    let zones: Zone[];
    let catalog: Awaited<ReturnType<OciAdapter["securityPolicyCatalog"]>> | undefined;
    try {
      if (found.length > 0) catalog = await this.securityPolicyCatalog();
      const onlyRecipe = found.length === 1 && targets.length === 0 ? found[0]?.recipe.id : undefined;
      zones = await this.listZones({ compartmentId: this.tenancyId, subtree: true, ...(onlyRecipe ? { securityRecipeId: onlyRecipe } : {}) });
    } catch (err) {
      for (const { e } of found) state.unreadable.push({ kind: e.kind, name: e.name, reason: reason(err) });
      for (const t of targets) state.unreadable.push({ kind: "oci.security-zone", target: t, reason: reason(err) });
      return;
    }
    for (const t of targets) {
      const foreign = zones.filter((z) => z.compartmentId === t && isLive(z) && !isOwnedByWorkspaceOci(z, this.ws)).length;
      if (foreign > 0) state.foreignSlots[t] = { "oci.security-zone": foreign };
    }
    if (!catalog) return;
    for (const { recipe } of found) {
      const attachments = zones.filter((z) => z.securityZoneRecipeId === recipe.id && isLive(z)).map((z) => z.compartmentId);
      state.artifacts.push({
        kind: "oci.security-zone",
        name: recipe.displayName ?? "",
        externalId: recipe.id,
        body: zoneBodyFromCloud(recipe, catalog.nameById),
        attachments: [...new Set(attachments)].sort(),
        owned: isOwnedByWorkspaceOci(recipe, this.ws),
      });
    }
  }

  // ------------------------------------------------------------------ compare

  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
    return compareOci(desired, observed, this.ws);
  }

  // ------------------------------------------------------------------ apply

  async apply(change: Change): Promise<ApplyResult> {
    const kind: ArtifactKind = change.op === "create" || change.op === "update" ? change.artifact.kind : change.kind;
    if (kind === "oci.policy") {
      switch (change.op) {
        case "create":
          return this.createPolicy(change.artifact);
        case "update":
          return this.updatePolicy(change.externalId, () => this.policyBody(change.artifact, "UpdatePolicy"), "UpdatePolicy");
        case "attach":
        case "detach":
          return this.attachDetachPolicy(change);
        case "delete":
          return this.deletePolicy(change.externalId);
      }
    }
    if (kind === "oci.security-zone") {
      switch (change.op) {
        case "create":
          return this.createZoneArtifact(change.artifact);
        case "update":
          return this.updateRecipe(change.externalId, change.artifact.name, () => this.zoneBody(change.artifact, "UpdateSecurityRecipe"), "UpdateSecurityRecipe");
        case "attach":
          return this.attachZone(change);
        case "detach":
          return this.detachZone(change);
        case "delete":
          return this.deleteZoneArtifact(change.externalId);
      }
    }
    throw invalid(change.op, `The OCI adapter does not manage ${kind} artifacts.`, "UNSUPPORTED_KIND");
  }

  // ---------------- IAM policies

  private policyBody(a: DesiredArtifact, operation: string): TOciIamPolicy {
    const r = ZOciPolicyArtifact.safeParse(a.body);
    if (!r.success) throw invalid(operation, `The desired OCI policy ${a.name} is malformed: ${r.error.issues[0]?.message ?? "invalid"}.`, "INVALID_BODY");
    if (r.data.name !== a.name || !a.name.startsWith(OCI_NAME_PREFIX)) {
      throw invalid(operation, `OCI policy names must be the artifact name and start with '${OCI_NAME_PREFIX}' (got '${r.data.name}').`, "INVALID_BODY");
    }
    if (r.data.statements.length > OCI_LIMITS.statementsPerPolicy) {
      throw new ProviderError(
        "limit",
        `OCI policy ${a.name} has ${r.data.statements.length} statements; OCI allows ${OCI_LIMITS.statementsPerPolicy} per policy.`,
        false,
        operation,
        "STATEMENTS_PER_POLICY",
      );
    }
    const target = a.attachments[0];
    if (target && target !== r.data.compartmentId) {
      throw invalid(operation, `An OCI policy is attached to the compartment it lives in; ${a.name} names ${r.data.compartmentId} but is to attach to ${target}.`, "INVALID_BODY");
    }
    return r.data;
  }

  private async createPolicy(a: DesiredArtifact): Promise<ApplyResult> {
    const body = this.policyBody(a, "CreatePolicy");
    // One token per apply: a retried request whose first answer got lost replays instead of failing.
    const opcRetryToken = randomUUID();
    try {
      const r = await this.call("CreatePolicy", true, () =>
        this.clients.identity.createPolicy({
          createPolicyDetails: {
            compartmentId: body.compartmentId,
            name: body.name,
            description: body.description,
            statements: body.statements,
            freeformTags: this.ownerTags(undefined, body.freeformTags),
          },
          opcRetryToken,
        }),
      );
      return { externalId: r.policy.id };
    } catch (e) {
      if (!(isProviderError(e) && e.kind === "conflict" && e.code === "PolicyAlreadyExists")) throw e;
      // Created earlier by a run that crashed before recording it, or by a human with our name: adopt
      // only what carries this workspace's marker.
      const existing = await this.findPolicy(body.compartmentId, body.name);
      if (!existing) {
        throw new ProviderError("conflict", `A policy named ${body.name} already exists elsewhere in the tenancy.`, false, "CreatePolicy", "PolicyAlreadyExists", e);
      }
      if (!isOwnedByWorkspaceOci(existing, this.ws)) throw notOwned("CreatePolicy", `the existing policy ${existing.name} (${existing.id})`);
      await this.updatePolicy(existing.id, () => body, "CreatePolicy");
      return { externalId: existing.id };
    }
  }

  /** `bodyOf` runs only once ownership is proven, so a foreign object is refused as NOT_OWNED whatever the request says. */
  private async updatePolicy(policyId: string, bodyOf: () => TOciIamPolicy, operation: string): Promise<ApplyResult> {
    return this.withFreshEtag(async () => {
      const cur = await this.getPolicy(policyId);
      if (!cur) {
        throw new ProviderError("not_found", `OCI policy ${policyId} no longer exists; it must be created again.`, false, operation, "NotAuthorizedOrNotFound");
      }
      const p = cur.policy;
      if (!isOwnedByWorkspaceOci(p, this.ws)) throw notOwned(operation, `policy ${p.name} (${p.id})`);
      const body = bodyOf();
      if (p.compartmentId !== body.compartmentId) {
        throw invalid(operation, `OCI policy ${p.name} lives in compartment ${p.compartmentId}; policies cannot move to ${body.compartmentId}.`, "POLICY_COMPARTMENT_FIXED");
      }
      const desired: DesiredArtifact = { kind: "oci.policy", name: body.name, body, attachments: [body.compartmentId], guardrailIds: [] };
      const now = this.observedPolicy(p);
      if (compareOci(desired, now, this.ws).equal) return { externalId: p.id, noop: true };
      await this.call(
        "UpdatePolicy",
        true,
        () =>
          this.clients.identity.updatePolicy({
            policyId: p.id,
            ifMatch: cur.etag,
            updatePolicyDetails: {
              description: body.description,
              statements: body.statements,
              freeformTags: this.ownerTags(p.freeformTags, body.freeformTags),
            },
          }),
        (err) => err.code === ETAG_MISMATCH,
      );
      return { externalId: p.id };
    });
  }

  private async resolvePolicy(change: { externalId: string; name: string; target: string }): Promise<{ policy: Policy; etag?: string } | undefined> {
    if (change.externalId) return this.getPolicy(change.externalId);
    const p = await this.findPolicy(change.target, change.name);
    return p ? { policy: p } : undefined;
  }

  private async attachDetachPolicy(change: Extract<Change, { op: "attach" | "detach" }>): Promise<ApplyResult> {
    const operation = change.op === "attach" ? "AttachPolicy" : "DetachPolicy";
    const got = await this.resolvePolicy(change);
    if (!got) {
      if (change.op === "detach") return { noop: true };
      throw new ProviderError("not_found", `OCI policy ${change.name} does not exist in ${change.target}; create it first.`, false, operation, "NotAuthorizedOrNotFound");
    }
    const p = got.policy;
    if (!isOwnedByWorkspaceOci(p, this.ws)) throw notOwned(operation, `policy ${p.name} (${p.id})`);
    if (change.op === "attach") {
      if (p.compartmentId === change.target) return { externalId: p.id, noop: true };
      throw invalid(operation, `OCI policy ${p.name} lives in compartment ${p.compartmentId} and cannot be attached to ${change.target}.`, "POLICY_COMPARTMENT_FIXED");
    }
    // An OCI policy is attached to the compartment it lives in; it is removed by the delete the
    // planner always pairs with this detach, so there is nothing to do on its own.
    return { externalId: p.id, noop: true };
  }

  private async deletePolicy(policyId: string): Promise<ApplyResult> {
    if (!policyId) throw invalid("DeletePolicy", "Deleting an OCI policy needs its OCID.", "INVALID_CHANGE");
    return this.withFreshEtag(async () => {
      const cur = await this.getPolicy(policyId);
      if (!cur) return { noop: true };
      if (!isOwnedByWorkspaceOci(cur.policy, this.ws)) throw notOwned("DeletePolicy", `policy ${cur.policy.name} (${cur.policy.id})`);
      try {
        await this.call("DeletePolicy", true, () => this.clients.identity.deletePolicy({ policyId, ifMatch: cur.etag }), (e) => e.code === ETAG_MISMATCH);
      } catch (e) {
        if (this.isNotFound(e)) return { noop: true };
        throw e;
      }
      return { externalId: policyId };
    });
  }

  // ---------------- security zones (recipe + zone)

  private zoneBody(a: DesiredArtifact, operation: string): TOciSecurityZoneArtifact {
    const r = ZOciSecurityZoneArtifact.safeParse(a.body);
    if (!r.success) throw invalid(operation, `The desired OCI security zone ${a.name} is malformed: ${r.error.issues[0]?.message ?? "invalid"}.`, "INVALID_BODY");
    if (r.data.displayName !== a.name || !a.name.startsWith(OCI_NAME_PREFIX)) {
      throw invalid(operation, `Security zone names must be the artifact name and start with '${OCI_NAME_PREFIX}' (got '${r.data.displayName}').`, "INVALID_BODY");
    }
    if (r.data.workspaceId !== this.ws) {
      throw invalid(operation, `Security zone ${a.name} belongs to another workspace and cannot be written by this connection.`, "NOT_OWNED");
    }
    return r.data;
  }

  private recipeDescription(body: TOciSecurityZoneArtifact): string {
    return `Parapet guardrails: security zone policies for compartment ${body.compartmentId}`.slice(0, 400);
  }

  private async createZoneArtifact(a: DesiredArtifact): Promise<ApplyResult> {
    const body = this.zoneBody(a, "CreateSecurityRecipe");
    const policies = await this.resolveSecurityPolicies(body.securityPolicyNames, "CreateSecurityRecipe");
    // Refuse before anything is written: a recipe without its zone would be left behind.
    for (const target of a.attachments.length > 0 ? a.attachments : [body.compartmentId]) {
      if ((await this.listZones({ compartmentId: target })).some((z) => z.compartmentId === target && isLive(z))) continue;
      await this.refuseIfCustomerTargets(target, "CreateSecurityZone");
    }
    // The recipe first: a zone can only be created with a recipe to point at.
    let recipeId: string;
    const existing = await this.findRecipe(body.compartmentId, a.name);
    if (existing) {
      if (!isOwnedByWorkspaceOci(existing, this.ws)) throw notOwned("CreateSecurityRecipe", `the existing security zone recipe ${a.name} (${existing.id})`);
      await this.updateRecipe(existing.id, a.name, () => body, "CreateSecurityRecipe");
      recipeId = existing.id;
    } else {
      const opcRetryToken = randomUUID();
      const r = await this.call("CreateSecurityRecipe", true, () =>
        this.clients.cloudGuard.createSecurityRecipe({
          createSecurityRecipeDetails: {
            compartmentId: body.compartmentId,
            displayName: a.name,
            description: this.recipeDescription(body),
            securityPolicies: policies,
            freeformTags: this.ownerTags(),
          },
          opcRetryToken,
        }),
      );
      recipeId = r.securityRecipe.id;
    }
    for (const target of a.attachments.length > 0 ? a.attachments : [body.compartmentId]) {
      await this.ensureZone(recipeId, zoneName(a.name, body.compartmentId, target), target, "CreateSecurityZone");
    }
    return { externalId: recipeId };
  }

  private async updateRecipe(recipeId: string, name: string, bodyOf: () => TOciSecurityZoneArtifact, operation: string): Promise<ApplyResult> {
    return this.withFreshEtag(async () => {
      const cur = await this.getRecipe(recipeId);
      if (!cur) {
        throw new ProviderError("not_found", `Security zone recipe ${recipeId} no longer exists; it must be created again.`, false, operation, "NotAuthorizedOrNotFound");
      }
      const r = cur.recipe;
      if (!isOwnedByWorkspaceOci(r, this.ws)) throw notOwned(operation, `security zone recipe ${r.displayName ?? r.id} (${r.id})`);
      const body = bodyOf();
      const policies = await this.resolveSecurityPolicies(body.securityPolicyNames, operation);
      const { nameById } = await this.securityPolicyCatalog();
      const desired: DesiredArtifact = { kind: "oci.security-zone", name, body, attachments: [], guardrailIds: [] };
      const now: ObservedArtifact = { kind: "oci.security-zone", name: r.displayName ?? "", externalId: r.id, body: zoneBodyFromCloud(r, nameById), attachments: [], owned: true };
      if (compareOci(desired, now, this.ws).equal) return { externalId: r.id, noop: true };
      if (r.compartmentId !== body.compartmentId) {
        throw invalid(operation, `Security zone recipe ${name} lives in ${r.compartmentId}, not ${body.compartmentId}; delete and recreate it.`, "RECIPE_COMPARTMENT_FIXED");
      }
      await this.call(
        "UpdateSecurityRecipe",
        true,
        () =>
          this.clients.cloudGuard.updateSecurityRecipe({
            securityRecipeId: r.id,
            ifMatch: cur.etag,
            updateSecurityRecipeDetails: {
              displayName: name,
              description: this.recipeDescription(body),
              securityPolicies: policies,
              freeformTags: this.ownerTags(r.freeformTags),
            },
          }),
        (e) => e.code === ETAG_MISMATCH,
      );
      return { externalId: r.id };
    });
  }

  /** Puts `target` in a zone using the recipe: noop when it already is, repoint our own zone, refuse a customer's. */
  private async ensureZone(recipeId: string, name: string, target: string, operation: string): Promise<ApplyResult> {
    return this.withFreshEtag(async () => {
      const onTarget = (await this.listZones({ compartmentId: target })).filter((z) => z.compartmentId === target && isLive(z));
      const z = onTarget[0];
      if (z) {
        if (z.securityZoneRecipeId === recipeId) return { externalId: recipeId, noop: true };
        if (!isOwnedByWorkspaceOci(z, this.ws)) {
          throw new ProviderError(
            "conflict",
            `Compartment ${target} is already in security zone '${z.displayName ?? z.id}', which Parapet does not own; a compartment can be in only one security zone.`,
            false,
            operation,
            "CUSTOMER_ZONE_CONFLICT",
          );
        }
        const cur = await this.call("GetSecurityZone", false, () => this.clients.cloudGuard.getSecurityZone({ securityZoneId: z.id }));
        await this.call(
          "UpdateSecurityZone",
          true,
          () =>
            this.clients.cloudGuard.updateSecurityZone({
              securityZoneId: z.id,
              ifMatch: cur.etag,
              updateSecurityZoneDetails: { displayName: cur.securityZone.displayName ?? name, securityZoneRecipeId: recipeId },
            }),
          (e) => e.code === ETAG_MISMATCH,
        );
        return { externalId: recipeId };
      }
      await this.refuseIfCustomerTargets(target, operation);
      const opcRetryToken = randomUUID();
      await this.call("CreateSecurityZone", true, () =>
        this.clients.cloudGuard.createSecurityZone({
          createSecurityZoneDetails: {
            compartmentId: target,
            displayName: name,
            description: `Parapet guardrails: compartment ${target}`,
            securityZoneRecipeId: recipeId,
            freeformTags: this.ownerTags(),
          },
          opcRetryToken,
        }),
      );
      return { externalId: recipeId };
    });
  }

  /**
   * Creating a security zone on a compartment makes Cloud Guard delete every existing Cloud Guard
   * target of that compartment and its subcompartments (security-zone/using/create-security-zone.htm).
   * Parapet never destroys a customer's target: it refuses, naming them, and the plan shows why.
   */
  private async refuseIfCustomerTargets(target: string, operation: string): Promise<void> {
    const targets = await this.pages("ListTargets", async (page) => {
      const r = await this.clients.cloudGuard.listTargets({
        compartmentId: this.tenancyId,
        compartmentIdInSubtree: true,
        accessLevel: cgRequests.ListTargetsRequest.AccessLevel.Accessible,
        isNonSecurityZoneTargetsOnlyQuery: true,
        lifecycleState: cgModels.LifecycleState.Active,
        limit: this.pageLimit,
        ...(page ? { page } : {}),
      });
      return { items: r.targetCollection.items, next: r.opcNextPage };
    });
    const standard = targets.filter((t) => String(t.targetResourceType) === "COMPARTMENT");
    if (standard.length === 0) return;
    const parent = new Map<string, string>();
    if (target !== this.tenancyId) {
      const compartments = await this.pages("ListCompartments", async (page) => {
        const r = await this.clients.identity.listCompartments({
          compartmentId: this.tenancyId,
          compartmentIdInSubtree: true,
          accessLevel: idRequests.ListCompartmentsRequest.AccessLevel.Any,
          limit: this.pageLimit,
          ...(page ? { page } : {}),
        });
        return { items: r.items, next: r.opcNextPage };
      });
      for (const c of compartments) parent.set(c.id, c.compartmentId);
    }
    const under = (id: string): boolean => {
      if (target === this.tenancyId) return true;
      for (let cur: string | undefined = id, hops = 0; cur && hops < 64; cur = parent.get(cur), hops++) if (cur === target) return true;
      return false;
    };
    const doomed = standard.filter((t) => under(t.targetResourceId));
    if (doomed.length === 0) return;
    throw invalid(
      operation,
      `Creating a security zone on compartment ${target} would make Cloud Guard delete the customer's Cloud Guard target${doomed.length > 1 ? "s" : ""} ${doomed
        .map((t) => `'${t.displayName ?? t.id}' (${t.id})`)
        .join(", ")} on it or below it; Parapet never deletes a customer's target. Scope the guardrail's security zone below those compartments, or move the targets first.`,
      "CLOUD_GUARD_TARGETS",
    );
  }

  private async resolveRecipe(change: { externalId: string; name: string; target: string }): Promise<Recipe | undefined> {
    if (change.externalId) return (await this.getRecipe(change.externalId))?.recipe;
    return this.findRecipe(change.target, change.name);
  }

  private async attachZone(change: Extract<Change, { op: "attach" }>): Promise<ApplyResult> {
    const recipe = await this.resolveRecipe(change);
    if (!recipe) {
      throw new ProviderError("not_found", `Security zone recipe ${change.name} does not exist; create it first.`, false, "CreateSecurityZone", "NotAuthorizedOrNotFound");
    }
    const name = recipe.displayName ?? change.name;
    if (!isOwnedByWorkspaceOci(recipe, this.ws)) throw notOwned("CreateSecurityZone", `security zone recipe ${name} (${recipe.id})`);
    return this.ensureZone(recipe.id, zoneName(name, recipe.compartmentId, change.target), change.target, "CreateSecurityZone");
  }

  private async detachZone(change: Extract<Change, { op: "detach" }>): Promise<ApplyResult> {
    const recipe = change.externalId ? { id: change.externalId } : await this.resolveRecipe(change);
    if (!recipe) return { noop: true };
    return this.withFreshEtag(async () => {
      const zone = (await this.listZones({ compartmentId: change.target })).find(
        (z) => z.compartmentId === change.target && z.securityZoneRecipeId === recipe.id && isLive(z),
      );
      if (!zone) return { noop: true };
      return this.deleteZone(zone, "DeleteSecurityZone");
    });
  }

  private async deleteZone(zone: Zone, operation: string): Promise<ApplyResult> {
    if (!isOwnedByWorkspaceOci(zone, this.ws)) throw notOwned(operation, `security zone ${zone.displayName ?? zone.id} (${zone.id})`);
    try {
      const cur = await this.call("GetSecurityZone", false, () => this.clients.cloudGuard.getSecurityZone({ securityZoneId: zone.id }));
      await this.call("DeleteSecurityZone", true, () => this.clients.cloudGuard.deleteSecurityZone({ securityZoneId: zone.id, ifMatch: cur.etag }), (e) => e.code === ETAG_MISMATCH);
    } catch (e) {
      if (this.isNotFound(e)) return { noop: true };
      throw e;
    }
    return { externalId: zone.id };
  }

  private async deleteZoneArtifact(recipeId: string): Promise<ApplyResult> {
    if (!recipeId) throw invalid("DeleteSecurityRecipe", "Deleting a security zone artifact needs its recipe OCID.", "INVALID_CHANGE");
    return this.withFreshEtag(async () => {
      const cur = await this.getRecipe(recipeId);
      if (!cur) return { noop: true };
      const r = cur.recipe;
      if (!isOwnedByWorkspaceOci(r, this.ws)) throw notOwned("DeleteSecurityRecipe", `security zone recipe ${r.displayName ?? r.id} (${r.id})`);
      // Zones first: OCI refuses to delete a recipe a zone still uses.
      const using = await this.listZones({ compartmentId: this.tenancyId, subtree: true, securityRecipeId: r.id });
      const foreign = using.find((z) => isLive(z) && !isOwnedByWorkspaceOci(z, this.ws));
      if (foreign) {
        throw new ProviderError(
          "conflict",
          `Security zone recipe ${r.displayName ?? r.id} is used by security zone '${foreign.displayName ?? foreign.id}', which Parapet does not own; it is left in place.`,
          false,
          "DeleteSecurityRecipe",
          "RECIPE_IN_USE",
        );
      }
      for (const z of using.filter(isLive)) await this.deleteZone(z, "DeleteSecurityZone");
      try {
        await this.call("DeleteSecurityRecipe", true, () => this.clients.cloudGuard.deleteSecurityRecipe({ securityRecipeId: r.id, ifMatch: cur.etag }), (e) => e.code === ETAG_MISMATCH);
      } catch (e) {
        if (this.isNotFound(e)) return { noop: true };
        throw e;
      }
      return { externalId: r.id };
    });
  }

  // ------------------------------------------------------------------ stats

  stats(): CallStats {
    return this.recorder.stats();
  }

  resetStats(): void {
    this.recorder.reset();
  }

  async close(): Promise<void> {
    this.sdk?.close();
    this.sdk = undefined;
  }
}

/**
 * Zone display names are unique in a tenancy. The zone on the recipe's own compartment carries the
 * artifact's name; a zone the same recipe serves elsewhere gets a suffix derived from its compartment.
 */
function zoneName(artifactName: string, recipeCompartmentId: string, target: string): string {
  return target === recipeCompartmentId ? artifactName : `${artifactName}-${shortHash(target)}`;
}

function labelsOf(x: { freeformTags?: Record<string, string> | null; definedTags?: Record<string, Record<string, unknown>> | null }): Record<string, string> {
  const labels: Record<string, string> = {};
  // Defined tags are namespaced in OCI; `namespace.key` keeps them apart from freeform keys.
  for (const [ns, keys] of Object.entries(x.definedTags ?? {})) {
    for (const [k, v] of Object.entries(keys ?? {})) labels[`${ns}.${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const [k, v] of Object.entries(x.freeformTags ?? {})) labels[k] = v;
  return labels;
}

/** The OCI adapter behind the shared contract; throws ProviderError (INVALID_CREDENTIALS) on malformed credentials. */
export function createOciAdapter(config: OciAdapterConfig): CloudAdapter {
  return new OciAdapter(config);
}
