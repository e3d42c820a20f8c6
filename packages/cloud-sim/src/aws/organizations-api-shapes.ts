import { E } from "./errors.ts";
import type { AccountRec, OrgState, OuRec, PolicyRec, RootRec, Tags, TargetRec } from "./org-state.ts";
import type { Output } from "./organizations-api-common.ts";

// ---- output shapes ------------------------------------------------------------------------------------

export function rootOut(st: OrgState, r: RootRec = st.root): Output {
  return {
    Id: r.id,
    Arn: st.rootArn(),
    Name: r.name,
    PolicyTypes: [...r.policyTypes].map((t) => ({ Type: t, Status: "ENABLED" })),
  };
}

export function ouOut(st: OrgState, o: OuRec): Output {
  return { Id: o.id, Arn: st.ouArn(o.id), Name: o.name, Path: st.pathOf(o) };
}

export function accountOut(st: OrgState, a: AccountRec): Output {
  return {
    Id: a.id,
    Arn: st.accountArn(a.id),
    Email: a.email,
    Name: a.name,
    Status: a.status ?? "ACTIVE",
    State: a.status ?? "ACTIVE",
    Paths: [st.pathOf(a)],
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedAt / 1000,
  };
}

export function policySummary(st: OrgState, p: PolicyRec): Output {
  return { Id: p.id, Arn: st.policyArn(p), Name: p.name, Description: p.description, Type: p.type, AwsManaged: p.awsManaged };
}

export function policyOut(st: OrgState, p: PolicyRec): Output {
  return { PolicySummary: policySummary(st, p), Content: p.content };
}

export function organizationOut(st: OrgState): Output {
  return {
    Id: st.orgId,
    Arn: st.orgArn,
    FeatureSet: "ALL",
    MasterAccountArn: st.accountArn(st.managementAccountId),
    MasterAccountId: st.managementAccountId,
    MasterAccountEmail: st.accounts.get(st.managementAccountId)?.email ?? "",
    AvailablePolicyTypes: [...st.root.policyTypes].map((t) => ({ Type: t, Status: "ENABLED" })),
  };
}

export function targetType(t: TargetRec): string {
  return t.kind;
}

export function tagsOut(tags: Tags): Output[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

export function mustParent(st: OrgState, id: string) {
  const p = st.container(id);
  if (!p) throw E.parentNotFound(id);
  return p;
}

export function createAccountStatusOut(s: {
  id: string;
  accountName: string;
  accountId: string;
  requestedAt: number;
  completedAt: number;
}): Output {
  return {
    Id: s.id,
    AccountName: s.accountName,
    State: "SUCCEEDED",
    RequestedTimestamp: s.requestedAt / 1000,
    CompletedTimestamp: s.completedAt / 1000,
    AccountId: s.accountId,
  };
}
