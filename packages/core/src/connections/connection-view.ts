interface Row {
  id: string;
  cloud: string;
  name: string;
  status: string;
  rootId: string | null;
  endpoint: string | null;
  credentialHints: unknown;
  facts: unknown;
  principals: unknown;
  limits: unknown;
  auditSource: unknown;
  pollIntervalSec: number;
  wizardState: unknown;
  lastVerifiedAt: Date | null;
  verifyResult: unknown;
  lastDiscoveredAt: Date | null;
  lastReconciledAt: Date | null;
  lastReconcileStatus: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  eventSecretCiphertext: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A connection as the API returns it: never credentials, never secrets. */
export function connectionView(c: Row, environments = 0) {
  return {
    id: c.id,
    cloud: c.cloud,
    name: c.name,
    status: c.status,
    rootId: c.rootId,
    endpoint: c.endpoint,
    credentialHints: c.credentialHints,
    facts: c.facts,
    principals: c.principals,
    limits: c.limits,
    auditSource: c.auditSource,
    pollIntervalSec: c.pollIntervalSec,
    wizardState: c.wizardState,
    lastVerifiedAt: iso(c.lastVerifiedAt),
    verifyResult: c.verifyResult ?? null,
    lastDiscoveredAt: iso(c.lastDiscoveredAt),
    lastReconciledAt: iso(c.lastReconciledAt),
    lastReconcileStatus: c.lastReconcileStatus,
    lastError: c.lastError,
    hasEventSecret: c.eventSecretCiphertext !== null,
    environments,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
