import { retryOnly } from "../contract/retry.ts";
import type { ApplyResult, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import {
  CONFLICT,
  DENY,
  invalidChange,
  isMissing,
  NO_RETRY,
  notOwned,
  ONE_PAGE,
  type GcpContext,
  type LroLike,
  type RawDeny,
} from "./context.ts";
import { isOwnedByWorkspaceGcp } from "./markers.ts";
import { compareDenyPolicy } from "./compare.ts";
import { canonicalDenyPolicyName, denyPolicyAnnotations, nodeOfDenyPolicy, normaliseDenyPolicy } from "./policy.ts";
import type { TGcpDenyPolicy } from "./types.ts";

/** IAM v2 deny policies: owned by id prefix and annotation; writes are long-running operations. */

function toDenyRaw(ctx: GcpContext, p: unknown): RawDeny {
  const policy = normaliseDenyPolicy(p);
  policy.name = canonicalDenyPolicyName(policy.name);
  const etag = (p as { etag?: unknown }).etag;
  return {
    policy,
    etag: typeof etag === "string" ? etag : "",
    owned: isOwnedByWorkspaceGcp({ name: policy.name, labels: policy.labels }, ctx.cfg.workspaceId),
  };
}

export async function getDenyPolicy(ctx: GcpContext, name: string): Promise<RawDeny | undefined> {
  try {
    const [p] = await ctx.call("iam.GetPolicy", false, () => ctx.c.denyPolicies.getPolicy({ name }, NO_RETRY));
    return toDenyRaw(ctx, p);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** Deny policies at one attachment point (ListPolicies returns metadata: name and annotations). */
export async function countForeignDenyPolicies(ctx: GcpContext, node: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const [page, , raw] = await ctx.call("iam.ListPolicies", false, () =>
      ctx.c.denyPolicies.listPolicies(
        { parent: ctx.denyParent(node), pageSize: ctx.pageSize, ...(token ? { pageToken: token } : {}) },
        ONE_PAGE,
      ),
    );
    for (const p of page) if (!toDenyRaw(ctx, p).owned) n++;
    token = raw?.nextPageToken || undefined;
  } while (token);
  return n;
}
export function denyArtifact(p: RawDeny): ObservedArtifact {
  return {
    kind: DENY,
    name: p.policy.name,
    externalId: p.policy.name,
    body: p.policy,
    attachments: [nodeOfDenyPolicy(p.policy.name)],
    owned: p.owned,
    etag: p.etag,
  };
}
function denyWire(p: TGcpDenyPolicy) {
  return { displayName: p.displayName, annotations: denyPolicyAnnotations(p), rules: p.rules };
}

export async function putDenyPolicy(ctx: GcpContext, a: DesiredArtifact, op: "create" | "update"): Promise<ApplyResult> {
  const operation = `gcp.${op} ${DENY}`;
  const d = normaliseDenyPolicy(a.body);
  const name = canonicalDenyPolicyName(a.name);
  d.name = canonicalDenyPolicyName(d.name);
  const node = nodeOfDenyPolicy(name);
  if (!node)
    throw invalidChange(operation, `"${a.name}" is not a deny policy name (policies/{attachment point}/denypolicies/{id})`, "BAD_NAME");
  return retryOnly(CONFLICT, ctx.retry, async () => {
    const cur = await getDenyPolicy(ctx, name);
    // Ownership first, from the cloud: a foreign policy is refused whatever the request carries.
    if (cur && !cur.owned) throw notOwned(operation, `deny policy ${name}`);
    if (d.name !== name)
      throw invalidChange(
        operation,
        `deny policy body name "${d.name}" does not match the artifact name "${a.name}"`,
        "BODY_NAME_MISMATCH",
      );
    if (a.attachments.some((t) => t !== node)) {
      throw invalidChange(
        operation,
        `deny policy ${a.name} is attached at ${node} only; it cannot target ${a.attachments.join(", ")}`,
        "FIXED_ATTACHMENT",
      );
    }
    if (!cur) {
      if (!isOwnedByWorkspaceGcp({ name: d.name, labels: d.labels }, ctx.cfg.workspaceId)) {
        throw invalidChange(
          operation,
          `deny policy ${name} must carry Parapet's id prefix and owner label before Parapet creates it`,
          "MISSING_MARKER",
        );
      }
      const id = name.split("/").pop() ?? "";
      const [lro] = await ctx.call("iam.CreatePolicy", true, () =>
        ctx.c.denyPolicies.createPolicy({ parent: ctx.denyParent(node), policyId: id, policy: denyWire(d) }, NO_RETRY),
      );
      await ctx.waitOperation("iam.CreatePolicy", lro as unknown as LroLike);
      return { externalId: name };
    }
    if (compareDenyPolicy(d, cur.policy).equal) return { externalId: name, noop: true };
    const [lro] = await ctx.call("iam.UpdatePolicy", true, () =>
      ctx.c.denyPolicies.updatePolicy({ policy: { name, etag: cur.etag, ...denyWire(d) } }, NO_RETRY),
    );
    await ctx.waitOperation("iam.UpdatePolicy", lro as unknown as LroLike);
    return { externalId: name };
  });
}

export async function deleteDenyPolicy(ctx: GcpContext, name: string): Promise<ApplyResult> {
  const operation = `gcp.delete ${DENY}`;
  return retryOnly(CONFLICT, ctx.retry, async () => {
    const cur = await getDenyPolicy(ctx, name);
    if (!cur) return { noop: true };
    if (!cur.owned) throw notOwned(operation, `deny policy ${name}`);
    try {
      const [lro] = await ctx.call("iam.DeletePolicy", true, () => ctx.c.denyPolicies.deletePolicy({ name, etag: cur.etag }, NO_RETRY));
      await ctx.waitOperation("iam.DeletePolicy", lro as unknown as LroLike);
    } catch (e) {
      if (isMissing(e)) return { noop: true };
      throw e;
    }
    return { externalId: name };
  });
}
