import { E } from "./errors.ts";
import { IdSet } from "./id-set.ts";
import { IdMinter } from "./ids.ts";
import { POLICY_TYPES, validatePolicyDocument, type PolicyType } from "./policy-doc.ts";

/** Quotas the simulator enforces; defaults follow CLOUDS.md (SCP quotas raised in May 2026; RCPs per the quotas page). */
export interface AwsLimits {
  /** SCPs attached per root/OU/account, FullAWSAccess included. */
  scpPerTarget: number;
  /** RCPs attached per root/OU/account, RCPFullAWSAccess included. */
  rcpPerTarget: number;
  /** Characters per SCP document as sent. */
  scpMaxChars: number;
  rcpMaxChars: number;
  /** Customer-managed policies per organization. */
  scpPerOrg: number;
  rcpPerOrg: number;
  ouMax: number;
  ouDepth: number;
  tagsPerResource: number;
  accountsMax: number;
}

export const DEFAULT_LIMITS: AwsLimits = {
  scpPerTarget: 10,
  rcpPerTarget: 5,
  scpMaxChars: 10_240,
  rcpMaxChars: 5_120,
  scpPerOrg: 10_000,
  rcpPerOrg: 1_000,
  ouMax: 2_000,
  ouDepth: 5,
  tagsPerResource: 50,
  accountsMax: 100_000,
};

export type Tags = Map<string, string>;

export interface RootRec {
  kind: "ROOT";
  id: string;
  name: string;
  ous: IdSet;
  accounts: IdSet;
  policies: IdSet;
  tags: Tags;
  policyTypes: Set<PolicyType>;
}

export interface OuRec {
  kind: "ORGANIZATIONAL_UNIT";
  id: string;
  name: string;
  parentId: string;
  /** 1 for a child of the root. */
  depth: number;
  ous: IdSet;
  accounts: IdSet;
  policies: IdSet;
  tags: Tags;
}

export interface AccountRec {
  kind: "ACCOUNT";
  id: string;
  name: string;
  email: string;
  parentId: string;
  joinedMethod: "CREATED" | "INVITED";
  /** epoch ms */
  joinedAt: number;
  policies: IdSet;
  tags: Tags;
}

export interface PolicyRec {
  id: string;
  name: string;
  description: string;
  type: PolicyType;
  content: string;
  awsManaged: boolean;
  targets: IdSet;
  tags: Tags;
}

export interface CreateAccountStatusRec {
  id: string;
  accountName: string;
  accountId: string;
  requestedAt: number;
  completedAt: number;
}

export type ContainerRec = RootRec | OuRec;
export type TargetRec = RootRec | OuRec | AccountRec;

export const FULL_AWS_ACCESS_ID = "p-FullAWSAccess";
export const RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess";
const MANAGED_FULL: Record<PolicyType, string> = {
  SERVICE_CONTROL_POLICY: FULL_AWS_ACCESS_ID,
  RESOURCE_CONTROL_POLICY: RCP_FULL_AWS_ACCESS_ID,
};

export const TYPE_ARN_SEGMENT: Record<PolicyType, string> = {
  SERVICE_CONTROL_POLICY: "service_control_policy",
  RESOURCE_CONTROL_POLICY: "resource_control_policy",
};

export interface OrgInit {
  rand: () => number;
  managementAccountId?: string;
  managementAccountName?: string;
  managementEmail?: string;
  limits?: Partial<AwsLimits>;
  /** Policy types enabled in the root at creation (default both), which attaches their AWS-managed policy everywhere. */
  enabledPolicyTypes?: PolicyType[];
  now?: () => number;
  /** Fixed ids, used when restoring a saved organization. */
  orgId?: string;
  rootId?: string;
  /** Restoring adds the management account from the snapshot instead. */
  skipManagementAccount?: boolean;
}

/**
 * The organization: one root, OUs, accounts, policies and attachments, all indexed both ways
 * (target → policies on each target record, policy → targets on each policy record) so every read the
 * API offers is a map lookup plus a slice.
 */
