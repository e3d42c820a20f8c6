import { AttachPolicyCommand, DetachPolicyCommand, ListPoliciesForTargetCommand, type PolicyType } from "@aws-sdk/client-organizations";
import { contentHash } from "../contract/canonical.ts";
import { ProviderError } from "../contract/errors.ts";
import type { ForeignAdoption, ForeignPolicyRead } from "../contract/posture.ts";
import type { ArtifactKind } from "../contract/types.ts";
import { invalid, isCode, KIND_TYPE, type AwsContext } from "./context.ts";
import { isOwnedByWorkspaceAws } from "./markers.ts";
import { AWS_POLICY_TYPE_API_NAME, type TAwsPolicyType } from "./types.ts";

/**
 * Adoption of a customer SCP/RCP (issue 19): the only AWS writes Parapet makes to a policy it does not
 * own, and only these two — DetachPolicy from a target and AttachPolicy back to it (rollback). Never
 * UpdatePolicy, TagResource or DeletePolicy on a foreign policy. Core calls `detach` only after two
 * people approved the adoption and Parapet's own artifact was read back attached at (or above) the target.
 */

function typeOf(operation: string, kind: string): TAwsPolicyType {
  const type = KIND_TYPE[kind as ArtifactKind];
  if (!type) throw invalid(operation, `Adoption on AWS covers SCPs and RCPs, not ${kind.slice(0, 40)}.`, "UNSUPPORTED_KIND");
  return type;
}

async function readForeign(ctx: AwsContext, policyId: string): Promise<ForeignPolicyRead | null> {
  let p;
  try {
    p = await ctx.describePolicy(policyId);
  } catch (e) {
    if (isCode(e, "PolicyNotFoundException")) return null;
    throw e;
  }
  const targets = await ctx.listTargets(policyId);
  return {
    externalId: p.id,
    name: p.name,
    // The same body the posture scan stores (posture.ts), so the hash is the one two people approved.
    contentHash: contentHash({ content: p.content, description: p.description }),
    attachments: [...new Set(targets)].sort(),
    ...(p.awsManaged ? { awsManaged: true } : {}),
  };
}

async function policiesOn(ctx: AwsContext, target: string, type: TAwsPolicyType): Promise<string[]> {
  const list = await ctx.paged("ListPoliciesForTarget", async (NextToken) => {
    const r = await ctx.clients.org.send(
      new ListPoliciesForTargetCommand({
        TargetId: target,
        Filter: AWS_POLICY_TYPE_API_NAME[type] as PolicyType,
        MaxResults: ctx.pageSize,
        NextToken,
      }),
    );
    return { items: r.Policies, next: r.NextToken };
  });
  return list.map((p) => p.Id ?? "").filter((x) => x !== "");
}

export function awsAdoption(ctx: AwsContext): ForeignAdoption {
  return {
    read: async (kind, externalId) => {
      typeOf("DescribePolicy", kind);
      return readForeign(ctx, externalId);
    },

    detach: async ({ kind, externalId, target, expectedHash }) => {
      const type = typeOf("DetachPolicy", kind);
      // Read right before the write: the body must still be the one that was proven and approved.
      let p;
      try {
        p = await ctx.describePolicy(externalId);
      } catch (e) {
        if (isCode(e, "PolicyNotFoundException"))
          throw new ProviderError(
            "conflict",
            `The customer's policy ${externalId} no longer exists.`,
            false,
            "DetachPolicy",
            "FOREIGN_GONE",
          );
        throw e;
      }
      if (p.awsManaged) throw invalid("DetachPolicy", `${p.name} is managed by AWS; Parapet never adopts it.`, "AWS_MANAGED");
      if (p.name.startsWith(ctx.wsPrefix) && isOwnedByWorkspaceAws({ name: p.name, tags: await ctx.listTags(externalId) }, ctx.ws))
        throw invalid("DetachPolicy", `${p.name} is Parapet's own policy, not a customer's: it is managed by reconcile.`, "NOT_FOREIGN");
      const hash = contentHash({ content: p.content, description: p.description });
      if (hash !== expectedHash) {
        throw new ProviderError(
          "conflict",
          `The customer's policy ${p.name} changed since the adoption was approved (its body is not the one proven); nothing was detached.`,
          false,
          "DetachPolicy",
          "FOREIGN_CHANGED",
        );
      }
      const onTarget = await policiesOn(ctx, target, type);
      if (!onTarget.includes(externalId)) return { noop: true };
      // AWS DetachPolicy: "Every root, OU, and account must have at least one SCP attached"
      // (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html; refused with
      // ConstraintViolationException, reason MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED). Checked first so the
      // refusal names the target in Parapet's words; the cloud would refuse it anyway.
      if (type === "SCP" && onTarget.length <= 1) {
        throw invalid(
          "DetachPolicy",
          `${p.name} is the only SCP attached directly to ${target}; AWS requires at least one, so it cannot be detached there.`,
          "LAST_POLICY_ON_TARGET",
        );
      }
      try {
        await ctx.call("DetachPolicy", true, () =>
          ctx.clients.org.send(new DetachPolicyCommand({ PolicyId: externalId, TargetId: target })),
        );
        return {};
      } catch (e) {
        if (isCode(e, "PolicyNotAttachedException")) return { noop: true };
        throw e;
      }
    },

    reattach: async ({ kind, externalId, target }) => {
      typeOf("AttachPolicy", kind);
      try {
        await ctx.call("AttachPolicy", true, () =>
          ctx.clients.org.send(new AttachPolicyCommand({ PolicyId: externalId, TargetId: target })),
        );
        return {};
      } catch (e) {
        if (isCode(e, "DuplicatePolicyAttachmentException")) return { noop: true };
        throw e;
      }
    },
  };
}
