import { mapLimit } from "../common/concurrency.ts";
import type { PostureInventory, PostureScanRequest } from "../contract/posture.ts";
import { publicMessage } from "../contract/public-message.ts";
import { ONE_PAGE, type GcpContext } from "./context.ts";
import { listCustomConstraints } from "./custom-constraints.ts";
import { getDenyPolicy } from "./deny-policies.ts";
import { isOwnedCustomConstraint } from "./markers.ts";
import { listOrgPolicies } from "./org-policies.ts";
import { constraintOf } from "./policy.ts";

/**
 * Read-only inventory of the organization's own preventive policies: the org policies set on every
 * node (Org Policy v2 `ListPolicies` per organization/folder/project), the custom constraints defined
 * on the organization, and the IAM v2 deny policies attached at each node (`ListPolicies` answers
 * metadata only, so one `GetPolicy` per foreign deny policy). Parapet's own custom constraints and
 * deny policies are left out by their ownership markers. Org policies carry no owner per rule: a
 * policy into which Parapet merged rules is reported whole (posture is meant for before the first deploy).
 * Calls: per node ⌈policies/page⌉ + ⌈deny policies/page⌉, + ⌈custom constraints/page⌉, + 1 per foreign deny policy.
 */
export async function scanGcpPosture(ctx: GcpContext, req: PostureScanRequest): Promise<PostureInventory> {
  const inv: PostureInventory = { cloud: "gcp", policies: [], unreadable: [] };
  try {
    for (const cc of (await listCustomConstraints(ctx)).values()) {
      if (isOwnedCustomConstraint(cc.name, ctx.cfg.workspaceId)) continue;
      inv.policies.push({
        kind: "gcp.custom-constraint",
        externalId: cc.name,
        name: cc.name.split("/").pop()!,
        attachments: [ctx.org],
        body: cc,
        size: cc.condition.length,
      });
    }
  } catch (e) {
    inv.unreadable.push({ what: "custom constraints", reason: publicMessage(e) });
  }
  const nodes = req.nodes.filter((n) => /^(organizations|folders|projects)\//.test(n.externalId)).map((n) => n.externalId);
  await mapLimit(nodes, ctx.concurrency, async (node) => {
    try {
      for (const p of (await listOrgPolicies(ctx, node)).values()) {
        const constraint = constraintOf(p.policy.name);
        const body = {
          constraint,
          ...(p.policy.spec ? { spec: p.policy.spec } : {}),
          ...(p.policy.dryRunSpec ? { dryRunSpec: p.policy.dryRunSpec } : {}),
        };
        inv.policies.push({
          kind: "gcp.org-policy",
          externalId: p.policy.name,
          name: `${constraint} @ ${node}`,
          attachments: [node],
          body,
          size: JSON.stringify(body).length,
        });
      }
    } catch (e) {
      inv.unreadable.push({ what: `org policies at ${node}`, reason: publicMessage(e) });
    }
    try {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const [page, , raw] = await ctx.call("iam.ListPolicies", false, () =>
          ctx.c.denyPolicies.listPolicies(
            { parent: ctx.denyParent(node), pageSize: ctx.pageSize, ...(token ? { pageToken: token } : {}) },
            ONE_PAGE,
          ),
        );
        for (const p of page) if (p.name) names.push(p.name);
        token = raw?.nextPageToken || undefined;
      } while (token);
      for (const name of names) {
        const d = await getDenyPolicy(ctx, name);
        if (!d || d.owned) continue;
        inv.policies.push({
          kind: "gcp.deny-policy",
          externalId: d.policy.name,
          name: d.policy.displayName || d.policy.name.split("/").pop()!,
          attachments: [node],
          body: { rules: d.policy.rules },
          size: JSON.stringify(d.policy.rules).length,
        });
      }
    } catch (e) {
      inv.unreadable.push({ what: `deny policies at ${node}`, reason: publicMessage(e) });
    }
  });
  inv.policies.sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  return inv;
}
