import { mapLimit } from "../common/concurrency.ts";
import type { ForeignPolicy, PostureInventory } from "../contract/posture.ts";
import { AWS_KINDS, isCode, reasonOf, type AwsContext } from "./context.ts";
import { AWS_NAME_PREFIX, isOwnedByWorkspaceAws } from "./markers.ts";

/**
 * Who manages a foreign policy, from what the cloud shows: AWS-managed (FullAWSAccess, RCPFullAWSAccess),
 * Control Tower's `aws-guardrails-*` SCPs (Control Tower guide, "controls" / drift.md) and the Landing
 * Zone Accelerator's `Accelerator*` policies (LZA sample config, organization-config serviceControlPolicies).
 */
function managedBy(name: string, description: string, awsManaged: boolean): string | undefined {
  if (awsManaged) return "aws";
  if (name.startsWith("aws-guardrails-")) return "control-tower";
  if (name.startsWith("Accelerator") || /landing zone accelerator/i.test(description)) return "lza";
  return undefined;
}

/**
 * Read-only inventory of every SCP and RCP Parapet does not own, with where each is attached.
 * Calls: ⌈SCPs/20⌉ + ⌈RCPs/20⌉ listing pages, then per policy DescribePolicy + ⌈targets/20⌉
 * ListTargetsForPolicy, plus a tag read for each `parapet-`-named one (to tell ours from a look-alike).
 * Independent of the number of accounts except through attachment pages. All paced by the
 * connection's limiter (DescribePolicy 2 TPS), never a write.
 */
export async function scanAwsPosture(ctx: AwsContext): Promise<PostureInventory> {
  const inv: PostureInventory = { cloud: "aws", policies: [], unreadable: [] };
  const ids: Array<{ id: string; name: string }> = [];
  for (const type of ["SCP", "RCP"] as const) {
    try {
      for (const s of await ctx.listPolicies(type)) if (s.Id && s.Name) ids.push({ id: s.Id, name: s.Name });
    } catch (e) {
      // RCPs not enabled in this organization: there are none to read.
      if (type === "RCP" && isCode(e, "PolicyTypeNotEnabledException")) continue;
      inv.unreadable.push({ what: `${type} list`, reason: reasonOf(e) });
    }
  }
  await mapLimit(ids, ctx.concurrency, async ({ id, name }) => {
    try {
      const [p, targets] = await Promise.all([ctx.describePolicy(id), ctx.listTargets(id)]);
      if (!p.awsManaged && p.name.startsWith(AWS_NAME_PREFIX)) {
        const tags = await ctx.listTags(id);
        if (isOwnedByWorkspaceAws({ name: p.name, tags }, ctx.ws)) return;
      }
      const by = managedBy(p.name, p.description, p.awsManaged);
      const policy: ForeignPolicy = {
        kind: AWS_KINDS[p.type] as ForeignPolicy["kind"],
        externalId: id,
        name: p.name,
        attachments: [...new Set(targets)].sort(),
        body: { content: p.content, description: p.description },
        size: p.content.length,
        ...(by ? { managedBy: by } : {}),
      };
      inv.policies.push(policy);
    } catch (e) {
      if (isCode(e, "PolicyNotFoundException")) return;
      inv.unreadable.push({ what: `policy ${name} (${id})`, reason: reasonOf(e) });
    }
  });
  inv.policies.sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  return inv;
}
