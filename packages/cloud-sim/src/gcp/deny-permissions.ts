/**
 * Permissions IAM v2 accepts in a deny rule ("Permissions supported in deny policies",
 * https://cloud.google.com/iam/docs/deny-permissions-support, stored copy read 2026-12-06).
 *
 * Google answers 400 INVALID_ARGUMENT for any other permission, however well-formed: deny policies
 * support only some permissions, listed per service, each also accepted with the `resource.*` and
 * `*.*` wildcards the page lists for the service (e.g. `accessapproval.googleapis.com/requests.*`,
 * `accessapproval.googleapis.com/*.*`).
 *
 * What is vendored: the page could not be copied whole here (the stored copy is a client-rendered
 * table), so this list holds the permissions of the page's Access Approval section (read in full, as
 * the example of the page's shape) and every permission a Parapet control can compile, each as the
 * page spells it. A permission outside this list is refused, so a control that starts emitting a new
 * permission fails its simulator test until the permission is checked against the page and added here.
 */
const SUPPORTED: readonly string[] = [
  // Access Approval (the page's first section, copied whole to pin the page's shape).
  "accessapproval.googleapis.com/requests.approve",
  "accessapproval.googleapis.com/requests.dismiss",
  "accessapproval.googleapis.com/requests.get",
  "accessapproval.googleapis.com/requests.invalidate",
  "accessapproval.googleapis.com/requests.list",
  "accessapproval.googleapis.com/serviceAccounts.get",
  "accessapproval.googleapis.com/settings.delete",
  "accessapproval.googleapis.com/settings.get",
  "accessapproval.googleapis.com/settings.update",
  // BigQuery
  "bigquery.googleapis.com/datasets.delete",
  "bigquery.googleapis.com/datasets.update",
  "bigquery.googleapis.com/tables.delete",
  "bigquery.googleapis.com/tables.getData",
  "bigquery.googleapis.com/tables.update",
  "bigquery.googleapis.com/tables.updateData",
  // Cloud KMS
  "cloudkms.googleapis.com/cryptoKeyVersions.destroy",
  "cloudkms.googleapis.com/cryptoKeyVersions.useToDecrypt",
  // Resource Manager (the page's own example service: `cloudresourcemanager`, not `resourcemanager`)
  "cloudresourcemanager.googleapis.com/projects.delete",
  "cloudresourcemanager.googleapis.com/projects.setIamPolicy",
  "cloudresourcemanager.googleapis.com/tagValueBindings.create",
  "cloudresourcemanager.googleapis.com/tagValueBindings.delete",
  // Cloud SQL
  "cloudsql.googleapis.com/backupRuns.delete",
  "cloudsql.googleapis.com/instances.delete",
  "cloudsql.googleapis.com/instances.update",
  // Compute Engine
  "compute.googleapis.com/disks.delete",
  "compute.googleapis.com/firewalls.create",
  "compute.googleapis.com/firewalls.delete",
  "compute.googleapis.com/firewalls.update",
  "compute.googleapis.com/instances.create",
  "compute.googleapis.com/instances.delete",
  "compute.googleapis.com/instances.setMetadata",
  "compute.googleapis.com/snapshots.delete",
  // IAM
  "iam.googleapis.com/roles.create",
  "iam.googleapis.com/roles.delete", // the page's own example of the v2 format
  "iam.googleapis.com/roles.update",
  "iam.googleapis.com/serviceAccountKeys.create",
  "iam.googleapis.com/serviceAccounts.create",
  "iam.googleapis.com/serviceAccounts.delete",
  // Cloud Logging
  "logging.googleapis.com/buckets.delete",
  "logging.googleapis.com/buckets.update",
  "logging.googleapis.com/sinks.delete",
  "logging.googleapis.com/sinks.update",
  // Cloud Run
  "run.googleapis.com/services.delete",
  "run.googleapis.com/services.update",
  // Secret Manager
  "secretmanager.googleapis.com/secrets.delete",
  "secretmanager.googleapis.com/versions.access",
  "secretmanager.googleapis.com/versions.add",
  "secretmanager.googleapis.com/versions.destroy",
  // Cloud Storage
  "storage.googleapis.com/buckets.create",
  "storage.googleapis.com/buckets.delete",
  "storage.googleapis.com/buckets.setIamPolicy",
  "storage.googleapis.com/buckets.update",
  "storage.googleapis.com/objects.create",
  "storage.googleapis.com/objects.delete",
  "storage.googleapis.com/objects.get",
  "storage.googleapis.com/objects.update",
];

function withWildcards(list: readonly string[]): Set<string> {
  const out = new Set(list);
  for (const p of list) {
    const [service, rest] = p.split("/") as [string, string];
    out.add(`${service}/*.*`);
    out.add(`${service}/${rest.slice(0, rest.lastIndexOf("."))}.*`);
  }
  return out;
}

export const DENY_SUPPORTED_PERMISSIONS: ReadonlySet<string> = withWildcards(SUPPORTED);

export function denySupported(permission: string): boolean {
  return DENY_SUPPORTED_PERMISSIONS.has(permission);
}
