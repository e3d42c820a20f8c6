/**
 * Which Org Policy constraints take a dry-run policy (`dryRunSpec`). Google's documentation: "The only
 * organization policy constraints available to be used in dry-run organization policies are: [a list of
 * managed constraints] … Attempting to create an organization policy in dry-run mode using any other
 * constraint results in an error." Custom constraints take dry run too, and ListConstraints reports it
 * per constraint as `supportsDryRun` (google/cloud/orgpolicy/v2/constraint.proto, `supports_dry_run`).
 * Sources: https://cloud.google.com/resource-manager/docs/organization-policy/dry-run-policy#limitations,
 * https://cloud.google.com/resource-manager/docs/organization-policy/creating-managing-custom-constraints,
 * terraform-google-modules/terraform-google-org-policy#134 ("only 3 constraints support dry run", 2024).
 *
 * The documented list is rendered in the browser and was not readable from here, so Parapet takes the
 * safe reading: custom constraints (`custom.…`) and managed constraints (`….managed.…`) support dry run,
 * legacy list/boolean constraints (`gcp.resourceLocations`, `iam.allowedPolicyMemberDomains`, …) do not.
 * If a legacy one does after all, the cost is only that its audit mode compiles without attaching (as
 * AWS and OCI audit modes do), never a write the API refuses.
 */
export function gcpConstraintSupportsDryRun(constraint: string): boolean {
  const id = constraint.replace(/^constraints\//, "");
  return id.startsWith("custom.") || id.includes(".managed.");
}
