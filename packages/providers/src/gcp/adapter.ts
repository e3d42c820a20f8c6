/**
 * The GCP adapter: Resource Manager v3 for the hierarchy, Org Policy v2 for org policies and custom
 * constraints, IAM v2 for deny policies, through the official SDKs (REST fallback).
 *
 * Ownership, per kind, read from the cloud before any write:
 * - IAM deny policies: id prefix `parapet-` and the annotation `parapet-managed=<workspace>` (IAM v2
 *   policies have annotations, not labels; Parapet's `labels` are written there).
 * - Custom constraints: the name prefix `custom.parapet<ws-short>` (they carry no labels).
 * - Org policies: the API has no labels or annotations, and a policy is a singleton per (node,
 *   constraint) shared with the customer. A policy on one of this workspace's custom constraints is
 *   wholly Parapet's (replaced on update, deleted on delete). A policy on any other constraint is a
 *   shared slot: Parapet merges its rules into what is there (or refuses with
 *   CUSTOMER_POLICY_CONFLICT) and observes it as drift-free while merging would change nothing. Which
 *   rules are Parapet's comes from Parapet's record of what it applied (`previous` on the change):
 *   updates and removals take exactly those back, and the policy is deleted only when nothing else
 *   remains in it.
 *
 * Retries: the SDKs' own retries are switched off per call (`retry: null`) so every throttle reaches
 * the CallRecorder; throttled/unavailable calls are retried by withRetry, and an etag conflict
 * (ABORTED) re-reads the resource and re-merges before writing again.
 */
import { publicMessage } from "../contract/public-message.ts";
import { canonicalJson } from "../contract/canonical.ts";
import { isProviderError, ProviderError, type ProviderErrorKind } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from "../contract/retry.ts";
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
import { createGcpClients, type GcpClients } from "./clients.ts";
import { type TGcpCredentials, type TGcpFacts, ZGcpCredentials, ZGcpFacts } from "./credentials.ts";
import { classifyGcpError, gcpStatus, isGcpThrottle } from "./errors.ts";
import { isOwnedByWorkspaceGcp, isOwnedCustomConstraint } from "./markers.ts";
import { minimumPermissions } from "./permissions.ts";
import {
  canonicalDenyPolicyName,
  compareCustomConstraint,
  compareDenyPolicy,
  compareOrgPolicy,
  constraintOf,
  denyPolicyAnnotations,
  isEmptyOrgPolicy,
  mergeOrgPolicy,
  nodeOfDenyPolicy,
  nodeOfPolicy,
  normaliseCustomConstraint,
  normaliseDenyPolicy,
  normaliseOrgPolicy,
  withoutOurRules,
} from "./policy.ts";
import type { TGcpCustomConstraint, TGcpDenyPolicy, TGcpOrgPolicy } from "./types.ts";

import { EgressGuard } from "../egress/guard.ts";

export interface GcpAdapterConfig {
  workspaceId: string;
  /** Endpoint override for all three APIs, e.g. `http://127.0.0.1:4010` (the simulator). */
  endpoint?: string;
  credentials: TGcpCredentials;
  facts: TGcpFacts;
  retry?: RetryPolicy;
  /** Page size for list and search calls (Google's maximum is 1,000). */
  pageSize?: number;
  /** Reads observe runs in parallel (default 4). */
  concurrency?: number;
  /** Which hosts and addresses the SDKs may connect to; default: Google's own API hosts only. */
  egress?: EgressGuard;
}

const ORG_POLICY: ArtifactKind = "gcp.org-policy";
const CUSTOM: ArtifactKind = "gcp.custom-constraint";
const DENY: ArtifactKind = "gcp.deny-policy";

/** Per-call options: the SDK's own retry off, so throttles surface to the recorder and withRetry. */
const NO_RETRY = { retry: null };
const ONE_PAGE = { retry: null, autoPaginate: false };

const TRANSIENT: ReadonlySet<ProviderErrorKind> = new Set(["throttled", "unavailable"]);
const CONFLICT: ReadonlySet<ProviderErrorKind> = new Set(["conflict"]);

class Final {
  constructor(readonly error: unknown) {}
}

/** withRetry, restricted to the given kinds (the others propagate at once). */
async function retryOnly<T>(kinds: ReadonlySet<ProviderErrorKind>, policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(async () => {
      try {
        return await fn();
      } catch (e) {
        if (isProviderError(e) && e.retryable && kinds.has(e.kind)) throw e;
        throw new Final(e);
      }
    }, policy);
  } catch (e) {
    throw e instanceof Final ? e.error : e;
  }
}

async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const t = tasks[next++];
      if (t) await t();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function notOwned(operation: string, what: string): ProviderError {
  return new ProviderError("invalid", `Parapet refuses to change ${what}: its ownership marker does not name this workspace`, false, operation, "NOT_OWNED");
}

