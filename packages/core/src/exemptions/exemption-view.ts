interface Row {
  id: string;
  guardrailId: string;
  nodeId: string;
  reason: string;
  ownerEmail: string;
  expiresAt: Date;
  status: string;
  createdById: string | null;
  createdAt: Date;
  guardrail: { id: string; name: string };
  node: { id: string; name: string; connectionId: string; externalId: string };
}

export function exemptionView(e: Row) {
  // An active exemption past its expiry no longer applies (the reconciler ignores it), whatever the row says.
  const status = e.status === "active" && e.expiresAt.getTime() <= Date.now() ? "expired" : e.status;
  return {
    id: e.id,
    guardrail: e.guardrail,
    node: e.node,
    reason: e.reason,
    ownerEmail: e.ownerEmail,
    expiresAt: e.expiresAt.toISOString(),
    status,
    createdBy: e.createdById,
    createdAt: e.createdAt.toISOString(),
  };
}
