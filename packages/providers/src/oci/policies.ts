import { randomUUID } from "node:crypto";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import type { ApplyResult, Change, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { compareOci, policyBodyFromCloud, ZOciPolicyArtifact } from "./compare.ts";
import { ETAG_MISMATCH, invalid, isLive, notOwned, type OciContext, type Policy } from "./context.ts";
import { isOwnedByWorkspaceOci, OCI_NAME_PREFIX } from "./markers.ts";
import { OCI_LIMITS, type TOciIamPolicy } from "./types.ts";

/** IAM policies (Identity): reads and writes; a policy is attached to the compartment it lives in. */

export function listPolicies(ctx: OciContext, compartmentId: string, name?: string): Promise<Policy[]> {
  return ctx.pages("ListPolicies", async (page) => {
    const r = await ctx.clients.identity.listPolicies({
      compartmentId,
      limit: ctx.pageLimit,
      ...(name ? { name } : {}),
      ...(page ? { page } : {}),
    });
    return { items: r.items, next: r.opcNextPage };
  });
}

export async function getPolicy(ctx: OciContext, policyId: string): Promise<{ policy: Policy; etag: string } | undefined> {
  try {
    const r = await ctx.call("GetPolicy", false, () => ctx.clients.identity.getPolicy({ policyId }));
    return isLive(r.policy) ? { policy: r.policy, etag: r.etag } : undefined;
  } catch (e) {
    if (ctx.isNotFound(e)) return undefined;
    throw e;
  }
}

async function findPolicy(ctx: OciContext, compartmentId: string, name: string): Promise<Policy | undefined> {
  const found = (await listPolicies(ctx, compartmentId, name)).filter((p) => p.name === name && isLive(p));
  return found.find((p) => isOwnedByWorkspaceOci(p, ctx.ws)) ?? found[0];
}
export function observedPolicy(ctx: OciContext, p: Policy): ObservedArtifact {
  return {
    kind: "oci.policy",
    name: p.name,
    externalId: p.id,
    body: policyBodyFromCloud(p),
    attachments: [p.compartmentId],
    owned: isOwnedByWorkspaceOci(p, ctx.ws),
  };
}
// ---------------- IAM policies

export function policyBody(a: DesiredArtifact, operation: string): TOciIamPolicy {
  const r = ZOciPolicyArtifact.safeParse(a.body);
  if (!r.success)
    throw invalid(operation, `The desired OCI policy ${a.name} is malformed: ${r.error.issues[0]?.message ?? "invalid"}.`, "INVALID_BODY");
  if (r.data.name !== a.name || !a.name.startsWith(OCI_NAME_PREFIX)) {
    throw invalid(
      operation,
      `OCI policy names must be the artifact name and start with '${OCI_NAME_PREFIX}' (got '${r.data.name}').`,
      "INVALID_BODY",
    );
  }
  if (r.data.statements.length > OCI_LIMITS.statementsPerPolicy) {
    throw new ProviderError(
      "limit",
      `OCI policy ${a.name} has ${r.data.statements.length} statements; OCI allows ${OCI_LIMITS.statementsPerPolicy} per policy.`,
      false,
      operation,
      "STATEMENTS_PER_POLICY",
    );
  }
  const target = a.attachments[0];
  if (target && target !== r.data.compartmentId) {
    throw invalid(
      operation,
      `An OCI policy is attached to the compartment it lives in; ${a.name} names ${r.data.compartmentId} but is to attach to ${target}.`,
      "INVALID_BODY",
    );
  }
  return r.data;
}

export async function createPolicy(ctx: OciContext, a: DesiredArtifact): Promise<ApplyResult> {
  const body = policyBody(a, "CreatePolicy");
  // One token per apply: a retried request whose first answer got lost replays instead of failing.
  const opcRetryToken = randomUUID();
  try {
    const r = await ctx.call("CreatePolicy", true, () =>
      ctx.clients.identity.createPolicy({
        createPolicyDetails: {
          compartmentId: body.compartmentId,
          name: body.name,
          description: body.description,
          statements: body.statements,
          freeformTags: ctx.ownerTags(undefined, body.freeformTags),
        },
        opcRetryToken,
      }),
    );
    return { externalId: r.policy.id };
  } catch (e) {
    if (!(isProviderError(e) && e.kind === "conflict" && e.code === "PolicyAlreadyExists")) throw e;
    // Created earlier by a run that crashed before recording it, or by a human with our name: adopt
    // only what carries this workspace's marker.
    const existing = await findPolicy(ctx, body.compartmentId, body.name);
    if (!existing) {
      throw new ProviderError(
        "conflict",
        `A policy named ${body.name} already exists elsewhere in the tenancy.`,
        false,
        "CreatePolicy",
        "PolicyAlreadyExists",
        e,
      );
    }
    if (!isOwnedByWorkspaceOci(existing, ctx.ws)) throw notOwned("CreatePolicy", `the existing policy ${existing.name} (${existing.id})`);
    await updatePolicy(ctx, existing.id, () => body, "CreatePolicy");
    return { externalId: existing.id };
  }
}

/** `bodyOf` runs only once ownership is proven, so a foreign object is refused as NOT_OWNED whatever the request says. */
export async function updatePolicy(
  ctx: OciContext,
  policyId: string,
  bodyOf: () => TOciIamPolicy,
  operation: string,
): Promise<ApplyResult> {
  return ctx.withFreshEtag(async () => {
    const cur = await getPolicy(ctx, policyId);
    if (!cur) {
      throw new ProviderError(
        "not_found",
        `OCI policy ${policyId} no longer exists; it must be created again.`,
        false,
        operation,
        "NotAuthorizedOrNotFound",
      );
    }
    const p = cur.policy;
    if (!isOwnedByWorkspaceOci(p, ctx.ws)) throw notOwned(operation, `policy ${p.name} (${p.id})`);
    const body = bodyOf();
    if (p.compartmentId !== body.compartmentId) {
      throw invalid(
        operation,
        `OCI policy ${p.name} lives in compartment ${p.compartmentId}; policies cannot move to ${body.compartmentId}.`,
        "POLICY_COMPARTMENT_FIXED",
      );
    }
    const desired: DesiredArtifact = { kind: "oci.policy", name: body.name, body, attachments: [body.compartmentId], guardrailIds: [] };
    const now = observedPolicy(ctx, p);
    if (compareOci(desired, now, ctx.ws).equal) return { externalId: p.id, noop: true };
    await ctx.call(
      "UpdatePolicy",
      true,
      () =>
        ctx.clients.identity.updatePolicy({
          policyId: p.id,
          ifMatch: cur.etag,
          updatePolicyDetails: {
            description: body.description,
            statements: body.statements,
            freeformTags: ctx.ownerTags(p.freeformTags, body.freeformTags),
          },
        }),
      (err) => err.code === ETAG_MISMATCH,
    );
    return { externalId: p.id };
  });
}

async function resolvePolicy(
  ctx: OciContext,
  change: { externalId: string; name: string; target: string },
): Promise<{ policy: Policy; etag?: string } | undefined> {
  if (change.externalId) return getPolicy(ctx, change.externalId);
  const p = await findPolicy(ctx, change.target, change.name);
  return p ? { policy: p } : undefined;
}

export async function attachDetachPolicy(ctx: OciContext, change: Extract<Change, { op: "attach" | "detach" }>): Promise<ApplyResult> {
  const operation = change.op === "attach" ? "AttachPolicy" : "DetachPolicy";
  const got = await resolvePolicy(ctx, change);
  if (!got) {
    if (change.op === "detach") return { noop: true };
    throw new ProviderError(
      "not_found",
      `OCI policy ${change.name} does not exist in ${change.target}; create it first.`,
      false,
      operation,
      "NotAuthorizedOrNotFound",
    );
  }
  const p = got.policy;
  if (!isOwnedByWorkspaceOci(p, ctx.ws)) throw notOwned(operation, `policy ${p.name} (${p.id})`);
  if (change.op === "attach") {
    if (p.compartmentId === change.target) return { externalId: p.id, noop: true };
    throw invalid(
      operation,
      `OCI policy ${p.name} lives in compartment ${p.compartmentId} and cannot be attached to ${change.target}.`,
      "POLICY_COMPARTMENT_FIXED",
    );
  }
  // An OCI policy is attached to the compartment it lives in; it is removed by the delete the
  // planner always pairs with this detach, so there is nothing to do on its own.
  return { externalId: p.id, noop: true };
}

export async function deletePolicy(ctx: OciContext, policyId: string): Promise<ApplyResult> {
  if (!policyId) throw invalid("DeletePolicy", "Deleting an OCI policy needs its OCID.", "INVALID_CHANGE");
  return ctx.withFreshEtag(async () => {
    const cur = await getPolicy(ctx, policyId);
    if (!cur) return { noop: true };
    if (!isOwnedByWorkspaceOci(cur.policy, ctx.ws)) throw notOwned("DeletePolicy", `policy ${cur.policy.name} (${cur.policy.id})`);
    try {
      await ctx.call(
        "DeletePolicy",
        true,
        () => ctx.clients.identity.deletePolicy({ policyId, ifMatch: cur.etag }),
        (e) => e.code === ETAG_MISMATCH,
      );
    } catch (e) {
      if (ctx.isNotFound(e)) return { noop: true };
      throw e;
    }
    return { externalId: policyId };
  });
}
