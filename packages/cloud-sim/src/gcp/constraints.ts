/**
 * Built-in (managed, legacy list/boolean) Org Policy constraints the simulator knows.
 *
 * `supportsDryRun`: Google allows dry-run policies only on a short list of managed constraints (and on
 * custom constraints): "Attempting to create an organization policy in dry-run mode using any other
 * constraint results in an error" — https://cloud.google.com/resource-manager/docs/organization-policy/dry-run-policy#limitations;
 * terraform-google-modules/terraform-google-org-policy#134 (2024: "only 3 constraints support dry run").
 * The legacy list and boolean constraints below are not on it, so ListConstraints reports false for them.
 * Parapet never writes a dryRunSpec on them (providers gcp/dry-run.ts), and the Org Policy API here
 * refuses one with INVALID_ARGUMENT (orgpolicy-validate.ts refuseDryRun), as GCP does.
 */
export interface BuiltinConstraint {
  /** Short name without prefix, e.g. `gcp.resourceLocations`. */
  id: string;
  displayName: string;
  description: string;
  kind: "list" | "boolean";
  /** Behaviour without any policy: ALLOW = list allows all / boolean not enforced. */
  constraintDefault: "ALLOW" | "DENY";
  supportsIn?: boolean;
  supportsUnder?: boolean;
  supportsDryRun: boolean;
}

const list = (
  id: string,
  displayName: string,
  description: string,
  opts: { supportsIn?: boolean; supportsUnder?: boolean } = {},
): BuiltinConstraint => ({
  id,
  displayName,
  description,
  kind: "list",
  constraintDefault: "ALLOW",
  supportsIn: opts.supportsIn ?? false,
  supportsUnder: opts.supportsUnder ?? false,
  supportsDryRun: false,
});

const bool = (id: string, displayName: string, description: string): BuiltinConstraint => ({
  id,
  displayName,
  description,
  kind: "boolean",
  constraintDefault: "ALLOW",
  supportsDryRun: false,
});

export const BUILTIN_CONSTRAINTS: readonly BuiltinConstraint[] = [
  list(
    "gcp.resourceLocations",
    "Google Cloud Platform - Resource Location Restriction",
    "Defines the set of locations where location-based Google Cloud resources can be created.",
    { supportsIn: true },
  ),
  list(
    "gcp.restrictServiceUsage",
    "Restrict allowed Google Cloud APIs and services",
    "Defines the set of Google Cloud services that can be used.",
  ),
  list(
    "gcp.restrictNonCmekServices",
    "Restrict which services may create resources without CMEK",
    "Defines which services require Customer-Managed Encryption Keys.",
  ),
  list(
    "gcp.restrictCmekCryptoKeyProjects",
    "Restrict which projects may supply KMS CryptoKeys for CMEK",
    "Defines which projects can be used to supply Customer-Managed Encryption Keys.",
    { supportsUnder: true },
  ),
  // Project moves: where a resource may be exported to / imported from (values `under:organizations/…`).
  list(
    "resourcemanager.allowedExportDestinations",
    "Allowed destinations for exporting resources",
    "Defines the set of external organizations and folders to which resources can be moved; moves anywhere else are denied.",
    { supportsUnder: true },
  ),
  list(
    "resourcemanager.allowedImportSources",
    "Allowed sources for importing resources",
    "Defines the set of organizations and folders from which resources can be moved into this one.",
    { supportsUnder: true },
  ),
  list(
    "iam.allowedPolicyMemberDomains",
    "Domain restricted sharing",
    "Defines the set of identities, by Cloud Identity customer id, that can be added to IAM policies.",
  ),
  list(
    "compute.vmExternalIpAccess",
    "Define allowed external IPs for VM instances",
    "Defines the set of Compute Engine VM instances that are allowed to use external IP addresses.",
  ),
  list(
    "compute.restrictVpcPeering",
    "Restrict VPC peering usage",
    "Defines the set of VPC networks that are allowed to be peered with the VPC networks belonging to this resource.",
    { supportsUnder: true },
  ),
  list(
    "essentialcontacts.allowedContactDomains",
    "Domain restricted contacts",
    "Defines the set of domains that email addresses added to Essential Contacts can have.",
  ),
  bool(
    "storage.publicAccessPrevention",
    "Enforce Public Access Prevention",
    "Secure your Cloud Storage data from public exposure by enforcing public access prevention.",
  ),
  bool(
    "storage.uniformBucketLevelAccess",
    "Enforce uniform bucket-level access",
    "Requires buckets to use uniform IAM-based bucket-level access.",
  ),
  bool(
    "iam.disableServiceAccountKeyCreation",
    "Disable service account key creation",
    "When enforced, disables the creation of service account external keys.",
  ),
  bool(
    "iam.disableServiceAccountKeyUpload",
    "Disable Service Account Key Upload",
    "When enforced, disables the upload of public keys to service accounts.",
  ),
  bool(
    "iam.automaticIamGrantsForDefaultServiceAccounts",
    "Disable Automatic IAM Grants for Default Service Accounts",
    "When enforced, default service accounts are not granted the Editor role on creation.",
  ),
  bool(
    "sql.restrictPublicIp",
    "Restrict Public IP access on Cloud SQL instances",
    "When enforced, restricts configuring Public IP on Cloud SQL instances.",
  ),
  bool("compute.requireOsLogin", "Require OS Login", "When enforced, enables OS Login on all newly created projects."),
  bool(
    "compute.disableSerialPortAccess",
    "Disable VM serial port access",
    "When enforced, serial port access to Compute Engine VMs is disabled.",
  ),
  bool(
    "compute.skipDefaultNetworkCreation",
    "Skip default network creation",
    "When enforced, new projects are created without a default network.",
  ),
  // A managed constraint (the newer kind, which takes dry-run policies): the managed counterpart of
  // compute.requireOsLogin — https://cloud.google.com/compute/docs/oslogin/manage-oslogin-in-an-org
  {
    ...bool("compute.managed.requireOsLogin", "Require OS Login (managed)", "When enforced, OS Login is required on new VM instances."),
    supportsDryRun: true,
  },
];

export const BUILTIN_BY_ID: ReadonlyMap<string, BuiltinConstraint> = new Map(BUILTIN_CONSTRAINTS.map((c) => [c.id, c]));
