/**
 * Parapet must never deny itself (DESIGN.md: never lock out the connector). On OCI a deny can only
 * spare a caller named by OCID, and the connection's credentials already say which user Parapet signs
 * in as; so when the connector class names no OCID, that user is added to it. Without this, every
 * tenancy-wide OCI deny failed to compile for a connection set up without typing the OCIDs twice.
 */
const USER_OCID = /^ocid1\.user\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$/;

export function withConnectorIdentity(cloud: string, principals: Record<string, unknown>, credentials: unknown): Record<string, unknown> {
  if (cloud !== "oci") return principals;
  const userId = (credentials as { userId?: unknown } | null)?.userId;
  if (typeof userId !== "string" || !USER_OCID.test(userId)) return principals;
  const connector = (principals.connector ?? {}) as { groupIds?: unknown; principalIds?: unknown };
  const named = (v: unknown) => Array.isArray(v) && v.length > 0;
  if (named(connector.groupIds) || named(connector.principalIds)) return principals;
  // Keep the default group name the schema would have filled in, so nothing else about the class changes.
  const base = principals.connector === undefined ? { groups: ["ParapetConnector"] } : connector;
  return { ...principals, connector: { ...base, principalIds: [userId] } };
}
