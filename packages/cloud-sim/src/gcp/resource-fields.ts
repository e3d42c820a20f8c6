/**
 * The fields a custom constraint's CEL condition may select on `resource`, per resource type, so that a
 * condition naming a field the type does not have is refused on write as Organization Policy refuses it
 * (its CEL type check: "undefined field '…'").
 *
 * Vendored only for the resource types Parapet emits custom constraints for, plus the GKE node pool the
 * simulator's own tests use; a condition on any other type is parsed and checked for undeclared names
 * (cel.ts) but not for fields. Where a subtree is `OPEN` its fields are not vendored and anything below
 * it is accepted. The trees follow each resource's REST representation, which is what custom constraints
 * evaluate ("Custom constraints … reference the fields of the resource's REST representation"):
 * - storage.googleapis.com/Bucket: Cloud Storage JSON API, Buckets resource representation
 *   (https://cloud.google.com/storage/docs/json_api/v1/buckets#resource) and
 *   https://cloud.google.com/storage/docs/custom-constraints. Google supports a subset of these fields in
 *   conditions; that subset is not vendored, so a real-but-unsupported field is accepted here (the gap).
 * - iam.googleapis.com/AllowPolicy: "Use custom constraints for IAM allow policies"
 *   (https://cloud.google.com/iam/docs/custom-constraints): conditions see `resource.bindings`, each with
 *   `role` and `members`.
 * - container.googleapis.com/NodePool: GKE API v1 NodePool (googleapis google/container/v1/cluster_service.proto).
 * Checked 2026-12 from the pages above.
 */
export type FieldType =
  | { kind: "scalar" }
  | { kind: "open" }
  | { kind: "object"; fields: Readonly<Record<string, FieldType>> }
  | { kind: "list"; of: FieldType }
  | { kind: "map"; of: FieldType };

const S: FieldType = { kind: "scalar" };
const OPEN: FieldType = { kind: "open" };
const obj = (fields: Record<string, FieldType>): FieldType => ({ kind: "object", fields });
const list = (of: FieldType): FieldType => ({ kind: "list", of });
const map = (of: FieldType): FieldType => ({ kind: "map", of });
const scalars = (...names: string[]): Record<string, FieldType> => Object.fromEntries(names.map((n) => [n, S]));

const ACCESS_CONTROL = obj(
  scalars("bucket", "domain", "email", "entity", "entityId", "etag", "id", "kind", "role", "selfLink", "projectTeam"),
);

const BUCKET = obj({
  ...scalars(
    "defaultEventBasedHold",
    "etag",
    "generation",
    "id",
    "kind",
    "location",
    "locationType",
    "metageneration",
    "name",
    "projectNumber",
    "rpo",
    "satisfiesPZI",
    "satisfiesPZS",
    "selfLink",
    "storageClass",
    "timeCreated",
    "updated",
  ),
  acl: list(ACCESS_CONTROL),
  defaultObjectAcl: list(ACCESS_CONTROL),
  autoclass: obj(scalars("enabled", "toggleTime", "terminalStorageClass", "terminalStorageClassUpdateTime")),
  billing: obj(scalars("requesterPays")),
  cors: list(obj({ ...scalars("maxAgeSeconds"), method: list(S), origin: list(S), responseHeader: list(S) })),
  customPlacementConfig: obj({ dataLocations: list(S) }),
  encryption: obj({
    ...scalars("defaultKmsKeyName"),
    googleManagedEncryptionEnforcementConfig: OPEN,
    customerManagedEncryptionEnforcementConfig: OPEN,
    customerSuppliedEncryptionEnforcementConfig: OPEN,
  }),
  hierarchicalNamespace: obj(scalars("enabled")),
  iamConfiguration: obj({
    bucketPolicyOnly: obj(scalars("enabled", "lockedTime")),
    uniformBucketLevelAccess: obj(scalars("enabled", "lockedTime")),
    publicAccessPrevention: S,
  }),
  ipFilter: OPEN,
  labels: map(S),
  lifecycle: obj({ rule: list(obj({ action: obj(scalars("type", "storageClass")), condition: OPEN })) }),
  logging: obj(scalars("logBucket", "logObjectPrefix")),
  objectRetention: obj(scalars("mode")),
  owner: obj(scalars("entity", "entityId")),
  retentionPolicy: obj(scalars("effectiveTime", "isLocked", "retentionPeriod")),
  softDeletePolicy: obj(scalars("effectiveTime", "retentionDurationSeconds")),
  versioning: obj(scalars("enabled")),
  website: obj(scalars("mainPageSuffix", "notFoundPage")),
});

const ALLOW_POLICY = obj({ bindings: list(obj({ role: S, members: list(S) })) });

const NODE_POOL = obj({
  ...scalars("name", "initialNodeCount", "selfLink", "version", "status", "statusMessage", "podIpv4CidrSize", "etag"),
  config: OPEN,
  networkConfig: OPEN,
  locations: list(S),
  instanceGroupUrls: list(S),
  autoscaling: obj(
    scalars("enabled", "minNodeCount", "maxNodeCount", "autoprovisioned", "locationPolicy", "totalMinNodeCount", "totalMaxNodeCount"),
  ),
  management: obj({ ...scalars("autoUpgrade", "autoRepair"), upgradeOptions: OPEN }),
  maxPodsConstraint: obj(scalars("maxPodsPerNode")),
  conditions: list(OPEN),
  upgradeSettings: OPEN,
  placementPolicy: OPEN,
  queuedProvisioning: OPEN,
  bestEffortProvisioning: OPEN,
});

export const RESOURCE_FIELDS: ReadonlyMap<string, FieldType> = new Map([
  ["storage.googleapis.com/Bucket", BUCKET],
  ["iam.googleapis.com/AllowPolicy", ALLOW_POLICY],
  ["container.googleapis.com/NodePool", NODE_POOL],
]);
