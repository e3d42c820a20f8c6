/**
 * Parapet must never deny itself (DESIGN.md: never lock out the connector). The connection's
 * credentials already say who Parapet signs in as, so that identity joins the connector class when
 * the class would not otherwise spare it:
 * - OCI: a deny can only spare a caller named by OCID; when the connector class names no OCID, the
 *   API-key user is added. Without this, every tenancy-wide OCI deny failed to compile for a
 *   connection set up without typing the OCIDs twice.
 * - AWS: SCPs spare the connector by `aws:PrincipalArn` pattern (default `role/ParapetConnector`).
 *   A connector role with another name or a path (`role/security/parapet-prod`) would be denied in
 *   every member account where it works, so its ARN is added unless a pattern already covers it.
 */
const USER_OCID = /^ocid1\.user\.[a-z0-9]+\.[a-z0-9-]*\.[a-z0-9]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const AWS_DEFAULT_CONNECTOR = ["arn:aws:iam::*:role/ParapetConnector"];
const AWS_MAX_PATTERNS = 20;

export function withConnectorIdentity(cloud: string, principals: Record<string, unknown>, credentials: unknown): Record<string, unknown> {
  if (cloud === "aws") return withAwsConnectorRole(principals, credentials);
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

function withAwsConnectorRole(principals: Record<string, unknown>, credentials: unknown): Record<string, unknown> {
  const c = credentials as { kind?: unknown; roleArn?: unknown } | null;
  if (c?.kind !== "assume-role" || typeof c.roleArn !== "string" || !ROLE_ARN.test(c.roleArn)) return principals;
  const connector = (principals.connector ?? {}) as { roleArnPatterns?: unknown };
  const given = Array.isArray(connector.roleArnPatterns) ? connector.roleArnPatterns.filter((p): p is string => typeof p === "string") : [];
  const patterns = given.length > 0 ? given : AWS_DEFAULT_CONNECTOR;
  // Already spared: leave the class as it is, so existing policies keep their exact text (no rewrite).
  if (patterns.some((p) => arnLike(p, c.roleArn as string))) return principals;
  // At the schema's cap the class is left for validation to report, rather than silently dropping a pattern.
  if (patterns.length >= AWS_MAX_PATTERNS) return principals;
  return { ...principals, connector: { ...connector, roleArnPatterns: [...patterns, c.roleArn] } };
}

/** IAM's ArnLike: `*` any run of characters, `?` one character, case-sensitive, whole string. */
export function arnLike(pattern: string, arn: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(arn);
}
