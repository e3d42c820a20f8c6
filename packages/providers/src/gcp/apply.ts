import { ProviderError } from "../contract/errors.ts";
import type { ApplyResult, ArtifactKind, Change } from "../contract/types.ts";
import { CUSTOM, DENY, invalidChange, ORG_POLICY, type GcpContext } from "./context.ts";
import { deleteCustomConstraint, getCustomConstraint, putCustomConstraint } from "./custom-constraints.ts";
import { deleteDenyPolicy, getDenyPolicy, putDenyPolicy } from "./deny-policies.ts";
import { deleteOrgPolicy, getOrgPolicy, putOrgPolicy } from "./org-policies.ts";
import { canonicalDenyPolicyName, nodeOfDenyPolicy, nodeOfPolicy } from "./policy.ts";

/** Routes a change to its artifact family; attach and detach can only name the place an artifact lives. */
export async function applyGcp(ctx: GcpContext, change: Change): Promise<ApplyResult> {
  switch (change.op) {
    case "create":
    case "update": {
      const a = change.artifact;
      if (a.kind === ORG_POLICY) return putOrgPolicy(ctx, a, change.op, change.op === "update" ? change.previous : undefined);
      if (a.kind === CUSTOM) return putCustomConstraint(ctx, a, change.op);
      if (a.kind === DENY) return putDenyPolicy(ctx, a, change.op);
      throw invalidChange(`gcp.${change.op}`, `the GCP adapter does not manage ${a.kind}`, "UNSUPPORTED_KIND");
    }
    case "delete":
      return remove(ctx, change.kind, change.name, change.previous);
    case "attach":
      return attach(ctx, change.kind, change.name, change.target);
    case "detach":
      return detach(ctx, change.kind, change.name, change.target, change.previous);
  }
}

/** Each GCP artifact lives at one place (its name says where); attach/detach can only name that place. */
function placeOf(kind: ArtifactKind, name: string): string {
  if (kind === ORG_POLICY) return nodeOfPolicy(name);
  if (kind === DENY) return nodeOfDenyPolicy(name);
  if (kind === CUSTOM) return name.split("/customConstraints/")[0] ?? "";
  return "";
}

async function attach(ctx: GcpContext, kind: ArtifactKind, name: string, target: string): Promise<ApplyResult> {
  const op = `gcp.attach`;
  if (placeOf(kind, name) !== target) {
    throw invalidChange(
      op,
      `${kind} ${name} is defined at ${placeOf(kind, name) || "an unknown place"} and cannot be attached to ${target}; GCP attaches it by where it is created`,
      "FIXED_ATTACHMENT",
    );
  }
  const exists =
    kind === ORG_POLICY
      ? await getOrgPolicy(ctx, name)
      : kind === DENY
        ? await getDenyPolicy(ctx, canonicalDenyPolicyName(name))
        : await getCustomConstraint(ctx, name);
  if (!exists)
    throw new ProviderError(
      "not_found",
      `${kind} ${name} does not exist, so it is not in force at ${target}; create it first`,
      false,
      op,
      "NOT_FOUND",
    );
  return { externalId: kind === DENY ? canonicalDenyPolicyName(name) : name, noop: true };
}

async function detach(ctx: GcpContext, kind: ArtifactKind, name: string, target: string, previous: unknown): Promise<ApplyResult> {
  // A custom constraint is a definition, not an attachment: the policies that use it are separate artifacts.
  if (kind === CUSTOM || placeOf(kind, name) !== target) return { noop: true };
  return remove(ctx, kind, name, previous);
}

async function remove(ctx: GcpContext, kind: ArtifactKind, name: string, previous?: unknown): Promise<ApplyResult> {
  if (kind === ORG_POLICY) return deleteOrgPolicy(ctx, name, previous);
  if (kind === CUSTOM) return deleteCustomConstraint(ctx, name);
  if (kind === DENY) return deleteDenyPolicy(ctx, canonicalDenyPolicyName(name));
  throw invalidChange("gcp.delete", `the GCP adapter does not manage ${kind}`, "UNSUPPORTED_KIND");
}