export class OrgState {
  limits: AwsLimits;
  readonly orgId: string;
  readonly managementAccountId: string;
  readonly root: RootRec;
  readonly accounts = new Map<string, AccountRec>();
  readonly ous = new Map<string, OuRec>();
  readonly policies = new Map<string, PolicyRec>();
  readonly allAccounts = new IdSet();
  readonly createAccountStatuses = new Map<string, CreateAccountStatusRec>();
  private readonly policiesByType = new Map<PolicyType, IdSet>(POLICY_TYPES.map((t) => [t, new IdSet()]));
  private readonly policyNames = new Map<PolicyType, Map<string, string>>(POLICY_TYPES.map((t) => [t, new Map()]));
  private readonly customerPolicyCount = new Map<PolicyType, number>(POLICY_TYPES.map((t) => [t, 0]));
  readonly ids: IdMinter;
  readonly now: () => number;

  constructor(init: OrgInit) {
    this.now = init.now ?? Date.now;
    this.limits = { ...DEFAULT_LIMITS, ...init.limits };
    this.ids = new IdMinter(init.rand, (id) => this.exists(id));
    this.orgId = init.orgId ?? this.ids.org();
    this.root = {
      kind: "ROOT",
      id: init.rootId ?? this.ids.root(),
      name: "Root",
      ous: new IdSet(),
      accounts: new IdSet(),
      policies: new IdSet(),
      tags: new Map(),
      policyTypes: new Set(),
    };
    this.addManagedPolicies();
    const mgmtId = init.managementAccountId ?? this.ids.account();
    this.managementAccountId = mgmtId;
    if (init.skipManagementAccount) return;
    this.createAccount({
      id: mgmtId,
      name: init.managementAccountName ?? "Management",
      email: init.managementEmail ?? `aws-management+${mgmtId}@example.com`,
      parentId: this.root.id,
    });
    for (const t of init.enabledPolicyTypes ?? POLICY_TYPES) this.enablePolicyType(this.root.id, t);
  }