function invalidChange(operation: string, message: string, code: string): ProviderError {
  return new ProviderError("invalid", message, false, operation, code);
}

const isMissing = (e: unknown) => gcpStatus(e) === "NOT_FOUND";
/** Over REST a create of something that exists answers 409, which gax 4 reports as ABORTED. */
const isExisting = (e: unknown) => gcpStatus(e) === "ALREADY_EXISTS" || gcpStatus(e) === "ABORTED";

interface LroLike {
  latestResponse: { done?: boolean | null };
  getOperation(): Promise<unknown[]>;
}

/**
 * org-policy 3.0.1's Policy message has no top-level etag (later protos add one), so concurrency rides
 * on the etags of the spec and dry-run spec, which the API checks on update.
 */
interface RawOrgPolicy {
  policy: TGcpOrgPolicy;
  specEtag?: string;
  dryRunEtag?: string;
}

interface RawDeny {
  policy: TGcpDenyPolicy;
  etag: string;
  owned: boolean;
}

function isActive(state: unknown): boolean {
  return state === "ACTIVE" || state === 1;
}

export function createGcpAdapter(config: GcpAdapterConfig): CloudAdapter {
  return new GcpAdapter(config);
}

class GcpAdapter implements CloudAdapter {
  readonly cloud = "gcp" as const;
  private readonly rec = new CallRecorder();
  private readonly c: GcpClients;
  private readonly org: string;
  private readonly retry: RetryPolicy;
  private readonly pageSize: number;
  private readonly concurrency: number;

  constructor(private readonly cfg: GcpAdapterConfig) {
    const creds = ZGcpCredentials.safeParse(cfg.credentials);
    const facts = ZGcpFacts.safeParse(cfg.facts);
    const bad = creds.error?.issues[0] ?? facts.error?.issues[0];
    if (!creds.success || !facts.success) {
      const where = bad ? `${creds.success ? "facts" : "credentials"}.${bad.path.join(".")}` : "credentials";
      throw invalidChange("gcp.configure", `GCP connection settings are invalid at ${where}: ${bad?.message ?? "unreadable"}`, "INVALID_SETTINGS");
    }
    try {
      this.c = createGcpClients({ endpoint: cfg.endpoint, credentials: creds.data, egress: cfg.egress ?? new EgressGuard() });
    } catch (e) {
      throw invalidChange("gcp.configure", `GCP endpoint "${cfg.endpoint ?? ""}" is not usable: ${e instanceof Error ? e.message : String(e)}`, "INVALID_SETTINGS");
    }
    this.org = `organizations/${cfg.facts.organizationId}`;
    this.retry = cfg.retry ?? DEFAULT_RETRY;
    this.pageSize = Math.max(1, Math.min(cfg.pageSize ?? 1000, 1000));
    this.concurrency = cfg.concurrency ?? 4;
  }

  // ---------------------------------------------------------------- plumbing

