import { IdSet } from "./id-set.ts";
import type { AccountRec, OrgInit, OrgSnapshot, OuRec, Tags } from "./org-model.ts";
import { OrgPolicies } from "./org-policies.ts";
import { POLICY_TYPES } from "./policy-doc.ts";

export {
  type AccountRec,
  type AwsLimits,
  type OrgInit,
  type OrgSnapshot,
  type OuRec,
  type PolicyRec,
  type RootRec,
  type Tags,
  type TargetRec,
} from "./org-model.ts";

/**
 * The organization: one root, OUs, accounts, policies and attachments, all indexed both ways
 * (target → policies on each target record, policy → targets on each policy record) so every read the
 * API offers is a map lookup plus a slice.
 *
 * Built in layers, each in its own file: org-core.ts (records, indexes, ARNs, lookups, tags),
 * org-hierarchy.ts (OUs and accounts), org-policies.ts (policy types, policies, attachments); the
 * shared types, quotas and snapshot shape are in org-model.ts. This file adds persistence.
 */
export class OrgState extends OrgPolicies {
  constructor(init: OrgInit) {
    super(init);
    const mgmtId = this.managementAccountId;
    if (init.skipManagementAccount) return;
    this.createAccount({
      id: mgmtId,
      name: init.managementAccountName ?? "Management",
      email: init.managementEmail ?? `aws-management+${mgmtId}@example.com`,
      parentId: this.root.id,
    });
    for (const t of init.enabledPolicyTypes ?? POLICY_TYPES) this.enablePolicyType(this.root.id, t);
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
        ...(a.status === "SUSPENDED" ? { status: a.status } : {}),
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
        ...(a.status === "SUSPENDED" ? { status: a.status } : {}),
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
