import { Region } from "oci-common";

/**
 * Native OCI types: IAM policies (statement strings attached to a compartment or the tenancy) and
 * Cloud Guard security zones with their recipes.
 */

export interface TOciIamPolicy {
  /** Unique in the tenancy; `parapet-<ws-short>-<hash>`. */
  name: string;
  description: string;
  /** OCID of the compartment (or tenancy) the policy is attached to. */
  compartmentId: string;
  /** `Allow|Deny <subject> to <verb> <resource-type> in <location> [where <conditions>]`. Limit 50 per policy. */
  statements: string[];
  freeformTags: Record<string, string>;
}

export const OCI_LIMITS = {
  statementsPerPolicy: 50,
  policiesPerTenancy: 100,
  policyNameChars: 100,
} as const;

/**
 * OCI Audit and authorization reference data: which permission an API operation checks, with the
 * resource type, families and verb OCI evaluates policies against (used by the audit parser and by
 * core's impact evaluator).
 */
export type TOciVerb = "inspect" | "read" | "use" | "manage";

/** What OCI checks for one API operation: the permission, its resource type and families, its verb. */
export interface TOciOperation {
  permission: string;
  /** The individual resource type, then the aggregate families that contain it. */
  resourceTypes: string[];
  /** The lowest verb that includes the permission (deny on a verb covers it and every higher verb). */
  verb: TOciVerb;
  /** A create or update that can set defined tags (and so uses a tag namespace). */
  setsTags?: boolean;
  /** Where OCI documents it, as `title — URL`. */
  source: string;
}

/** Where the Audit model and the operation → permission table come from, as `title — URL`. */
const OCI_AUDIT_SOURCES = {
  auditEvent: "OCI Audit: Contents of an Audit Log Event — https://docs.oracle.com/iaas/Content/Audit/Reference/logeventreference.htm",
  listEvents: "OCI Audit API 20190901: ListEvents — https://docs.oracle.com/iaas/api/#/en/audit/20190901/AuditEvent/ListEvents",
  objectStorage:
    "OCI IAM: Details for Object Storage (buckets/objects in object-family; BUCKET_INSPECT/READ/CREATE/UPDATE/DELETE, OBJECT_INSPECT/READ/CREATE/DELETE) — https://docs.oracle.com/iaas/Content/Identity/policyreference/objectstoragepolicyreference.htm",
  core: "OCI IAM: Details for the Core Services (volumes, boot-volumes, volume-backups, boot-volume-backups in volume-family; instances in instance-family) — https://docs.oracle.com/iaas/Content/Identity/policyreference/corepolicyreference.htm",
  fileStorage:
    "OCI IAM: Details for the File Storage Service (file-systems in file-family; FILE_SYSTEM_CREATE at manage) — https://docs.oracle.com/iaas/Content/Identity/Reference/filestoragepolicyreference.htm",
  database:
    "OCI IAM: Details for the Database Service (db-systems, backups in database-family; autonomous-databases in autonomous-database-family) — https://docs.oracle.com/iaas/Content/Identity/policyreference/databasepolicyreference.htm",
  vault:
    "OCI IAM: Details for Vault, Key Management and Secret Management (keys, vaults; secrets and secret-bundles in secret-family; KEY_ENCRYPT/KEY_DECRYPT are use keys) — https://docs.oracle.com/iaas/Content/Identity/policyreference/keypolicyreference.htm",
  logging:
    "OCI IAM: Details for Logging (log-groups: USE adds LOG_GROUP_UPDATE, MANAGE adds LOG_GROUP_DELETE; unified-configuration) — https://docs.oracle.com/iaas/Content/Identity/Reference/loggingpolicyreference.htm",
  cloudGuard:
    "OCI Cloud Guard: Cloud Guard Policies (cloud-guard-targets, cloud-guard-config in cloud-guard-family) — https://docs.oracle.com/iaas/cloud-guard/using/policies.htm",
  iam: "OCI IAM: Details for IAM without Identity Domains (policies: POLICY_READ at inspect, POLICY_CREATE/UPDATE/DELETE at manage; compartments) — https://docs.oracle.com/iaas/Content/Identity/Reference/iampolicyreference.htm",
} as const;

const OBJ = ["object-family"];
const op = (
  permission: string,
  type: string,
  families: string[],
  verb: TOciVerb,
  source: keyof typeof OCI_AUDIT_SOURCES,
  setsTags = false,
): TOciOperation => ({
  permission,
  resourceTypes: [type, ...families],
  verb,
  source: OCI_AUDIT_SOURCES[source],
  ...(setsTags ? { setsTags } : {}),
});

/**
 * API operation (Audit `data.eventName`) → what OCI authorizes it as. Only operations whose
 * permission the reference pages state, covering what the catalog's statements test and the common
 * reads around them; any other operation is unknown, and the evaluator says so instead of guessing.
 */
