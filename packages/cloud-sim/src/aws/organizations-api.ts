import { type AwsError, E } from "./errors.ts";
import { RE } from "./ids.ts";
import type { AccountRec, OrgState, OuRec, PolicyRec, RootRec, Tags, TargetRec } from "./org-state.ts";
import { ALL_POLICY_TYPE_VALUES, POLICY_TYPES, type PolicyType } from "./policy-doc.ts";

/**
 * The Organizations operations the simulator answers: input validation in the API's own terms
 * (InvalidInputException reasons, SerializationException for wrong JSON types), the call on OrgState, and
 * the response in the JSON 1.1 shape the SDK deserialises (timestamps as epoch seconds).
 */

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export interface OpContext {
  state: OrgState;
  /** Page size used when MaxResults is absent. */
  defaultPageSize: number;
  /** Return an empty last page with a NextToken when a page ends exactly at the end of a list (AWS does this at times). */
  trailingEmptyPage: boolean;
}

export interface OpResult {
  output: Output;
  /** Present for mutations: what CloudTrail would record as responseElements (null when AWS records none). */
  responseElements?: Output | null;
}

export type OpFamily = "read" | "write";

interface OpDef {
  family: OpFamily;
  run(ctx: OpContext, input: Input): OpResult;
}

// ---- input helpers ------------------------------------------------------------------------------------

function typeError(name: string, expected: string): AwsError {
  return E.serialization(`Unexpected value for ${name}: expected ${expected}`);
}

function optString(input: Input, name: string, max = 1_000_000): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw typeError(name, "a string");
  if (v.length > max) throw E.invalidInput("MAX_LENGTH_EXCEEDED", `You provided a string parameter ${name} that is longer than allowed (${max}).`);
  return v;
}

function reqString(input: Input, name: string, max?: number): string {
  const v = optString(input, name, max);
  if (v === undefined || v === "") throw E.invalidInput("INPUT_REQUIRED", `You must provide a value for the required parameter ${name}.`);
  return v;
}

function reqId(input: Input, name: string, re: RegExp | RegExp[], reason = "INVALID_PATTERN"): string {
  const v = reqString(input, name, 200);
  const ok = Array.isArray(re) ? re.some((r) => r.test(v)) : re.test(v);
  if (!ok) throw E.invalidInput(reason, `You specified a value for ${name} that is not valid: "${v}". It doesn't match the required pattern.`);
  return v;
}

const PARENT_RES = [RE.root, RE.ou];
const TARGET_RES = [RE.root, RE.ou, RE.account];

function policyType(input: Input, name: string): PolicyType {
  const v = reqString(input, name, 64);
  if (!ALL_POLICY_TYPE_VALUES.has(v)) {
    throw E.invalidInput("INVALID_ENUM_POLICY_TYPE", `You specified an invalid policy type for ${name}: ${v}.`);
  }
  if (!(POLICY_TYPES as readonly string[]).includes(v)) throw E.policyTypeNotAvailable(v);
  return v as PolicyType;
}

function name(input: Input, field: string, max: number): string {
  const v = reqString(input, field, max);
  if (v.length > max) throw E.invalidInput("MAX_LENGTH_EXCEEDED", `${field} is longer than ${max} characters.`);
  return v;
}

function description(input: Input): string | undefined {
  const v = optString(input, "Description", 512);
  return v;
}

function tagsIn(input: Input, field = "Tags"): Tags {
  const v = input[field];
  const out: Tags = new Map();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw typeError(field, "a list of tags");
  for (const t of v) {
    if (typeof t !== "object" || t === null || Array.isArray(t)) throw typeError(field, "a list of {Key, Value}");
    const key = (t as Input).Key;
    const value = (t as Input).Value;
    if (typeof key !== "string" || typeof value !== "string") throw typeError(`${field}.Key/Value`, "strings");
    if (key.length < 1 || key.length > 128) throw E.invalidInput("INVALID_PATTERN", `Tag key must be 1 to 128 characters: "${key}".`);
    if (value.length > 256) throw E.invalidInput("MAX_LENGTH_EXCEEDED", `Tag value for "${key}" is longer than 256 characters.`);
    if (key.toLowerCase().startsWith("aws:")) {
      throw E.invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", `Tag keys beginning with "aws:" are reserved: "${key}".`);
    }
    if (out.has(key)) throw E.invalidInput("DUPLICATE_TAG_KEY", `You specified the tag key "${key}" more than once.`);
    out.set(key, value);
  }
  return out;
}

