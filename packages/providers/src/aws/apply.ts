import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachPolicyCommand,
  UpdatePolicyCommand,
  type PolicyType,
} from "@aws-sdk/client-organizations";
import { ProviderError } from "../contract/errors.ts";
import type { ApplyResult, Change, DesiredArtifact } from "../contract/types.ts";
import { canonicalDocument } from "./compare.ts";
import { invalid, isCode, KIND_TYPE, type AwsContext, type DescribedPolicy } from "./context.ts";
import { AWS_NAME_PREFIX, awsOwnerTags } from "./markers.ts";
import { AWS_POLICY_TYPE_API_NAME, awsTypeLimits, ZAwsOrgPolicyBody, type TAwsOrgPolicyBody, type TAwsPolicyType } from "./types.ts";

/**
 * Create, update, attach, detach and delete of SCPs/RCPs. Every change but create reads the ownership
 * marker from AWS first (AwsContext.assertOwned); create adopts a policy a lost response left behind
 * only when it carries this workspace's marker.
 */
export async function applyAws(ctx: AwsContext, change: Change): Promise<ApplyResult> {
  const kind = "artifact" in change ? change.artifact.kind : change.kind;
  const type = KIND_TYPE[kind];
  if (!type) throw invalid(change.op, `The AWS adapter does not manage ${kind}.`, "UNSUPPORTED_KIND");
  switch (change.op) {
    case "create":
      return create(ctx, type, change.artifact);
    case "update":
      return update(ctx, type, change.artifact, change.externalId);
    case "attach":
      return attach(ctx, change.externalId, change.target);
    case "detach":
      return detach(ctx, change.externalId, change.target);
    case "delete":
      return remove(ctx, change.externalId);
  }
}

function desiredBody(ctx: AwsContext, operation: string, type: TAwsPolicyType, a: DesiredArtifact): TAwsOrgPolicyBody {
  const b = ZAwsOrgPolicyBody.safeParse(a.body);
  if (!b.success)
    throw invalid(
      operation,
      `The desired ${a.kind} body is not an Organizations policy: ${b.error.issues[0]?.message ?? "invalid"}.`,
      "INVALID_BODY",
    );
  if (b.data.type !== type) throw invalid(operation, `${a.name} is an ${b.data.type} but was sent as ${a.kind}.`, "INVALID_BODY");
  if (b.data.name !== a.name) throw invalid(operation, `The policy body is named ${b.data.name}, the artifact ${a.name}.`, "INVALID_BODY");
  // Without the prefix the policy could never be recognised as Parapet's again.
  if (!a.name.startsWith(AWS_NAME_PREFIX))
    throw invalid(operation, `Parapet's policy names start with '${AWS_NAME_PREFIX}'; got ${a.name}.`, "INVALID_NAME");
  if (!canonicalDocument(b.data.content)) throw invalid(operation, `${a.name} is not a valid IAM policy document.`, "INVALID_BODY");
  const maxChars = awsTypeLimits(ctx.limits, type).chars;
  if (b.data.content.length > maxChars) {
    throw new ProviderError(
      "limit",
      `${a.name} is ${b.data.content.length} characters, over this organization's ${maxChars}-character ${type} size limit.`,
      false,
      operation,
      "POLICY_CONTENT_LIMIT_EXCEEDED",
    );
  }
  return b.data;
}

