import { withConnectorIdentity } from "../reconcile/connector-identity.ts";

/** What a connection row holds that compiling its guardrails depends on. */
export interface TCompileBasisSource {
  cloud: string;
  facts: unknown;
  principals: unknown;
  /** Non-secret identifiers of the credentials (role ARN, user OCID): who Parapet signs in as. */
  credentialHints: unknown;
}

/**
 * The facts and principal classes a connection's guardrails compile with. Reconcile and the console's
 * compiled preview both call this, so the preview shows what reconcile deploys: in particular the
 * connector identity the credentials name joins the connector class (an OCI tenancy-wide deny can
 * then except the API-key user by OCID instead of failing to compile in the preview only).
 */
export function connectionCompileBasis(
  conn: TCompileBasisSource,
  credentials?: unknown,
): { facts: unknown; principals: Record<string, unknown> } {
  const principals =
    conn.principals && typeof conn.principals === "object" && !Array.isArray(conn.principals)
      ? (conn.principals as Record<string, unknown>)
      : {};
  // The worker holds the decrypted credentials; the web only their hints, which name the same identity
  // (credentialHints() copies roleArn / userId from them at creation and rotation).
  return { facts: conn.facts, principals: withConnectorIdentity(conn.cloud, principals, credentials ?? conn.credentialHints) };
}