  /** One API call: recorded, classified, retried while throttled or unavailable. */
  private call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    return retryOnly(TRANSIENT, this.retry, async () => {
      try {
        return await this.rec.call(operation, write, fn, isGcpThrottle);
      } catch (e) {
        throw classifyGcpError(e, operation);
      }
    });
  }

  /** IAM v2 writes are long-running operations; each poll is a recorded read. */
  private async waitOperation(operation: string, op: LroLike): Promise<unknown> {
    for (let i = 0; ; i++) {
      if (op.latestResponse.done) {
        try {
          const [result] = await op.getOperation();
          return result;
        } catch (e) {
          throw classifyGcpError(e, operation);
        }
      }
      await sleep(Math.min(50 * 2 ** i, 2_000));
      await this.call(`${operation}.GetOperation`, false, () => op.getOperation());
    }
  }

  private isWholeOwnedConstraint(constraint: string): boolean {
    return constraint.startsWith("custom.") && isOwnedCustomConstraint(constraint, this.cfg.workspaceId);
  }

  // ---------------------------------------------------------------- verify

  async verify(): Promise<VerifyResult> {
    const checks: PermissionCheck[] = [];
    const result: VerifyResult = { ok: false, checks, missing: [], ...(this.c.identity ? { identity: this.c.identity } : {}) };
    try {
      await this.call("crm.GetOrganization", false, () => this.c.organizations.getOrganization({ name: this.org }, NO_RETRY));
      result.rootId = this.org;
    } catch (e) {
      const pe = classifyGcpError(e, "crm.GetOrganization");
      result.error = pe.kind === "auth" ? `${publicMessage(pe)}. Check the credentials and that ${this.org} is the right organization.` : publicMessage(pe);
      if (pe.kind === "auth") result.missing = ["resourcemanager.organizations.get"];
      return result;
    }
    const wanted = minimumPermissions.map((p) => p.permission);
    let granted: Set<string>;
    try {
      const [res] = await this.call("crm.TestIamPermissions", false, () =>
        this.c.organizations.testIamPermissions({ resource: this.org, permissions: wanted }, NO_RETRY),
      );
      granted = new Set(res.permissions ?? []);
    } catch (e) {
      result.error = classifyGcpError(e, "crm.TestIamPermissions").message;
      return result;
    }
    for (const p of minimumPermissions) {
      checks.push({ permission: p.permission, ok: granted.has(p.permission), ...(granted.has(p.permission) ? {} : { detail: `needed to ${p.why} (${p.role})` }) });
    }
    // testIamPermissions answers from Resource Manager; one read per other API proves the credentials
    // are accepted there too (API enabled, endpoint reachable).
    const probes: Array<[string, string, () => Promise<unknown>]> = [
      ["orgpolicy.policies.list", "orgpolicy.ListPolicies", () => this.c.orgPolicy.listPolicies({ parent: this.org, pageSize: 1 }, ONE_PAGE)],
      [
        "iam.denypolicies.list",
        "iam.ListPolicies",
        () => this.c.denyPolicies.listPolicies({ parent: this.denyParent(this.org), pageSize: 1 }, ONE_PAGE),
      ],
    ];
    for (const [permission, op, fn] of probes) {
      try {
        await this.call(op, false, fn);
      } catch (e) {
        const check = checks.find((c) => c.permission === permission);
        const detail = `probe ${op} failed: ${publicMessage(classifyGcpError(e, op))}`;
        if (check) {
          check.ok = false;
          check.detail = detail;
        }
      }
    }
    result.missing = checks.filter((c) => !c.ok).map((c) => c.permission);
    result.ok = result.missing.length === 0;
    return result;
  }

  // ---------------------------------------------------------------- discover

  async discover(): Promise<Hierarchy> {
    const [org] = await this.call("crm.GetOrganization", false, () => this.c.organizations.getOrganization({ name: this.org }, NO_RETRY));
    const folders: Array<{ name: string; parent: string; displayName: string }> = [];
    let token: string | undefined;
    do {
      const [page, , raw] = await this.call("crm.SearchFolders", false, () =>
        this.c.folders.searchFolders({ query: "", pageSize: this.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
      );
      for (const f of page) {
        if (f.name && f.parent && isActive(f.state)) folders.push({ name: f.name, parent: f.parent, displayName: f.displayName ?? f.name });
      }
      token = raw?.nextPageToken || undefined;
    } while (token);
    const projects: Array<{ name: string; parent: string; displayName: string; labels: Record<string, string> }> = [];
    do {
      const [page, , raw] = await this.call("crm.SearchProjects", false, () =>
        this.c.projects.searchProjects({ query: "", pageSize: this.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
      );
      for (const p of page) {
        if (p.name && p.parent && isActive(p.state)) {
          projects.push({ name: p.name, parent: p.parent, displayName: p.displayName || p.projectId || p.name, labels: { ...(p.labels ?? {}) } });
        }
      }
      token = raw?.nextPageToken || undefined;
    } while (token);
    // Search answers with everything the caller can see, which may include other organizations:
    // keep only what descends from this one.
    const parentOf = new Map(folders.map((f) => [f.name, f.parent]));
    const inOrg = new Map<string, boolean>([[this.org, true]]);
    const reaches = (name: string): boolean => {
      const seen: string[] = [];
      let cur: string | undefined = name;
      while (cur !== undefined && !inOrg.has(cur) && seen.length <= folders.length) {
        seen.push(cur);
        cur = parentOf.get(cur);
      }
      const ok = cur !== undefined && inOrg.get(cur) === true;
      for (const s of seen) inOrg.set(s, ok);
      return ok;
    };
    const nodes: DiscoveredNode[] = [
      { externalId: this.org, kind: "organization", name: org.displayName || this.org, parentExternalId: null, isEnvironment: false, labels: {} },
    ];
    for (const f of folders) {
      if (reaches(f.name)) nodes.push({ externalId: f.name, kind: "folder", name: f.displayName, parentExternalId: f.parent, isEnvironment: false, labels: {} });
    }
    for (const p of projects) {
      if (reaches(p.parent)) nodes.push({ externalId: p.name, kind: "project", name: p.displayName, parentExternalId: p.parent, isEnvironment: true, labels: p.labels });
    }
    return { rootExternalId: this.org, nodes };
  }

  // ---------------------------------------------------------------- reads

  private denyParent(node: string): string {
    return `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${node}`)}/denypolicies`;
  }

  private toOrgRaw(p: unknown): RawOrgPolicy {
    const raw = p as { spec?: { etag?: unknown } | null; dryRunSpec?: { etag?: unknown } | null };
    const out: RawOrgPolicy = { policy: normaliseOrgPolicy(p) };
    if (typeof raw.spec?.etag === "string" && raw.spec.etag) out.specEtag = raw.spec.etag;
    if (typeof raw.dryRunSpec?.etag === "string" && raw.dryRunSpec.etag) out.dryRunEtag = raw.dryRunSpec.etag;
    return out;
  }

  private async getOrgPolicy(name: string): Promise<RawOrgPolicy | undefined> {
    try {
      const [p] = await this.call("orgpolicy.GetPolicy", false, () => this.c.orgPolicy.getPolicy({ name }, NO_RETRY));
      return this.toOrgRaw(p);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  private async listOrgPolicies(node: string): Promise<Map<string, RawOrgPolicy>> {
    const out = new Map<string, RawOrgPolicy>();
    let token: string | undefined;
    do {
      const [page, , raw] = await this.call("orgpolicy.ListPolicies", false, () =>
        this.c.orgPolicy.listPolicies({ parent: node, pageSize: this.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
      );
      for (const p of page) {
        const r = this.toOrgRaw(p);
        out.set(r.policy.name, r);
      }
      token = raw?.nextPageToken || undefined;
    } while (token);
    return out;
  }

  private async getCustomConstraint(name: string): Promise<TGcpCustomConstraint | undefined> {
    try {
      return normaliseCustomConstraint(await this.call("orgpolicy.GetCustomConstraint", false, () => this.c.customConstraints.get(name)));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  private async listCustomConstraints(): Promise<Map<string, TGcpCustomConstraint>> {
    const out = new Map<string, TGcpCustomConstraint>();
    let token: string | undefined;
    do {
      const page = await this.call("orgpolicy.ListCustomConstraints", false, () => this.c.customConstraints.list(this.org, this.pageSize, token));
      for (const raw of page.customConstraints ?? []) {
        const cc = normaliseCustomConstraint(raw);
        out.set(cc.name, cc);
      }
      token = page.nextPageToken || undefined;
    } while (token);
    return out;
  }

  private toDenyRaw(p: unknown): RawDeny {
    const policy = normaliseDenyPolicy(p);
    policy.name = canonicalDenyPolicyName(policy.name);
    const etag = (p as { etag?: unknown }).etag;
    return {
      policy,
      etag: typeof etag === "string" ? etag : "",
      owned: isOwnedByWorkspaceGcp({ name: policy.name, labels: policy.labels }, this.cfg.workspaceId),
    };
  }

  private async getDenyPolicy(name: string): Promise<RawDeny | undefined> {
    try {
      const [p] = await this.call("iam.GetPolicy", false, () => this.c.denyPolicies.getPolicy({ name }, NO_RETRY));
      return this.toDenyRaw(p);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /** Deny policies at one attachment point (ListPolicies returns metadata: name and annotations). */
  private async countForeignDenyPolicies(node: string): Promise<number> {
    let n = 0;
    let token: string | undefined;
    do {
      const [page, , raw] = await this.call("iam.ListPolicies", false, () =>
        this.c.denyPolicies.listPolicies({ parent: this.denyParent(node), pageSize: this.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
      );
      for (const p of page) if (!this.toDenyRaw(p).owned) n++;
      token = raw?.nextPageToken || undefined;
    } while (token);
    return n;
  }

  // ---------------------------------------------------------------- observe

  /**
   * Calls per observe: org policies — per node, one GetPolicy when one policy is expected there, else
   * ListPolicies pages (usually one); custom constraints — one GetCustomConstraint, or ListCustomConstraints
   * pages when two or more are expected; deny policies — one GetPolicy each; plus one ListPolicies per
   * requested target where an expected deny policy does not exist yet (deny-policy slots; none in
   * steady state). Retries of throttled calls come on top.
   */
  async observe(req: ObserveRequest): Promise<ObservedState> {
    const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
    const seen = new Set<string>();
    const orgByNode = new Map<string, string[]>();
    const customs: string[] = [];
    const denies: string[] = [];
    for (const e of req.expected) {
      const key = `${e.kind}|${e.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (e.kind === ORG_POLICY) {
        const node = nodeOfPolicy(e.name);
        orgByNode.set(node, [...(orgByNode.get(node) ?? []), e.name]);
      } else if (e.kind === CUSTOM) customs.push(e.name);
      else if (e.kind === DENY) denies.push(canonicalDenyPolicyName(e.name));
      else state.unreadable.push({ kind: e.kind, name: e.name, reason: `the GCP adapter does not manage ${e.kind}` });
    }
    const tasks: Array<() => Promise<void>> = [];
    const unreadable = (kind: ArtifactKind, names: string[], e: unknown) => {
      const reason = publicMessage(e);
      for (const name of names) state.unreadable.push({ kind, name, reason });
    };
    for (const [node, names] of orgByNode) {
      tasks.push(async () => {
        try {
          const found = new Map<string, RawOrgPolicy>();
          if (names.length === 1) {
            const p = await this.getOrgPolicy(names[0] ?? "");
            if (p) found.set(p.policy.name, p);
          } else {
            for (const [k, v] of await this.listOrgPolicies(node)) found.set(k, v);
          }
          for (const name of names) {
            const p = found.get(name);
            if (p) state.artifacts.push(this.orgArtifact(p));
          }
        } catch (e) {
          unreadable(ORG_POLICY, names, e);
        }
      });
    }
    if (customs.length) {
      tasks.push(async () => {
        try {
          const found = new Map<string, TGcpCustomConstraint>();
          if (customs.length === 1) {
            const cc = await this.getCustomConstraint(customs[0] ?? "");
            if (cc) found.set(cc.name, cc);
          } else {
            for (const [k, v] of await this.listCustomConstraints()) found.set(k, v);
          }
          for (const name of customs) {
            const cc = found.get(name);
            if (cc) state.artifacts.push(this.customArtifact(cc));
          }
        } catch (e) {
          unreadable(CUSTOM, customs, e);
        }
      });
    }
    for (const name of denies) {
      tasks.push(async () => {
        try {
          const p = await this.getDenyPolicy(name);
          if (p) state.artifacts.push(this.denyArtifact(p));
        } catch (e) {
          unreadable(DENY, [name], e);
        }
      });
    }
    await runLimited(tasks, this.concurrency);
    // Deny-policy slots matter only where Parapet's deny policy is about to be created: a target whose
    // expected deny policy exists already holds it within the limit. So steady state reads none.
    const present = new Set(state.artifacts.filter((a) => a.kind === DENY).map((a) => a.name));
    const failedReads = new Set(state.unreadable.filter((u) => u.kind === DENY && u.name).map((u) => u.name));
    const pending = new Set(denies.filter((n) => !present.has(n) && !failedReads.has(n)).map((n) => nodeOfDenyPolicy(n)));
    const slotTasks = [...new Set(req.targets ?? [])]
      .filter((t) => pending.has(t))
      .map((target) => async () => {
        try {
          state.foreignSlots[target] = { [DENY]: await this.countForeignDenyPolicies(target) };
        } catch (e) {
          state.unreadable.push({ target, reason: publicMessage(e) });
        }
      });
    await runLimited(slotTasks, this.concurrency);
    state.artifacts.sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : a.kind + a.name > b.kind + b.name ? 1 : 0));
    return state;
  }

  private orgArtifact(p: RawOrgPolicy): ObservedArtifact {
    // Org policies carry no owner field; the slot is managed per rule (see the file comment).
    const etag = p.specEtag ?? p.dryRunEtag;
    return {
      kind: ORG_POLICY,
      name: p.policy.name,
      externalId: p.policy.name,
      body: p.policy,
      attachments: [nodeOfPolicy(p.policy.name)],
      owned: true,
      ...(etag ? { etag } : {}),
    };
  }

  private customArtifact(cc: TGcpCustomConstraint): ObservedArtifact {
    return {
      kind: CUSTOM,
      name: cc.name,
      externalId: cc.name,
      body: cc,
      attachments: [cc.name.split("/customConstraints/")[0] ?? this.org],
      owned: isOwnedCustomConstraint(cc.name, this.cfg.workspaceId),
    };
  }

  private denyArtifact(p: RawDeny): ObservedArtifact {
    return { kind: DENY, name: p.policy.name, externalId: p.policy.name, body: p.policy, attachments: [nodeOfDenyPolicy(p.policy.name)], owned: p.owned, etag: p.etag };
  }

  // ---------------------------------------------------------------- compare

  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
    switch (desired.kind) {
      case "gcp.org-policy":
        return compareOrgPolicy(desired.body, observed.body, this.isWholeOwnedConstraint(constraintOf(desired.name)));
      case "gcp.custom-constraint":
        return compareCustomConstraint(desired.body, observed.body);
      case "gcp.deny-policy":
        return compareDenyPolicy(desired.body, observed.body);
      default:
        return canonicalJson(desired.body) === canonicalJson(observed.body)
          ? { equal: true }
          : { equal: false, kind: "modified", detail: `${desired.kind} is not a GCP artifact kind` };
    }
  }

  // ---------------------------------------------------------------- apply

  async apply(change: Change): Promise<ApplyResult> {
    switch (change.op) {
      case "create":
      case "update": {
        const a = change.artifact;
        if (a.kind === ORG_POLICY) return this.putOrgPolicy(a, change.op, change.op === "update" ? change.previous : undefined);
        if (a.kind === CUSTOM) return this.putCustomConstraint(a, change.op);
        if (a.kind === DENY) return this.putDenyPolicy(a, change.op);
        throw invalidChange(`gcp.${change.op}`, `the GCP adapter does not manage ${a.kind}`, "UNSUPPORTED_KIND");
      }
      case "delete":
        return this.remove(change.kind, change.name, change.previous);
      case "attach":
        return this.attach(change.kind, change.name, change.target);
      case "detach":
        return this.detach(change.kind, change.name, change.target, change.previous);
    }
  }

  /** Each GCP artifact lives at one place (its name says where); attach/detach can only name that place. */
  private placeOf(kind: ArtifactKind, name: string): string {
    if (kind === ORG_POLICY) return nodeOfPolicy(name);
    if (kind === DENY) return nodeOfDenyPolicy(name);
    if (kind === CUSTOM) return name.split("/customConstraints/")[0] ?? "";
    return "";
  }

  private async attach(kind: ArtifactKind, name: string, target: string): Promise<ApplyResult> {
    const op = `gcp.attach`;
    if (this.placeOf(kind, name) !== target) {
      throw invalidChange(op, `${kind} ${name} is defined at ${this.placeOf(kind, name) || "an unknown place"} and cannot be attached to ${target}; GCP attaches it by where it is created`, "FIXED_ATTACHMENT");
    }
    const exists =
      kind === ORG_POLICY
        ? await this.getOrgPolicy(name)
        : kind === DENY
          ? await this.getDenyPolicy(canonicalDenyPolicyName(name))
          : await this.getCustomConstraint(name);
    if (!exists) throw new ProviderError("not_found", `${kind} ${name} does not exist, so it is not in force at ${target}; create it first`, false, op, "NOT_FOUND");
    return { externalId: kind === DENY ? canonicalDenyPolicyName(name) : name, noop: true };
  }

  private async detach(kind: ArtifactKind, name: string, target: string, previous: unknown): Promise<ApplyResult> {
    // A custom constraint is a definition, not an attachment: the policies that use it are separate artifacts.
    if (kind === CUSTOM || this.placeOf(kind, name) !== target) return { noop: true };
    return this.remove(kind, name, previous);
  }

  private async remove(kind: ArtifactKind, name: string, previous?: unknown): Promise<ApplyResult> {
    if (kind === ORG_POLICY) return this.deleteOrgPolicy(name, previous);
    if (kind === CUSTOM) return this.deleteCustomConstraint(name);
    if (kind === DENY) return this.deleteDenyPolicy(canonicalDenyPolicyName(name));
    throw invalidChange("gcp.delete", `the GCP adapter does not manage ${kind}`, "UNSUPPORTED_KIND");
  }

  // ---------------------------------------------------------------- org policies

  /** Wire body; with `cur`, each spec carries the etag it was read with so a concurrent change is refused. */
  private orgWire(p: TGcpOrgPolicy, cur?: RawOrgPolicy) {
    const spec = p.spec ? { ...p.spec, ...(cur?.specEtag ? { etag: cur.specEtag } : {}) } : undefined;
    const dry = p.dryRunSpec ? { ...p.dryRunSpec, ...(cur?.dryRunEtag ? { etag: cur.dryRunEtag } : {}) } : undefined;
    return { name: p.name, ...(spec ? { spec } : {}), ...(dry ? { dryRunSpec: dry } : {}) };
  }

  /**
   * Writes Parapet's rules. On a shared slot they are merged into the customer's part, which is what
   * the cloud holds minus the rules Parapet applied last (`previous`, Parapet's record): so a rule
   * Parapet no longer wants there goes (an enforce→audit switch moves it from spec to dryRunSpec),
   * and the customer's stay. The write replaces the whole policy (no update mask), so a spec that is
   * no longer anyone's disappears. Without a record (first write) the whole current policy is the
   * customer's.
   */
  private async putOrgPolicy(a: DesiredArtifact, op: "create" | "update", previous?: unknown): Promise<ApplyResult> {
    const operation = `gcp.${op} ${ORG_POLICY}`;
    const d = normaliseOrgPolicy(a.body);
    const node = nodeOfPolicy(a.name);
    if (d.name !== a.name || !node) throw invalidChange(operation, `org policy body name "${d.name}" does not match the artifact name "${a.name}"`, "BODY_NAME_MISMATCH");
    if (a.attachments.some((t) => t !== node)) {
      throw invalidChange(operation, `org policy ${a.name} applies at ${node} only; it cannot target ${a.attachments.join(", ")}`, "FIXED_ATTACHMENT");
    }
    if (!d.spec && !d.dryRunSpec) throw invalidChange(operation, `org policy ${a.name} has neither spec nor dryRunSpec`, "EMPTY_POLICY");
    const constraint = constraintOf(a.name);
    if (constraint.startsWith("custom.parapet") && !this.isWholeOwnedConstraint(constraint)) {
      throw notOwned(operation, `the policy on ${constraint}, a custom constraint of another Parapet workspace`);
    }
    const whole = this.isWholeOwnedConstraint(constraint);
    return retryOnly(CONFLICT, this.retry, async () => {
      const cur = await this.getOrgPolicy(a.name);
      if (!cur) {
        await this.call("orgpolicy.CreatePolicy", true, () => this.c.orgPolicy.createPolicy({ parent: node, policy: this.orgWire(d) }, NO_RETRY));
        return { externalId: a.name };
      }
      let target = d;
      if (!whole) {
        const theirs = previous === undefined ? cur.policy : withoutOurRules(cur.policy, previous);
        const m = mergeOrgPolicy(isEmptyOrgPolicy(theirs) ? undefined : theirs, d);
        if (!m.ok) {
          throw new ProviderError(
            "conflict",
            `Parapet cannot apply its rules to ${a.name}: ${m.reason}. Resolve the customer's policy or exempt this node.`,
            false,
            operation,
            "CUSTOMER_POLICY_CONFLICT",
          );
        }
        target = m.policy;
      }
      const same = canonicalJson({ s: target.spec, d: target.dryRunSpec }) === canonicalJson({ s: cur.policy.spec, d: cur.policy.dryRunSpec });
      if (same) return { externalId: a.name, noop: true };
      await this.call("orgpolicy.UpdatePolicy", true, () => this.c.orgPolicy.updatePolicy({ policy: this.orgWire(target, cur) }, NO_RETRY));
      return { externalId: a.name };
    });
  }

  /**
   * Takes Parapet's rules out of an org policy. Wholly Parapet's (its own custom constraint): deleted.
   * Shared: the rules Parapet applied last (`previous`, its record) are removed and the customer's kept;
   * when nothing of anyone else remains the policy is deleted, as if Parapet had never written it.
   * Without a record Parapet cannot tell its rules from the customer's and refuses (NOT_OWNED).
   */
  private async deleteOrgPolicy(name: string, previous: unknown): Promise<ApplyResult> {
    const operation = `gcp.delete ${ORG_POLICY}`;
    const constraint = constraintOf(name);
    const whole = this.isWholeOwnedConstraint(constraint);
    if (!whole && constraint.startsWith("custom.parapet")) throw notOwned(operation, `the policy on ${constraint}, a custom constraint of another Parapet workspace`);
    return retryOnly(CONFLICT, this.retry, async () => {
      const cur = await this.getOrgPolicy(name);
      if (!cur) return { noop: true };
      if (!whole) {
        if (previous === undefined || normaliseOrgPolicy(previous).name !== name) {
          throw new ProviderError(
            "invalid",
            `Parapet does not change ${name}: ${constraint} is shared with the customer, the Org Policy API records no owner per rule, and Parapet has no record of the rules it applied there. Remove Parapet's rules from it by hand if they are no longer wanted.`,
            false,
            operation,
            "NOT_OWNED",
          );
        }
        const theirs = withoutOurRules(cur.policy, previous);
        if (!isEmptyOrgPolicy(theirs)) {
          const same = canonicalJson({ s: theirs.spec, d: theirs.dryRunSpec }) === canonicalJson({ s: cur.policy.spec, d: cur.policy.dryRunSpec });
          if (same) return { externalId: name, noop: true };
          // Under the etag just read: a customer edit in between aborts, and the retry re-reads and re-subtracts.
          await this.call("orgpolicy.UpdatePolicy", true, () => this.c.orgPolicy.updatePolicy({ policy: this.orgWire(theirs, cur) }, NO_RETRY));
          return { externalId: name };
        }
      }
      try {
        // DeletePolicyRequest has no etag in org-policy 3.0.1: a rule the customer adds between this
        // read and the delete would go with it (a window of one round trip).
        await this.call("orgpolicy.DeletePolicy", true, () => this.c.orgPolicy.deletePolicy({ name }, NO_RETRY));
      } catch (e) {
        if (isMissing(e)) return { noop: true };
        throw e;
      }
      return { externalId: name };
    });
  }

  // ---------------------------------------------------------------- custom constraints

  private customWire(cc: TGcpCustomConstraint) {
    return {
      name: cc.name,
      resourceTypes: cc.resourceTypes,
      methodTypes: cc.methodTypes,
      condition: cc.condition,
      actionType: cc.actionType,
      displayName: cc.displayName,
      description: cc.description,
    };
  }

  private async putCustomConstraint(a: DesiredArtifact, op: "create" | "update"): Promise<ApplyResult> {
    const operation = `gcp.${op} ${CUSTOM}`;
    const d = normaliseCustomConstraint(a.body);
    if (d.name !== a.name) throw invalidChange(operation, `custom constraint body name "${d.name}" does not match the artifact name "${a.name}"`, "BODY_NAME_MISMATCH");
    if (!a.name.startsWith(`${this.org}/customConstraints/`)) {
      throw invalidChange(operation, `custom constraint ${a.name} must be defined on ${this.org}`, "FIXED_ATTACHMENT");
    }
    if (!isOwnedCustomConstraint(a.name, this.cfg.workspaceId)) throw notOwned(operation, `custom constraint ${a.name}`);
    const cur = op === "update" ? await this.getCustomConstraint(a.name) : undefined;
    if (op === "create" || !cur) {
      try {
        await this.call("orgpolicy.CreateCustomConstraint", true, () => this.c.customConstraints.create(this.org, this.customWire(d)));
        return { externalId: a.name };
      } catch (e) {
        if (!isExisting(e)) throw e;
      }
    }
    const now = cur ?? (await this.getCustomConstraint(a.name));
    if (now && compareCustomConstraint(d, now).equal) return { externalId: a.name, noop: true };
    if (now && canonicalJson(now.resourceTypes) !== canonicalJson(d.resourceTypes)) {
      throw invalidChange(
        operation,
        `custom constraint ${a.name} applies to ${now.resourceTypes.join(", ")} and resourceTypes cannot change; delete it and create it again`,
        "IMMUTABLE_FIELD",
      );
    }
    await this.call("orgpolicy.UpdateCustomConstraint", true, () => this.c.customConstraints.update(this.customWire(d)));
    return { externalId: a.name };
  }

  private async deleteCustomConstraint(name: string): Promise<ApplyResult> {
    const operation = `gcp.delete ${CUSTOM}`;
    if (!isOwnedCustomConstraint(name, this.cfg.workspaceId)) throw notOwned(operation, `custom constraint ${name}`);
    const cur = await this.getCustomConstraint(name);
    if (!cur) return { noop: true };
    try {
      await this.call("orgpolicy.DeleteCustomConstraint", true, () => this.c.customConstraints.delete(name));
    } catch (e) {
      if (isMissing(e)) return { noop: true };
      throw e;
    }
    return { externalId: name };
  }

  // ---------------------------------------------------------------- deny policies

  private denyWire(p: TGcpDenyPolicy) {
    return { displayName: p.displayName, annotations: denyPolicyAnnotations(p), rules: p.rules };
  }

  private async putDenyPolicy(a: DesiredArtifact, op: "create" | "update"): Promise<ApplyResult> {
    const operation = `gcp.${op} ${DENY}`;
    const d = normaliseDenyPolicy(a.body);
    const name = canonicalDenyPolicyName(a.name);
    d.name = canonicalDenyPolicyName(d.name);
    const node = nodeOfDenyPolicy(name);
    if (!node) throw invalidChange(operation, `"${a.name}" is not a deny policy name (policies/{attachment point}/denypolicies/{id})`, "BAD_NAME");
    return retryOnly(CONFLICT, this.retry, async () => {
      const cur = await this.getDenyPolicy(name);
      // Ownership first, from the cloud: a foreign policy is refused whatever the request carries.
      if (cur && !cur.owned) throw notOwned(operation, `deny policy ${name}`);
      if (d.name !== name) throw invalidChange(operation, `deny policy body name "${d.name}" does not match the artifact name "${a.name}"`, "BODY_NAME_MISMATCH");
      if (a.attachments.some((t) => t !== node)) {
        throw invalidChange(operation, `deny policy ${a.name} is attached at ${node} only; it cannot target ${a.attachments.join(", ")}`, "FIXED_ATTACHMENT");
      }
      if (!cur) {
        if (!isOwnedByWorkspaceGcp({ name: d.name, labels: d.labels }, this.cfg.workspaceId)) {
          throw invalidChange(operation, `deny policy ${name} must carry Parapet's id prefix and owner label before Parapet creates it`, "MISSING_MARKER");
        }
        const id = name.split("/").pop() ?? "";
        const [lro] = await this.call("iam.CreatePolicy", true, () =>
          this.c.denyPolicies.createPolicy({ parent: this.denyParent(node), policyId: id, policy: this.denyWire(d) }, NO_RETRY),
        );
        await this.waitOperation("iam.CreatePolicy", lro as unknown as LroLike);
        return { externalId: name };
      }
      if (compareDenyPolicy(d, cur.policy).equal) return { externalId: name, noop: true };
      const [lro] = await this.call("iam.UpdatePolicy", true, () =>
        this.c.denyPolicies.updatePolicy({ policy: { name, etag: cur.etag, ...this.denyWire(d) } }, NO_RETRY),
      );
      await this.waitOperation("iam.UpdatePolicy", lro as unknown as LroLike);
      return { externalId: name };
    });
  }

  private async deleteDenyPolicy(name: string): Promise<ApplyResult> {
    const operation = `gcp.delete ${DENY}`;
    return retryOnly(CONFLICT, this.retry, async () => {
      const cur = await this.getDenyPolicy(name);
      if (!cur) return { noop: true };
      if (!cur.owned) throw notOwned(operation, `deny policy ${name}`);
      try {
        const [lro] = await this.call("iam.DeletePolicy", true, () => this.c.denyPolicies.deletePolicy({ name, etag: cur.etag }, NO_RETRY));
        await this.waitOperation("iam.DeletePolicy", lro as unknown as LroLike);
      } catch (e) {
        if (isMissing(e)) return { noop: true };
        throw e;
      }
      return { externalId: name };
    });
  }

  // ---------------------------------------------------------------- stats

  stats(): CallStats {
    return this.rec.stats();
  }

  resetStats(): void {
    this.rec.reset();
  }

  async close(): Promise<void> {
    await this.c.close();
  }
}