async function create(ctx: AwsContext, type: TAwsPolicyType, a: DesiredArtifact): Promise<ApplyResult> {
  const body = desiredBody(ctx, "CreatePolicy", type, a);
  const tags = { ...body.tags, ...awsOwnerTags(ctx.ws) };
  try {
    const r = await ctx.call("CreatePolicy", true, () =>
      ctx.clients.org.send(
        new CreatePolicyCommand({
          Name: a.name,
          Description: body.description,
          Content: body.content,
          Type: AWS_POLICY_TYPE_API_NAME[type] as PolicyType,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    const id = r.Policy?.PolicySummary?.Id;
    if (!id) throw new ProviderError("unavailable", "CreatePolicy answered without a policy id.", true, "CreatePolicy", "BAD_RESPONSE");
    ctx.verifiedOwned.add(id);
    return { externalId: id };
  } catch (e) {
    // Created before (a lost response, or a crash before Parapet recorded it): adopt it if it is ours.
    if (isCode(e, "DuplicatePolicyException")) return adopt(ctx, type, a, body);
    throw e;
  }
}

async function adopt(ctx: AwsContext, type: TAwsPolicyType, a: DesiredArtifact, body: TAwsOrgPolicyBody): Promise<ApplyResult> {
  const found = (await ctx.listPolicies(type)).find((s) => s.Name === a.name);
  if (!found?.Id) {
    throw new ProviderError(
      "conflict",
      `A policy named ${a.name} was reported to exist but is no longer listed; retry.`,
      true,
      "CreatePolicy",
      "DUPLICATE_VANISHED",
    );
  }
  const p = await ctx.assertOwned("CreatePolicy", found.Id);
  const updated = await updateIfDifferent(ctx, p, a.name, body);
  return { externalId: p.id, ...(updated ? {} : { noop: true }) };
}

async function updateIfDifferent(ctx: AwsContext, p: DescribedPolicy, name: string, body: TAwsOrgPolicyBody): Promise<boolean> {
  const want = canonicalDocument(body.content);
  const have = canonicalDocument(p.content);
  const contentSame = want !== undefined && have !== undefined && JSON.stringify(want) === JSON.stringify(have);
  if (contentSame && p.name === name && p.description === body.description) return false;
  await ctx.call("UpdatePolicy", true, () =>
    ctx.clients.org.send(
      new UpdatePolicyCommand({
        PolicyId: p.id,
        ...(p.name !== name ? { Name: name } : {}),
        ...(p.description !== body.description ? { Description: body.description } : {}),
        ...(contentSame ? {} : { Content: body.content }),
      }),
    ),
  );
  return true;
}

async function update(ctx: AwsContext, type: TAwsPolicyType, a: DesiredArtifact, policyId: string): Promise<ApplyResult> {
  const body = desiredBody(ctx, "UpdatePolicy", type, a);
  const p = await ctx.assertOwned("UpdatePolicy", policyId);
  if (p.type !== type) throw invalid("UpdatePolicy", `${p.name} is an ${p.type}, not an ${type}.`, "TYPE_MISMATCH");
  const updated = await updateIfDifferent(ctx, p, a.name, body);
  return { externalId: p.id, ...(updated ? {} : { noop: true }) };
}

async function attach(ctx: AwsContext, policyId: string, target: string): Promise<ApplyResult> {
  if (!policyId) throw invalid("AttachPolicy", "attach needs the policy id (create it first).", "MISSING_ID");
  // Attaching changes no one else's artifact, so ownership read once in this adapter's life is enough.
  if (!ctx.verifiedOwned.has(policyId)) await ctx.assertOwned("AttachPolicy", policyId);
  try {
    await ctx.call("AttachPolicy", true, () => ctx.clients.org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: target })));
    return { externalId: policyId };
  } catch (e) {
    if (isCode(e, "DuplicatePolicyAttachmentException")) return { externalId: policyId, noop: true };
    throw e;
  }
}

async function detach(ctx: AwsContext, policyId: string, target: string): Promise<ApplyResult> {
  try {
    await ctx.assertOwned("DetachPolicy", policyId);
  } catch (e) {
    if (isCode(e, "PolicyNotFoundException")) return { noop: true };
    throw e;
  }
  try {
    await ctx.call("DetachPolicy", true, () => ctx.clients.org.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: target })));
    return { externalId: policyId };
  } catch (e) {
    if (isCode(e, "PolicyNotAttachedException", "PolicyNotFoundException", "TargetNotFoundException"))
      return { externalId: policyId, noop: true };
    throw e;
  }
}

async function remove(ctx: AwsContext, policyId: string): Promise<ApplyResult> {
  try {
    await ctx.assertOwned("DeletePolicy", policyId);
  } catch (e) {
    if (isCode(e, "PolicyNotFoundException")) return { noop: true };
    throw e;
  }
  const del = () => ctx.call("DeletePolicy", true, () => ctx.clients.org.send(new DeletePolicyCommand({ PolicyId: policyId })));
  try {
    await del();
  } catch (e) {
    if (isCode(e, "PolicyNotFoundException")) return { noop: true };
    if (!isCode(e, "PolicyInUseException")) throw e;
    // Still attached somewhere (the plan's detaches raced a person's attach): detach, then delete.
    for (const t of await ctx.listTargets(policyId)) await detach(ctx, policyId, t);
    try {
      await del();
    } catch (e2) {
      if (isCode(e2, "PolicyNotFoundException")) return { noop: true };
      throw e2;
    }
  }
  ctx.verifiedOwned.delete(policyId);
  return { externalId: policyId };
}