// ---- paging -------------------------------------------------------------------------------------------

function maxResults(ctx: OpContext, input: Input): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return ctx.defaultPageSize;
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError("MaxResults", "an integer");
  if (v < 1) throw E.invalidInput("MIN_VALUE_EXCEEDED", `You provided a value for MaxResults that is too small: ${v}. The minimum is 1.`);
  if (v > 20) throw E.invalidInput("MAX_VALUE_EXCEEDED", `You provided a value for MaxResults that is too large: ${v}. The maximum is 20.`);
  return v;
}

/**
 * Opaque-looking but deterministic token: the operation, the list it pages (parent, filter…) and an
 * offset. A token replayed against another list is rejected as AWS rejects a foreign token.
 */
function encodeToken(op: string, key: string, offset: number): string {
  return Buffer.from(`v1|${op}|${key}|${offset}`).toString("base64url");
}

function decodeToken(op: string, key: string, token: string): number {
  const raw = Buffer.from(token, "base64url").toString("utf8").split("|");
  const offset = Number(raw[3]);
  if (raw.length !== 4 || raw[0] !== "v1" || raw[1] !== op || raw[2] !== key || !Number.isInteger(offset) || offset < 0) {
    throw E.invalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.");
  }
  return offset;
}

function page<T>(
  ctx: OpContext,
  op: string,
  key: string,
  input: Input,
  items: readonly string[],
  map: (id: string) => T | undefined,
): { items: T[]; NextToken?: string } {
  const size = maxResults(ctx, input);
  const tok = optString(input, "NextToken", 100_000);
  const start = tok ? decodeToken(op, key, tok) : 0;
  const out: T[] = [];
  let i = start;
  for (; i < items.length && out.length < size; i++) {
    const m = map(items[i]!);
    if (m !== undefined) out.push(m);
  }
  const more = i < items.length || (ctx.trailingEmptyPage && out.length === size && out.length > 0);
  return more ? { items: out, NextToken: encodeToken(op, key, i) } : { items: out };
}

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
    Status: "ACTIVE",
    State: "ACTIVE",
    Paths: [st.pathOf(a)],
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedAt / 1000,
  };
}

export function policySummary(st: OrgState, p: PolicyRec): Output {
  return { Id: p.id, Arn: st.policyArn(p), Name: p.name, Description: p.description, Type: p.type, AwsManaged: p.awsManaged };
}

function policyOut(st: OrgState, p: PolicyRec): Output {
  return { PolicySummary: policySummary(st, p), Content: p.content };
}

