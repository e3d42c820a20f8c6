import { canonicalJson } from "../contract/canonical.ts";
import { ProviderError } from "../contract/errors.ts";
import { retryOnly } from "../contract/retry.ts";
import type { ApplyResult, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import {
  CONFLICT,
  invalidChange,
  isMissing,
  NO_RETRY,
  notOwned,
  ONE_PAGE,
  ORG_POLICY,
  type GcpContext,
  type RawOrgPolicy,
} from "./context.ts";
import { constraintOf, isEmptyOrgPolicy, mergeOrgPolicy, nodeOfPolicy, normaliseOrgPolicy, withoutOurRules } from "./policy.ts";
import type { TGcpOrgPolicy } from "./types.ts";

/**
 * Org policies (Org Policy v2): reads, and writes that merge Parapet's rules into a slot shared with
 * the customer (see adapter.ts for the ownership model).
 */

function toOrgRaw(p: unknown): RawOrgPolicy {
  const raw = p as { spec?: { etag?: unknown } | null; dryRunSpec?: { etag?: unknown } | null };
  const out: RawOrgPolicy = { policy: normaliseOrgPolicy(p) };
  if (typeof raw.spec?.etag === "string" && raw.spec.etag) out.specEtag = raw.spec.etag;
  if (typeof raw.dryRunSpec?.etag === "string" && raw.dryRunSpec.etag) out.dryRunEtag = raw.dryRunSpec.etag;
  return out;
}

export async function getOrgPolicy(ctx: GcpContext, name: string): Promise<RawOrgPolicy | undefined> {
  try {
    const [p] = await ctx.call("orgpolicy.GetPolicy", false, () => ctx.c.orgPolicy.getPolicy({ name }, NO_RETRY));
    return toOrgRaw(p);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

export async function listOrgPolicies(ctx: GcpContext, node: string): Promise<Map<string, RawOrgPolicy>> {
  const out = new Map<string, RawOrgPolicy>();
  let token: string | undefined;
  do {
    const [page, , raw] = await ctx.call("orgpolicy.ListPolicies", false, () =>
      ctx.c.orgPolicy.listPolicies({ parent: node, pageSize: ctx.pageSize, ...(token ? { pageToken: token } : {}) }, ONE_PAGE),
    );
    for (const p of page) {
      const r = toOrgRaw(p);
      out.set(r.policy.name, r);
    }
    token = raw?.nextPageToken || undefined;
  } while (token);
  return out;
}
export function orgArtifact(p: RawOrgPolicy): ObservedArtifact {
  // Org policies carry no owner field; the slot is managed per rule (see the file comment).
  const etag = p.specEtag ?? p.dryRunEtag;
  return {
    kind: ORG_POLICY,
    name: p.policy.name,
    externalId: p.policy.name,
    body: p.policy,
    attachments: [nodeOfPolicy(p.policy.name)],
    owned: true,
    ...(etag ? { etag } : {}),
  };
}
/** Wire body; with `cur`, each spec carries the etag it was read with so a concurrent change is refused. */
function orgWire(p: TGcpOrgPolicy, cur?: RawOrgPolicy) {
  const spec = p.spec ? { ...p.spec, ...(cur?.specEtag ? { etag: cur.specEtag } : {}) } : undefined;
  const dry = p.dryRunSpec ? { ...p.dryRunSpec, ...(cur?.dryRunEtag ? { etag: cur.dryRunEtag } : {}) } : undefined;
  return { name: p.name, ...(spec ? { spec } : {}), ...(dry ? { dryRunSpec: dry } : {}) };
}

/**
 * Writes Parapet's rules. On a shared slot they are merged into the customer's part, which is what
 * the cloud holds minus the rules Parapet applied last (`previous`, Parapet's record): so a rule
 * Parapet no longer wants there goes (an enforce→audit switch moves it from spec to dryRunSpec),
 * and the customer's stay. The write replaces the whole policy (no update mask), so a spec that is
 * no longer anyone's disappears. Without a record (first write) the whole current policy is the
 * customer's.
 */
export async function putOrgPolicy(ctx: GcpContext, a: DesiredArtifact, op: "create" | "update", previous?: unknown): Promise<ApplyResult> {
  const operation = `gcp.${op} ${ORG_POLICY}`;
  const d = normaliseOrgPolicy(a.body);
  const node = nodeOfPolicy(a.name);
  if (d.name !== a.name || !node)
    throw invalidChange(operation, `org policy body name "${d.name}" does not match the artifact name "${a.name}"`, "BODY_NAME_MISMATCH");
  if (a.attachments.some((t) => t !== node)) {
    throw invalidChange(
      operation,
      `org policy ${a.name} applies at ${node} only; it cannot target ${a.attachments.join(", ")}`,
      "FIXED_ATTACHMENT",
    );
  }
  if (!d.spec && !d.dryRunSpec) throw invalidChange(operation, `org policy ${a.name} has neither spec nor dryRunSpec`, "EMPTY_POLICY");
  const constraint = constraintOf(a.name);
  if (constraint.startsWith("custom.parapet") && !ctx.isWholeOwnedConstraint(constraint)) {
    throw notOwned(operation, `the policy on ${constraint}, a custom constraint of another Parapet workspace`);
  }
  const whole = ctx.isWholeOwnedConstraint(constraint);
  return retryOnly(CONFLICT, ctx.retry, async () => {
    const cur = await getOrgPolicy(ctx, a.name);
    if (!cur) {
      await ctx.call("orgpolicy.CreatePolicy", true, () => ctx.c.orgPolicy.createPolicy({ parent: node, policy: orgWire(d) }, NO_RETRY));
      return { externalId: a.name };
    }
    let target = d;
    if (!whole) {
      const theirs = previous === undefined ? cur.policy : withoutOurRules(cur.policy, previous);
      const m = mergeOrgPolicy(isEmptyOrgPolicy(theirs) ? undefined : theirs, d);
      if (!m.ok) {
        throw new ProviderError(
          "conflict",
          `Parapet cannot apply its rules to ${a.name}: ${m.reason}. Resolve the customer's policy or exempt this node.`,
          false,
          operation,
          "CUSTOMER_POLICY_CONFLICT",
        );
      }
      target = m.policy;
    }
    const same =
      canonicalJson({ s: target.spec, d: target.dryRunSpec }) === canonicalJson({ s: cur.policy.spec, d: cur.policy.dryRunSpec });
    if (same) return { externalId: a.name, noop: true };
    await ctx.call("orgpolicy.UpdatePolicy", true, () => ctx.c.orgPolicy.updatePolicy({ policy: orgWire(target, cur) }, NO_RETRY));
    return { externalId: a.name };
  });
}

/**
 * Takes Parapet's rules out of an org policy. Wholly Parapet's (its own custom constraint): deleted.
 * Shared: the rules Parapet applied last (`previous`, its record) are removed and the customer's kept;
 * when nothing of anyone else remains the policy is deleted, as if Parapet had never written it.
 * Without a record Parapet cannot tell its rules from the customer's and refuses (NOT_OWNED).
 */
export async function deleteOrgPolicy(ctx: GcpContext, name: string, previous: unknown): Promise<ApplyResult> {
  const operation = `gcp.delete ${ORG_POLICY}`;
  const constraint = constraintOf(name);
  const whole = ctx.isWholeOwnedConstraint(constraint);
  if (!whole && constraint.startsWith("custom.parapet"))
    throw notOwned(operation, `the policy on ${constraint}, a custom constraint of another Parapet workspace`);
  return retryOnly(CONFLICT, ctx.retry, async () => {
    const cur = await getOrgPolicy(ctx, name);
    if (!cur) return { noop: true };
    if (!whole) {
      if (previous === undefined || normaliseOrgPolicy(previous).name !== name) {
        throw new ProviderError(
          "invalid",
          `Parapet does not change ${name}: ${constraint} is shared with the customer, the Org Policy API records no owner per rule, and Parapet has no record of the rules it applied there. Remove Parapet's rules from it by hand if they are no longer wanted.`,
          false,
          operation,
          "NOT_OWNED",
        );
      }
      const theirs = withoutOurRules(cur.policy, previous);
      if (!isEmptyOrgPolicy(theirs)) {
        const same =
          canonicalJson({ s: theirs.spec, d: theirs.dryRunSpec }) === canonicalJson({ s: cur.policy.spec, d: cur.policy.dryRunSpec });
        if (same) return { externalId: name, noop: true };
        // Under the etag just read: a customer edit in between aborts, and the retry re-reads and re-subtracts.
        await ctx.call("orgpolicy.UpdatePolicy", true, () => ctx.c.orgPolicy.updatePolicy({ policy: orgWire(theirs, cur) }, NO_RETRY));
        return { externalId: name };
      }
    }
    try {
      // DeletePolicyRequest has no etag in org-policy 3.0.1: a rule the customer adds between this
      // read and the delete would go with it (a window of one round trip).
      await ctx.call("orgpolicy.DeletePolicy", true, () => ctx.c.orgPolicy.deletePolicy({ name }, NO_RETRY));
    } catch (e) {
      if (isMissing(e)) return { noop: true };
      throw e;
    }
    return { externalId: name };
  });
}
