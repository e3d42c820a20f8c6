/**
 * What the least-privilege bootstrap grants Parapet's connector service account on the organization,
 * as IAM permissions (verify() probes exactly these with organizations.testIamPermissions) and as the
 * predefined roles that cover them. A custom role with `includedPermissions` = the permission list is
 * the tightest grant; the roles are the simpler alternative.
 */
export interface GcpPermission {
  permission: string;
  /** What Parapet does with it, shown by the wizard. */
  why: string;
  /** The smallest predefined role that carries it. */
  role: string;
  /** Needed for reads only (a read-only connection still discovers and observes). */
  readOnly: boolean;
}

export const minimumPermissions: readonly GcpPermission[] = [
  {
    permission: "resourcemanager.organizations.get",
    why: "read the organization (the connection's root)",
    role: "roles/resourcemanager.organizationViewer",
    readOnly: true,
  },
  { permission: "resourcemanager.folders.get", why: "discover folders", role: "roles/resourcemanager.folderViewer", readOnly: true },
  { permission: "resourcemanager.folders.list", why: "discover folders", role: "roles/resourcemanager.folderViewer", readOnly: true },
  { permission: "resourcemanager.projects.get", why: "discover projects and their labels", role: "roles/browser", readOnly: true },
  { permission: "resourcemanager.projects.list", why: "discover projects", role: "roles/browser", readOnly: true },
  {
    permission: "orgpolicy.policy.get",
    why: "read the org policies Parapet manages",
    role: "roles/orgpolicy.policyViewer",
    readOnly: true,
  },
  {
    permission: "orgpolicy.policies.list",
    why: "read the org policies Parapet manages",
    role: "roles/orgpolicy.policyViewer",
    readOnly: true,
  },
  { permission: "orgpolicy.policies.create", why: "set guardrail org policies", role: "roles/orgpolicy.policyAdmin", readOnly: false },
  {
    permission: "orgpolicy.policies.update",
    why: "merge guardrail rules into org policies and repair drift",
    role: "roles/orgpolicy.policyAdmin",
    readOnly: false,
  },
  {
    permission: "orgpolicy.policies.delete",
    why: "remove org policies on Parapet's own custom constraints",
    role: "roles/orgpolicy.policyAdmin",
    readOnly: false,
  },
  {
    permission: "orgpolicy.customConstraints.get",
    why: "read Parapet's custom constraints",
    role: "roles/orgpolicy.policyViewer",
    readOnly: true,
  },
  {
    permission: "orgpolicy.customConstraints.list",
    why: "read Parapet's custom constraints",
    role: "roles/orgpolicy.policyViewer",
    readOnly: true,
  },
  {
    permission: "orgpolicy.customConstraints.create",
    why: "define guardrail custom constraints",
    role: "roles/orgpolicy.policyAdmin",
    readOnly: false,
  },
  {
    permission: "orgpolicy.customConstraints.update",
    why: "repair Parapet's custom constraints",
    role: "roles/orgpolicy.policyAdmin",
    readOnly: false,
  },
  {
    permission: "orgpolicy.customConstraints.delete",
    why: "remove Parapet's custom constraints",
    role: "roles/orgpolicy.policyAdmin",
    readOnly: false,
  },
  { permission: "iam.denypolicies.get", why: "read Parapet's IAM deny policies", role: "roles/iam.denyReviewer", readOnly: true },
  {
    permission: "iam.denypolicies.list",
    why: "count deny-policy slots per node (5 per resource)",
    role: "roles/iam.denyReviewer",
    readOnly: true,
  },
  { permission: "iam.denypolicies.create", why: "attach guardrail IAM deny policies", role: "roles/iam.denyAdmin", readOnly: false },
  { permission: "iam.denypolicies.update", why: "repair Parapet's IAM deny policies", role: "roles/iam.denyAdmin", readOnly: false },
  { permission: "iam.denypolicies.delete", why: "remove Parapet's IAM deny policies", role: "roles/iam.denyAdmin", readOnly: false },
  // Impact replay reads Cloud Audit Logs with entries.list. Admin Activity logs need
  // logging.logEntries.list; Data Access logs are private logs and need logging.privateLogEntries.list,
  // which only roles/logging.privateLogViewer carries among the viewer roles ("Access control with IAM",
  // https://cloud.google.com/logging/docs/access-control).
  {
    permission: "logging.logEntries.list",
    why: "read Admin Activity audit logs to show what a guardrail would have denied",
    role: "roles/logging.viewer",
    readOnly: true,
  },
  {
    permission: "logging.privateLogEntries.list",
    why: "read Data Access audit logs to show what a guardrail would have denied",
    role: "roles/logging.privateLogViewer",
    readOnly: true,
  },
];

/** The distinct predefined roles covering `minimumPermissions` (or only its reads). */
export function gcpBootstrapRoles(readOnly = false): string[] {
  return [...new Set(minimumPermissions.filter((p) => !readOnly || p.readOnly).map((p) => p.role))].sort();
}