function organizationOut(st: OrgState): Output {
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

function targetType(t: TargetRec): string {
  return t.kind;
}

function tagsOut(tags: Tags): Output[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

function mustParent(st: OrgState, id: string) {
  const p = st.container(id);
  if (!p) throw E.parentNotFound(id);
  return p;
}

function createAccountStatusOut(s: { id: string; accountName: string; accountId: string; requestedAt: number; completedAt: number }): Output {
  return {
    Id: s.id,
    AccountName: s.accountName,
    State: "SUCCEEDED",
    RequestedTimestamp: s.requestedAt / 1000,
    CompletedTimestamp: s.completedAt / 1000,
    AccountId: s.accountId,
  };
}

// ---- operations ---------------------------------------------------------------------------------------

const read = (run: OpDef["run"]): OpDef => ({ family: "read", run });
const write = (run: OpDef["run"]): OpDef => ({ family: "write", run });

export const OPERATIONS: Record<string, OpDef> = {
  DescribeOrganization: read(({ state }) => ({ output: { Organization: organizationOut(state) } })),

  ListRoots: read((ctx, input) => {
    const r = page(ctx, "ListRoots", "", input, [ctx.state.root.id], () => rootOut(ctx.state));
    return { output: { Roots: r.items, NextToken: r.NextToken } };
  }),

  ListOrganizationalUnitsForParent: read((ctx, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const parent = mustParent(ctx.state, parentId);
    const r = page(ctx, "ListOrganizationalUnitsForParent", parentId, input, parent.ous.toArray(), (id) => {
      const o = ctx.state.ous.get(id);
      return o && ouOut(ctx.state, o);
    });
    return { output: { OrganizationalUnits: r.items, NextToken: r.NextToken } };
  }),

  ListAccountsForParent: read((ctx, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const parent = mustParent(ctx.state, parentId);
    const r = page(ctx, "ListAccountsForParent", parentId, input, parent.accounts.toArray(), (id) => {
      const a = ctx.state.accounts.get(id);
      return a && accountOut(ctx.state, a);
    });
    return { output: { Accounts: r.items, NextToken: r.NextToken } };
  }),

  ListAccounts: read((ctx, input) => {
    const r = page(ctx, "ListAccounts", "", input, ctx.state.allAccounts.toArray(), (id) => {
      const a = ctx.state.accounts.get(id);
      return a && accountOut(ctx.state, a);
    });
    return { output: { Accounts: r.items, NextToken: r.NextToken } };
  }),

  ListChildren: read((ctx, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const childType = reqString(input, "ChildType", 64);
    if (childType !== "ACCOUNT" && childType !== "ORGANIZATIONAL_UNIT") {
      throw E.invalidInput("INVALID_ENUM", `You specified an invalid value for ChildType: ${childType}.`);
    }
    const parent = mustParent(ctx.state, parentId);
    const list = childType === "ACCOUNT" ? parent.accounts : parent.ous;
    const r = page(ctx, "ListChildren", `${parentId}/${childType}`, input, list.toArray(), (id) => ({ Id: id, Type: childType }));
    return { output: { Children: r.items, NextToken: r.NextToken } };
  }),

  ListParents: read((ctx, input) => {
    const childId = reqId(input, "ChildId", [RE.account, RE.ou]);
    const child = ctx.state.accounts.get(childId) ?? ctx.state.ous.get(childId);
    if (!child) throw E.childNotFound(childId);
    const parent = ctx.state.container(child.parentId)!;
    const r = page(ctx, "ListParents", childId, input, [parent.id], (id) => ({ Id: id, Type: parent.kind }));
    return { output: { Parents: r.items, NextToken: r.NextToken } };
  }),

  DescribeAccount: read(({ state }, input) => {
    const id = reqId(input, "AccountId", RE.account);
    const a = state.accounts.get(id);
    if (!a) throw E.accountNotFound(id);
    return { output: { Account: accountOut(state, a) } };
  }),

  DescribeOrganizationalUnit: read(({ state }, input) => {
    const id = reqId(input, "OrganizationalUnitId", RE.ou);
    const o = state.ous.get(id);
    if (!o) throw E.ouNotFound(id);
    return { output: { OrganizationalUnit: ouOut(state, o) } };
  }),

  CreateOrganizationalUnit: write(({ state }, input) => {
    const parentId = reqId(input, "ParentId", PARENT_RES);
    const n = name(input, "Name", 128);
    const tags = tagsIn(input);
    const ou = state.createOu(parentId, n, tags);
    const out = ouOut(state, ou);
    return { output: { OrganizationalUnit: out }, responseElements: { organizationalUnit: { id: ou.id, arn: out.Arn, name: ou.name } } };
  }),

  UpdateOrganizationalUnit: write(({ state }, input) => {
    const id = reqId(input, "OrganizationalUnitId", RE.ou);
    const n = optString(input, "Name", 128);
    const o = n === undefined ? state.ous.get(id) : state.renameOu(id, n);
    if (!o) throw E.ouNotFound(id);
    return { output: { OrganizationalUnit: ouOut(state, o) }, responseElements: null };
  }),

  DeleteOrganizationalUnit: write(({ state }, input) => {
    const id = reqId(input, "OrganizationalUnitId", RE.ou);
    state.deleteOu(id);
    return { output: {}, responseElements: null };
  }),

  MoveAccount: write(({ state }, input) => {
    const accountId = reqId(input, "AccountId", RE.account);
    const src = reqId(input, "SourceParentId", PARENT_RES);
    const dst = reqId(input, "DestinationParentId", PARENT_RES);
    state.moveAccount(accountId, src, dst);
    return { output: {}, responseElements: null };
  }),

  CreateAccount: write(({ state }, input) => {
    const email = reqString(input, "Email", 64);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw E.invalidInput("INVALID_EMAIL_ADDRESS_TARGET", `The email address is not valid: ${email}`);
    const accountName = name(input, "AccountName", 50);
    const tags = tagsIn(input);
    const a = state.createAccount({ name: accountName, email, tags });
    const status = {
      id: state.ids.createAccountRequest(),
      accountName,
      accountId: a.id,
      requestedAt: a.joinedAt,
      completedAt: a.joinedAt,
    };
    state.createAccountStatuses.set(status.id, status);
    return {
      output: { CreateAccountStatus: createAccountStatusOut(status) },
      responseElements: { createAccountStatus: { id: status.id, state: "IN_PROGRESS", accountName } },
    };
  }),

  DescribeCreateAccountStatus: read(({ state }, input) => {
    const id = reqId(input, "CreateAccountRequestId", RE.createAccountRequest);
    const s = state.createAccountStatuses.get(id);
    if (!s) throw E.createAccountStatusNotFound(id);
    return { output: { CreateAccountStatus: createAccountStatusOut(s) } };
  }),

  EnablePolicyType: write(({ state }, input) => {
    const rootId = reqId(input, "RootId", RE.root);
    const t = policyType(input, "PolicyType");
    const r = state.enablePolicyType(rootId, t);
    return { output: { Root: rootOut(state, r) }, responseElements: { root: { id: r.id, arn: state.rootArn(), name: r.name } } };
  }),

  DisablePolicyType: write(({ state }, input) => {
    const rootId = reqId(input, "RootId", RE.root);
    const t = policyType(input, "PolicyType");
    const r = state.disablePolicyType(rootId, t);
    return { output: { Root: rootOut(state, r) }, responseElements: { root: { id: r.id, arn: state.rootArn(), name: r.name } } };
  }),

  CreatePolicy: write(({ state }, input) => {
    const content = reqString(input, "Content");
    // Description is a required member of CreatePolicy (it may be empty), as in the API model.
    const desc = description(input);
    if (desc === undefined) throw E.invalidInput("INPUT_REQUIRED", "You must provide a value for the required parameter Description.");
    const n = name(input, "Name", 128);
    const t = policyType(input, "Type");
    const tags = tagsIn(input);
    const p = state.createPolicy({ name: n, description: desc, type: t, content, tags });
    return {
      output: { Policy: policyOut(state, p) },
      responseElements: { policy: { policySummary: lowerKeys(policySummary(state, p)), content: p.content } },
    };
  }),

  UpdatePolicy: write(({ state }, input) => {
    const id = reqId(input, "PolicyId", RE.policy, "INVALID_SYNTAX_POLICY_ID");
    const n = optString(input, "Name", 128);
    if (n === "") throw E.invalidInput("MIN_LENGTH_EXCEEDED", "Name must not be empty.");
    const desc = description(input);
    const content = optString(input, "Content");
    if (content === "") throw E.invalidInput("MIN_LENGTH_EXCEEDED", "Content must not be empty.");
    const p = state.updatePolicy(id, { name: n, description: desc, content });
    return {
      output: { Policy: policyOut(state, p) },
      responseElements: { policy: { policySummary: lowerKeys(policySummary(state, p)), content: p.content } },
    };
  }),

  DescribePolicy: read(({ state }, input) => {
    const id = reqId(input, "PolicyId", RE.policy, "INVALID_SYNTAX_POLICY_ID");
    const p = state.policies.get(id);
    if (!p) throw E.policyNotFound(id);
    return { output: { Policy: policyOut(state, p) } };
  }),

  DeletePolicy: write(({ state }, input) => {
    const id = reqId(input, "PolicyId", RE.policy, "INVALID_SYNTAX_POLICY_ID");
    state.deletePolicy(id);
    return { output: {}, responseElements: null };
  }),

  ListPolicies: read((ctx, input) => {
    const t = policyType(input, "Filter");
    const r = page(ctx, "ListPolicies", t, input, ctx.state.policiesOfType(t).toArray(), (id) => {
      const p = ctx.state.policies.get(id);
      return p && policySummary(ctx.state, p);
    });
    return { output: { Policies: r.items, NextToken: r.NextToken } };
  }),

  ListPoliciesForTarget: read((ctx, input) => {
    const targetId = reqId(input, "TargetId", TARGET_RES, "INVALID_PATTERN_TARGET_ID");
    const t = policyType(input, "Filter");
    const target = ctx.state.target(targetId);
    if (!target) throw E.targetNotFound(targetId);
    const ids = target.policies.toArray();
    const r = page(ctx, "ListPoliciesForTarget", `${targetId}/${t}`, input, ids.filter((id) => ctx.state.policies.get(id)?.type === t), (id) => {
      const p = ctx.state.policies.get(id);
      return p && policySummary(ctx.state, p);
    });
    return { output: { Policies: r.items, NextToken: r.NextToken } };
  }),

  ListTargetsForPolicy: read((ctx, input) => {
    const id = reqId(input, "PolicyId", RE.policy, "INVALID_SYNTAX_POLICY_ID");
    const p = ctx.state.policies.get(id);
    if (!p) throw E.policyNotFound(id);
    const r = page(ctx, "ListTargetsForPolicy", id, input, p.targets.toArray(), (tid) => {
      const t = ctx.state.target(tid);
      return t && { TargetId: t.id, Arn: ctx.state.targetArn(t), Name: t.name, Type: targetType(t) };
    });
    return { output: { Targets: r.items, NextToken: r.NextToken } };
  }),

  AttachPolicy: write(({ state }, input) => {
    const policyId = reqId(input, "PolicyId", RE.policy, "INVALID_SYNTAX_POLICY_ID");
    const targetId = reqId(input, "TargetId", TARGET_RES, "INVALID_PATTERN_TARGET_ID");
    state.attachPolicy(policyId, targetId);
    return { output: {}, responseElements: null };
  }),

  DetachPolicy: write(({ state }, input) => {
    const policyId = reqId(input, "PolicyId", RE.policy, "INVALID_SYNTAX_POLICY_ID");
    const targetId = reqId(input, "TargetId", TARGET_RES, "INVALID_PATTERN_TARGET_ID");
    state.detachPolicy(policyId, targetId);
    return { output: {}, responseElements: null };
  }),

  TagResource: write(({ state }, input) => {
    const id = reqId(input, "ResourceId", [...TARGET_RES, RE.policy], "INVALID_PATTERN");
    if (!Array.isArray(input.Tags) || input.Tags.length === 0) {
      throw E.invalidInput("INPUT_REQUIRED", "You must provide a value for the required parameter Tags.");
    }
    state.tagResource(id, tagsIn(input));
    return { output: {}, responseElements: null };
  }),

  UntagResource: write(({ state }, input) => {
    const id = reqId(input, "ResourceId", [...TARGET_RES, RE.policy], "INVALID_PATTERN");
    const keys = input.TagKeys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw E.invalidInput("INPUT_REQUIRED", "You must provide a value for the required parameter TagKeys.");
    }
    if (!keys.every((k) => typeof k === "string")) throw typeError("TagKeys", "a list of strings");
    state.untagResource(id, keys);
    return { output: {}, responseElements: null };
  }),

  ListTagsForResource: read(({ state }, input) => {
    const id = reqId(input, "ResourceId", [...TARGET_RES, RE.policy], "INVALID_PATTERN");
    const t = state.target(id) ?? state.policies.get(id);
    if (!t) throw E.targetNotFound(id);
    const tok = optString(input, "NextToken", 100_000);
    if (tok) decodeToken("ListTagsForResource", id, tok);
    // At most 50 tags per resource, so one page always holds them all.
    return { output: { Tags: tagsOut(t.tags) } };
  }),
};

/** True for the operations the simulator models; the rest of the real API answers UnknownOperationException. */
export function isKnownOperation(op: string): boolean {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, op);
}

/** CloudTrail writes request and response elements in lowerCamelCase. */
export function lowerKeys(v: unknown): Output {
  return lowerDeep(v) as Output;
}

function lowerDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerDeep);
  if (v && typeof v === "object") {
    const out: Output = {};
    for (const [k, x] of Object.entries(v as Output)) out[k.charAt(0).toLowerCase() + k.slice(1)] = lowerDeep(x);
    return out;
  }
  return v;
}
