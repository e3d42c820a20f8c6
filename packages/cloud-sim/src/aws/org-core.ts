import { E } from "./errors.ts";
import { IdSet } from "./id-set.ts";
import { IdMinter } from "./ids.ts";
import {
  DEFAULT_LIMITS,
  FULL_AWS_ACCESS_ID,
  RCP_FULL_AWS_ACCESS_ID,
  TYPE_ARN_SEGMENT,
  type AwsLimits,
  type AccountRec,
  type ContainerRec,
  type CreateAccountStatusRec,
  type OrgInit,
  type OuRec,
  type PolicyRec,
  type RootRec,
  type Tags,
  type TargetRec,
} from "./org-model.ts";
import { POLICY_TYPES, type PolicyType } from "./policy-doc.ts";

/**
 * The organization's records and indexes, ids, ARNs, lookups and tags. The layers above it add the
 * API's mutations: org-hierarchy.ts (OUs and accounts), org-policies.ts (policy types, policies and
 * attachments); `OrgState` (org-state.ts) is the whole, with persistence.
 */
export class OrgCore {
  limits: AwsLimits;
  readonly orgId: string;
  readonly managementAccountId: string;
  readonly root: RootRec;
  readonly accounts = new Map<string, AccountRec>();
  readonly ous = new Map<string, OuRec>();
  readonly policies = new Map<string, PolicyRec>();
  readonly allAccounts = new IdSet();
  readonly createAccountStatuses = new Map<string, CreateAccountStatusRec>();
  protected readonly policiesByType = new Map<PolicyType, IdSet>(POLICY_TYPES.map((t) => [t, new IdSet()]));
  protected readonly policyNames = new Map<PolicyType, Map<string, string>>(POLICY_TYPES.map((t) => [t, new Map()]));
  protected readonly customerPolicyCount = new Map<PolicyType, number>(POLICY_TYPES.map((t) => [t, 0]));
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

  protected insertPolicy(p: PolicyRec): void {
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

  // ---- tags ---------------------------------------------------------------------------------------------

  protected checkTagCount(n: number): void {
    if (n > this.limits.tagsPerResource) {
      throw E.constraint(
        "MAX_TAG_LIMIT_EXCEEDED",
        `You have exceeded the maximum number of tags allowed on this resource (${this.limits.tagsPerResource}).`,
      );
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
}