export const OCI_OPERATIONS: Readonly<Record<string, TOciOperation>> = {
  // Object Storage
  ListBuckets: op("BUCKET_INSPECT", "buckets", OBJ, "inspect", "objectStorage"),
  GetBucket: op("BUCKET_READ", "buckets", OBJ, "read", "objectStorage"),
  CreateBucket: op("BUCKET_CREATE", "buckets", OBJ, "manage", "objectStorage", true),
  UpdateBucket: op("BUCKET_UPDATE", "buckets", OBJ, "manage", "objectStorage", true),
  DeleteBucket: op("BUCKET_DELETE", "buckets", OBJ, "manage", "objectStorage"),
  ListObjects: op("OBJECT_INSPECT", "objects", OBJ, "inspect", "objectStorage"),
  GetObject: op("OBJECT_READ", "objects", OBJ, "read", "objectStorage"),
  PutObject: op("OBJECT_CREATE", "objects", OBJ, "manage", "objectStorage"),
  DeleteObject: op("OBJECT_DELETE", "objects", OBJ, "manage", "objectStorage"),
  // Block Volume (Core Services)
  CreateVolume: op("VOLUME_CREATE", "volumes", ["volume-family"], "manage", "core", true),
  CreateBootVolume: op("BOOT_VOLUME_CREATE", "boot-volumes", ["volume-family"], "manage", "core", true),
  DeleteVolume: op("VOLUME_DELETE", "volumes", ["volume-family"], "manage", "core"),
  DeleteVolumeBackup: op("VOLUME_BACKUP_DELETE", "volume-backups", ["volume-family"], "manage", "core"),
  DeleteBootVolumeBackup: op("BOOT_VOLUME_BACKUP_DELETE", "boot-volume-backups", ["volume-family"], "manage", "core"),
  TerminateInstance: op("INSTANCE_DELETE", "instances", ["instance-family"], "manage", "core"),
  // File Storage
  CreateFileSystem: op("FILE_SYSTEM_CREATE", "file-systems", ["file-family"], "manage", "fileStorage", true),
  // Database
  DeleteBackup: op("DB_BACKUP_DELETE", "backups", ["database-family"], "manage", "database"),
  TerminateDbSystem: op("DB_SYSTEM_DELETE", "db-systems", ["database-family"], "manage", "database"),
  CreateAutonomousDatabase: op(
    "AUTONOMOUS_DATABASE_CREATE",
    "autonomous-databases",
    ["autonomous-database-family"],
    "manage",
    "database",
    true,
  ),
  DeleteAutonomousDatabase: op("AUTONOMOUS_DATABASE_DELETE", "autonomous-databases", ["autonomous-database-family"], "manage", "database"),
  // Vault, keys and secrets
  ScheduleKeyDeletion: op("KEY_DELETE", "keys", [], "manage", "vault"),
  ScheduleVaultDeletion: op("VAULT_DELETE", "vaults", [], "manage", "vault"),
  Encrypt: op("KEY_ENCRYPT", "keys", [], "use", "vault"),
  Decrypt: op("KEY_DECRYPT", "keys", [], "use", "vault"),
  ListSecrets: op("SECRET_INSPECT", "secrets", ["secret-family"], "inspect", "vault"),
  GetSecretBundle: op("SECRET_BUNDLE_READ", "secret-bundles", ["secret-family"], "read", "vault"),
  // Logging
  DeleteLogGroup: op("LOG_GROUP_DELETE", "log-groups", ["logging-family"], "manage", "logging"),
  DeleteUnifiedAgentConfiguration: op("UNIFIED_CONFIGURATION_DELETE", "unified-configuration", ["logging-family"], "manage", "logging"),
  // Cloud Guard
  DeleteTarget: op("CG_TARGET_DELETE", "cloud-guard-targets", ["cloud-guard-family"], "manage", "cloudGuard"),
  UpdateConfiguration: op("CG_CONFIGURATION_UPDATE", "cloud-guard-config", ["cloud-guard-family"], "manage", "cloudGuard"),
  // IAM
  ListPolicies: op("POLICY_READ", "policies", [], "inspect", "iam"),
  GetPolicy: op("POLICY_READ", "policies", [], "inspect", "iam"),
  CreatePolicy: op("POLICY_CREATE", "policies", [], "manage", "iam", true),
  UpdatePolicy: op("POLICY_UPDATE", "policies", [], "manage", "iam", true),
  DeletePolicy: op("POLICY_DELETE", "policies", [], "manage", "iam"),
};

const BY_PERMISSION = new Map<string, TOciOperation>(Object.values(OCI_OPERATIONS).map((o) => [o.permission, o]));

/** What OCI authorizes a permission as, when the table knows it. */
export function ociPermissionInfo(permission: string): TOciOperation | undefined {
  return BY_PERMISSION.get(permission);
}

/**
 * The three-letter region key that `request.region` compares (General Variables for All Requests),
 * from the region identifier in an endpoint host, using the SDK's region registry.
 */
export function ociRegionKey(regionId: string): string | undefined {
  const r = Region.values().find((x) => x.regionId === regionId.toLowerCase());
  return r?.regionCode ? r.regionCode.toUpperCase() : undefined;
}
