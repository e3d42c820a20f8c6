import { shortHash, workspaceShort } from "../aws/markers.ts";

/**
 * GCP ownership markers. Deny policies carry the label `parapet-managed=<workspace>` and an id that
 * starts with `parapet-`; custom constraints (which have no labels) carry the prefix
 * `custom.parapet<ws-short>` and the owner in their description; org policies are per-constraint
 * singletons shared with the customer, so ownership there is per rule, from Parapet's record of the
 * rules it applied (see withoutOurRules), and the policy itself is deleted only when nothing but
 * Parapet's rules is in it.
 */
export const GCP_OWNER_LABEL_KEY = "parapet-managed";
const GCP_NAME_PREFIX = "parapet-";

/** GCP label values: lowercase letters, digits, `-`, `_`, ≤63 chars. */
function gcpLabelValue(workspaceId: string): string {
  return workspaceId
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .slice(0, 63);
}

export function gcpOwnerLabels(workspaceId: string): Record<string, string> {
  return { [GCP_OWNER_LABEL_KEY]: gcpLabelValue(workspaceId) };
}

export function isOwnedByWorkspaceGcp(
  artifact: { name: string; labels?: Record<string, string> | null | undefined },
  workspaceId: string,
): boolean {
  const id = artifact.name.split("/").pop() ?? "";
  return id.startsWith(GCP_NAME_PREFIX) && artifact.labels?.[GCP_OWNER_LABEL_KEY] === gcpLabelValue(workspaceId);
}

/** Deny policy ids: lowercase, ≤63 chars. */
export function gcpDenyPolicyId(workspaceId: string, contentKey: string): string {
  return `${GCP_NAME_PREFIX}${workspaceShort(workspaceId)}-${shortHash(contentKey)}`;
}

/** Custom constraint names allow letters and digits only after `custom.` (≤70 chars). */
export function gcpCustomConstraintId(workspaceId: string, slug: string): string {
  const s = slug.replace(/[^A-Za-z0-9]/g, "");
  return `custom.parapet${workspaceShort(workspaceId)}${s}`.slice(0, 70);
}

export function isOwnedCustomConstraint(name: string, workspaceId: string): boolean {
  const id = name.split("/").pop() ?? "";
  return id.startsWith(`custom.parapet${workspaceShort(workspaceId)}`);
}
