import type { AdapterRequest } from "../reconcile/phases/context.ts";
import { openCredentials, type Keyring } from "./secrets.ts";

/** The stored connection fields an adapter is opened from. */
interface StoredConnection {
  id: string;
  workspaceId: string;
  cloud: AdapterRequest["cloud"];
  endpoint: string | null;
  credentialCiphertext: string;
  facts: unknown;
  limits: unknown;
  auditSource?: unknown;
}

/**
 * What the adapter factory needs to open a stored connection, with its credentials decrypted (only in the
 * worker). One place, so the reconcile, the connection tasks and impact replays open a cloud the same way.
 * `auditSource` is passed only when asked: only replays read the audit log.
 */
export function adapterRequestFor(keys: Keyring, conn: StoredConnection, opts: { withAuditSource?: boolean } = {}): AdapterRequest {
  return {
    connectionId: conn.id,
    workspaceId: conn.workspaceId,
    cloud: conn.cloud,
    endpoint: conn.endpoint,
    credentials: openCredentials(keys, conn.id, conn.credentialCiphertext),
    facts: conn.facts,
    limits: conn.limits,
    ...(opts.withAuditSource ? { auditSource: conn.auditSource } : {}),
  };
}