  private addManagedPolicies(): void {
    this.insertPolicy({
      id: FULL_AWS_ACCESS_ID,
      name: "FullAWSAccess",
      description: "Allows access to every operation",
      type: "SERVICE_CONTROL_POLICY",
      content: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      awsManaged: true,
      targets: new IdSet(),
      tags: new Map(),
    });
    this.insertPolicy({
      id: RCP_FULL_AWS_ACCESS_ID,
      name: "RCPFullAWSAccess",
      description: "Allows access to every operation",
      type: "RESOURCE_CONTROL_POLICY",
      content: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
      }),
      awsManaged: true,
      targets: new IdSet(),
      tags: new Map(),
    });
  }

  private insertPolicy(p: PolicyRec): void {
    this.policies.set(p.id, p);
    this.policiesByType.get(p.type)!.add(p.id);
    this.policyNames.get(p.type)!.set(p.name, p.id);
    if (!p.awsManaged) this.customerPolicyCount.set(p.type, this.customerPolicyCount.get(p.type)! + 1);
  }

  exists(id: string): boolean {
    return (
      this.accounts.has(id) ||
      this.ous.has(id) ||
      this.policies.has(id) ||
      this.createAccountStatuses.has(id) ||
      (this.root !== undefined && this.root.id === id)
    );
  }

  // ---- arns -------------------------------------------------------------------------------------------

  get orgArn(): string {
    return `arn:aws:organizations::${this.managementAccountId}:organization/${this.orgId}`;
  }
  rootArn(): string {
    return `arn:aws:organizations::${this.managementAccountId}:root/${this.orgId}/${this.root.id}`;
  }
  ouArn(id: string): string {
    return `arn:aws:organizations::${this.managementAccountId}:ou/${this.orgId}/${id}`;
  }
  accountArn(id: string): string {
    return `arn:aws:organizations::${this.managementAccountId}:account/${this.orgId}/${id}`;
  }
  policyArn(p: PolicyRec): string {
    return p.awsManaged
      ? `arn:aws:organizations::aws:policy/${TYPE_ARN_SEGMENT[p.type]}/${p.id}`
      : `arn:aws:organizations::${this.managementAccountId}:policy/${this.orgId}/${TYPE_ARN_SEGMENT[p.type]}/${p.id}`;
  }
  targetArn(t: TargetRec): string {
    return t.kind === "ROOT" ? this.rootArn() : t.kind === "ORGANIZATIONAL_UNIT" ? this.ouArn(t.id) : this.accountArn(t.id);
  }

  /** Entity path as the API reports it: `o-…/r-…/ou-…/ou-…/` (accounts end with their id and `/`). */
  pathOf(t: TargetRec): string {
    const parts: string[] = [];
    let cur: TargetRec | undefined = t;
    while (cur && cur.kind !== "ROOT") {
      parts.push(cur.id);
      cur = this.container(cur.parentId);
    }
    parts.push(this.root.id, this.orgId);
    return parts.reverse().join("/") + "/";
  }

  // ---- lookups ----------------------------------------------------------------------------------------

  container(id: string): ContainerRec | undefined {
    if (id === this.root.id) return this.root;
    return this.ous.get(id);
  }

  target(id: string): TargetRec | undefined {
    if (id === this.root.id) return this.root;
    return this.ous.get(id) ?? this.accounts.get(id);
  }

  policiesOfType(type: PolicyType): IdSet {
    return this.policiesByType.get(type)!;
  }

  customerPolicies(type: PolicyType): number {
    return this.customerPolicyCount.get(type)!;
  }

  attachedCount(t: TargetRec, type: PolicyType): number {
    let n = 0;
    for (const pid of t.policies) if (this.policies.get(pid)?.type === type) n++;
    return n;
  }

  findPolicyByName(type: PolicyType, name: string): PolicyRec | undefined {
    const id = this.policyNames.get(type)!.get(name);
    return id ? this.policies.get(id) : undefined;
  }

  // ---- hierarchy mutations ------------------------------------------------------------------------------

  createOu(parentId: string, name: string, tags: Tags = new Map(), id?: string): OuRec {
    const parent = this.container(parentId);
    if (!parent) throw E.parentNotFound(parentId);
    const depth = parent.kind === "ROOT" ? 1 : parent.depth + 1;
    if (depth > this.limits.ouDepth) {
      throw E.constraint("OU_DEPTH_LIMIT_EXCEEDED", `You attempted to create an OU tree that is too many levels deep (maximum ${this.limits.ouDepth}).`);
    }
    if (this.ous.size >= this.limits.ouMax) {
      throw E.constraint("OU_NUMBER_LIMIT_EXCEEDED", `You attempted to exceed the number of OUs that you can have in an organization (${this.limits.ouMax}).`);
    }
    for (const sib of parent.ous) if (this.ous.get(sib)?.name === name) throw E.duplicateOu(name);
    this.checkTagCount(tags.size);
    const ou: OuRec = {
      kind: "ORGANIZATIONAL_UNIT",
      id: id ?? this.ids.ou(this.root.id),
      name,
      parentId,
      depth,
      ous: new IdSet(),
      accounts: new IdSet(),
      policies: new IdSet(),
      tags: new Map(tags),
    };
    this.ous.set(ou.id, ou);
    parent.ous.add(ou.id);
    this.attachDefaults(ou);
    return ou;
  }

  renameOu(id: string, name: string): OuRec {
    const ou = this.ous.get(id);
    if (!ou) throw E.ouNotFound(id);
    const parent = this.container(ou.parentId)!;
    for (const sib of parent.ous) if (sib !== id && this.ous.get(sib)?.name === name) throw E.duplicateOu(name);
    ou.name = name;
    return ou;
  }

  deleteOu(id: string): void {
    const ou = this.ous.get(id);
    if (!ou) throw E.ouNotFound(id);
    if (ou.ous.size || ou.accounts.size) throw E.ouNotEmpty(id);
    for (const pid of ou.policies) this.policies.get(pid)?.targets.delete(id);
    this.container(ou.parentId)?.ous.delete(id);
    this.ous.delete(id);
  }

  createAccount(a: { name: string; email: string; parentId?: string; tags?: Tags; id?: string; joinedMethod?: "CREATED" | "INVITED" }): AccountRec {
    const parentId = a.parentId ?? this.root.id;
    const parent = this.container(parentId);
    if (!parent) throw E.parentNotFound(parentId);
    if (this.accounts.size >= this.limits.accountsMax) {
      throw E.constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", `You attempted to exceed the number of accounts in the organization (${this.limits.accountsMax}).`);
    }
    const tags = a.tags ?? new Map<string, string>();
    this.checkTagCount(tags.size);
    const acct: AccountRec = {
      kind: "ACCOUNT",
      id: a.id ?? this.ids.account(),
      name: a.name,
      email: a.email,
      parentId,
      joinedMethod: a.joinedMethod ?? "CREATED",
      joinedAt: this.now(),
      policies: new IdSet(),
      tags: new Map(tags),
    };
    this.accounts.set(acct.id, acct);
    this.allAccounts.add(acct.id);
    parent.accounts.add(acct.id);
    this.attachDefaults(acct);
    return acct;
  }

  moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): AccountRec {
    const acct = this.accounts.get(accountId);
    if (!acct) throw E.accountNotFound(accountId);
    const src = this.container(sourceParentId);
    if (!src) throw E.sourceParentNotFound(sourceParentId);
    const dst = this.container(destinationParentId);
    if (!dst) throw E.destinationParentNotFound(destinationParentId);
    if (acct.parentId !== sourceParentId) {
      if (acct.parentId === destinationParentId) throw E.duplicateAccount();
      throw E.accountNotFound(accountId);
    }
    if (sourceParentId === destinationParentId) throw E.duplicateAccount();
    src.accounts.delete(accountId);
    dst.accounts.add(accountId);
    acct.parentId = destinationParentId;
    return acct;
  }

  /** Attaches the AWS-managed full-access policy of every enabled type, as AWS does for new OUs and accounts. */
  private attachDefaults(t: TargetRec): void {
    for (const type of this.root.policyTypes) this.link(MANAGED_FULL[type], t);
  }

  private link(policyId: string, t: TargetRec): void {
    t.policies.add(policyId);
    this.policies.get(policyId)!.targets.add(t.id);
  }

  private unlink(policyId: string, t: TargetRec): void {
    t.policies.delete(policyId);
    this.policies.get(policyId)?.targets.delete(t.id);
  }

  *allTargets(): Generator<TargetRec> {
    yield this.root;
    yield* this.ous.values();
    yield* this.accounts.values();
  }

  // ---- policy types -------------------------------------------------------------------------------------

  enablePolicyType(rootId: string, type: PolicyType): RootRec {
    if (rootId !== this.root.id) throw E.rootNotFound(rootId);
    if (this.root.policyTypes.has(type)) throw E.policyTypeAlreadyEnabled(type);
    this.root.policyTypes.add(type);
    const managed = MANAGED_FULL[type];
    for (const t of this.allTargets()) this.link(managed, t);
    return this.root;
  }

  /** Disabling a type detaches every policy of that type from every target, as AWS does. */
  disablePolicyType(rootId: string, type: PolicyType): RootRec {
    if (rootId !== this.root.id) throw E.rootNotFound(rootId);
    if (!this.root.policyTypes.has(type)) throw E.policyTypeNotEnabled(type);
    this.root.policyTypes.delete(type);
    for (const pid of this.policiesOfType(type)) {
      const p = this.policies.get(pid)!;
      for (const tid of [...p.targets]) {
        const t = this.target(tid);
        if (t) t.policies.delete(pid);
      }
      p.targets = new IdSet();
    }
    return this.root;
  }

  // ---- policies -----------------------------------------------------------------------------------------

  private checkContent(content: string, type: PolicyType): void {
    const max = type === "SERVICE_CONTROL_POLICY" ? this.limits.scpMaxChars : this.limits.rcpMaxChars;
    if (content.length > max) {
      throw E.constraint(
        "POLICY_CONTENT_LIMIT_EXCEEDED",
        `You attempted to create a policy with too many characters (${content.length} > ${max}).`,
      );
    }
    validatePolicyDocument(content, type);
  }

  createPolicy(p: { name: string; description?: string; type: PolicyType; content: string; tags?: Tags; id?: string }): PolicyRec {
    const max = p.type === "SERVICE_CONTROL_POLICY" ? this.limits.scpPerOrg : this.limits.rcpPerOrg;
    if (this.customerPolicies(p.type) >= max) {
      throw E.constraint("POLICY_NUMBER_LIMIT_EXCEEDED", `You attempted to exceed the number of policies of type ${p.type} (${max}).`);
    }
    if (this.policyNames.get(p.type)!.has(p.name)) throw E.duplicatePolicy(p.name);
    this.checkContent(p.content, p.type);
    const tags = p.tags ?? new Map<string, string>();
    this.checkTagCount(tags.size);
    const rec: PolicyRec = {
      id: p.id ?? this.ids.policy(),
      name: p.name,
      description: p.description ?? "",
      type: p.type,
      content: p.content,
      awsManaged: false,
      targets: new IdSet(),
      tags: new Map(tags),
    };
    this.insertPolicy(rec);
    return rec;
  }

  private customerPolicy(id: string): PolicyRec {
    const p = this.policies.get(id);
    if (!p) throw E.policyNotFound(id);
    if (p.awsManaged) throw E.invalidInput("IMMUTABLE_POLICY", `You specified a policy that is managed by AWS and can't be modified: ${id}`);
    return p;
  }

  updatePolicy(id: string, u: { name?: string; description?: string; content?: string }): PolicyRec {
    const p = this.customerPolicy(id);
    if (u.name !== undefined && u.name !== p.name && this.policyNames.get(p.type)!.has(u.name)) throw E.duplicatePolicy(u.name);
    if (u.content !== undefined) this.checkContent(u.content, p.type);
    if (u.name !== undefined && u.name !== p.name) {
      this.policyNames.get(p.type)!.delete(p.name);
      this.policyNames.get(p.type)!.set(u.name, p.id);
      p.name = u.name;
    }
    if (u.description !== undefined) p.description = u.description;
    if (u.content !== undefined) p.content = u.content;
    return p;
  }

  deletePolicy(id: string): PolicyRec {
    const p = this.customerPolicy(id);
    if (p.targets.size) throw E.policyInUse(id);
    this.policies.delete(id);
    this.policiesByType.get(p.type)!.delete(id);
    this.policyNames.get(p.type)!.delete(p.name);
    this.customerPolicyCount.set(p.type, this.customerPolicyCount.get(p.type)! - 1);
    return p;
  }

  attachPolicy(policyId: string, targetId: string): { policy: PolicyRec; target: TargetRec } {
    const p = this.policies.get(policyId);
    if (!p) throw E.policyNotFound(policyId);
    const t = this.target(targetId);
    if (!t) throw E.targetNotFound(targetId);
    if (!this.root.policyTypes.has(p.type)) throw E.policyTypeNotEnabled(p.type);
    if (t.policies.has(policyId)) throw E.duplicateAttachment(policyId, targetId);
    const max = p.type === "SERVICE_CONTROL_POLICY" ? this.limits.scpPerTarget : this.limits.rcpPerTarget;
    if (this.attachedCount(t, p.type) >= max) {
      throw E.constraint(
        "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
        `You attempted to attach more than ${max} policies of type ${p.type} to the entity ${targetId}.`,
      );
    }
    this.link(policyId, t);
    return { policy: p, target: t };
  }

  detachPolicy(policyId: string, targetId: string): { policy: PolicyRec; target: TargetRec } {
    const p = this.policies.get(policyId);
    if (!p) throw E.policyNotFound(policyId);
    const t = this.target(targetId);
    if (!t) throw E.targetNotFound(targetId);
    if (!this.root.policyTypes.has(p.type)) throw E.policyTypeNotEnabled(p.type);
    if (!t.policies.has(policyId)) throw E.notAttached(policyId, targetId);
    if (policyId === RCP_FULL_AWS_ACCESS_ID) {
      throw E.invalidInput("NON_DETACHABLE_POLICY", "You can't detach the RCPFullAWSAccess policy; it is attached to every root, OU and account while RCPs are enabled.");
    }
    if (p.type === "SERVICE_CONTROL_POLICY" && this.attachedCount(t, p.type) <= 1) {
      throw E.constraint(
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
        `You attempted to detach the last service control policy from ${targetId}; at least one must remain attached.`,
      );
    }
    this.unlink(policyId, t);
    return { policy: p, target: t };
  }

  // ---- tags ---------------------------------------------------------------------------------------------

  private checkTagCount(n: number): void {
    if (n > this.limits.tagsPerResource) {
      throw E.constraint("MAX_TAG_LIMIT_EXCEEDED", `You have exceeded the maximum number of tags allowed on this resource (${this.limits.tagsPerResource}).`);
    }
  }

  taggable(resourceId: string): { tags: Tags } {
    const t = this.target(resourceId) ?? this.policies.get(resourceId);
    if (!t) throw E.targetNotFound(resourceId);
    if ("awsManaged" in t && t.awsManaged) {
      throw E.invalidInput("IMMUTABLE_POLICY", `You specified a policy that is managed by AWS and can't be tagged: ${resourceId}`);
    }
    return t;
  }

  tagResource(resourceId: string, tags: Tags): void {
    const r = this.taggable(resourceId);
    let n = r.tags.size;
    for (const k of tags.keys()) if (!r.tags.has(k)) n++;
    this.checkTagCount(n);
    for (const [k, v] of tags) r.tags.set(k, v);
  }

  untagResource(resourceId: string, keys: string[]): void {
    const r = this.taggable(resourceId);
    for (const k of keys) r.tags.delete(k);
  }

  // ---- persistence --------------------------------------------------------------------------------------

  snapshot(): OrgSnapshot {
    const tagsOf = (m: Tags) => (m.size ? Object.fromEntries(m) : undefined);
    return {
      orgId: this.orgId,
      rootId: this.root.id,
      managementAccountId: this.managementAccountId,
      limits: this.limits,
      policyTypes: [...this.root.policyTypes],
      rootTags: tagsOf(this.root.tags),
      // Parents come before children in Map insertion order, so replaying this list rebuilds the tree.
      ous: [...this.ous.values()].map((o) => ({ id: o.id, name: o.name, parentId: o.parentId, tags: tagsOf(o.tags) })),
      accounts: [...this.accounts.values()].map((a) => ({
        id: a.id,
        name: a.name,
        email: a.email,
        parentId: a.parentId,
        joinedMethod: a.joinedMethod,
        joinedAt: a.joinedAt,
        tags: tagsOf(a.tags),
      })),
      policies: [...this.policies.values()]
        .filter((p) => !p.awsManaged)
        .map((p) => ({ id: p.id, name: p.name, description: p.description, type: p.type, content: p.content, tags: tagsOf(p.tags) })),
      attachments: [...this.policies.values()].map((p) => [p.id, [...p.targets]] as [string, string[]]),
    };
  }

  /** Rebuilds an organization from a snapshot without re-running validation (the data was valid when saved). */
  static restore(s: OrgSnapshot, rand: () => number, now?: () => number): OrgState {
    const st = new OrgState({
      rand,
      now,
      managementAccountId: s.managementAccountId,
      limits: s.limits,
      orgId: s.orgId,
      rootId: s.rootId,
      skipManagementAccount: true,
    });
    if (s.rootTags) st.root.tags = new Map(Object.entries(s.rootTags));
    for (const t of s.policyTypes) st.root.policyTypes.add(t);
    for (const o of s.ous) {
      const parent = st.container(o.parentId)!;
      const ou: OuRec = {
        kind: "ORGANIZATIONAL_UNIT",
        id: o.id,
        name: o.name,
        parentId: o.parentId,
        depth: parent.kind === "ROOT" ? 1 : parent.depth + 1,
        ous: new IdSet(),
        accounts: new IdSet(),
        policies: new IdSet(),
        tags: new Map(Object.entries(o.tags ?? {})),
      };
      st.ous.set(ou.id, ou);
      parent.ous.add(ou.id);
    }
    for (const a of s.accounts) {
      const acct: AccountRec = {
        kind: "ACCOUNT",
        id: a.id,
        name: a.name,
        email: a.email,
        parentId: a.parentId,
        joinedMethod: a.joinedMethod,
        joinedAt: a.joinedAt,
        policies: new IdSet(),
        tags: new Map(Object.entries(a.tags ?? {})),
      };
      st.accounts.set(acct.id, acct);
      st.allAccounts.add(acct.id);
      st.container(a.parentId)!.accounts.add(acct.id);
    }
    for (const p of s.policies) {
      st.insertPolicy({ ...p, awsManaged: false, targets: new IdSet(), tags: new Map(Object.entries(p.tags ?? {})) });
    }
    for (const [pid, targets] of s.attachments) {
      for (const tid of targets) {
        const t = st.target(tid);
        if (t && st.policies.has(pid)) st.link(pid, t);
      }
    }
    return st;
  }
}

export interface OrgSnapshot {
  orgId: string;
  rootId: string;
  managementAccountId: string;
  limits: AwsLimits;
  policyTypes: PolicyType[];
  rootTags?: Record<string, string>;
  ous: Array<{ id: string; name: string; parentId: string; tags?: Record<string, string> }>;
  accounts: Array<{
    id: string;
    name: string;
    email: string;
    parentId: string;
    joinedMethod: "CREATED" | "INVITED";
    joinedAt: number;
    tags?: Record<string, string>;
  }>;
  policies: Array<{ id: string; name: string; description: string; type: PolicyType; content: string; tags?: Record<string, string> }>;
  attachments: Array<[string, string[]]>;
}
