import { E } from "./errors.ts";
import { RE } from "./ids.ts";
import {
  type OpDef,
  optString,
  reqString,
  reqId,
  TARGET_RES,
  policyType,
  name,
  description,
  tagsIn,
  page,
  read,
  write,
  lowerKeys,
} from "./organizations-api-common.ts";
import { rootOut, policySummary, policyOut, targetType } from "./organizations-api-shapes.ts";

/** Policy types, policies (SCPs, RCPs) and their attachments to roots, OUs and accounts. */
export const POLICY_OPERATIONS: Record<string, OpDef> = {
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
    const r = page(
      ctx,
      "ListPoliciesForTarget",
      `${targetId}/${t}`,
      input,
      ids.filter((id) => ctx.state.policies.get(id)?.type === t),
      (id) => {
        const p = ctx.state.policies.get(id);
        return p && policySummary(ctx.state, p);
      },
    );
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
};
