interface Row {
  id: string;
  guardrailId: string;
  nodeId: string | null;
  principalCloud: "aws" | "azure" | "gcp" | "oci" | null;
  principal: string | null;
  reason: string;
  ownerEmail: string;
  expiresAt: Date;
  status: string;
  createdById: string | null;
  createdAt: Date;
  guardrail: { id: string; name: string };
  node: { id: string; name: string; connectionId: string; externalId: string } | null;
}

export function exemptionView(e: Row) {
  // An active exemption past its expiry no longer applies (the reconciler ignores it), whatever the row says.
  const status = e.status === "active" && e.expiresAt.getTime() <= Date.now() ? "expired" : e.status;
  return {
    id: e.id,
    guardrail: e.guardrail,
    node: e.node,
    principal: e.principal && e.principalCloud ? { cloud: e.principalCloud, id: e.principal } : null,
    reason: e.reason,
    ownerEmail: e.ownerEmail,
    expiresAt: e.expiresAt.toISOString(),
    status,
    createdBy: e.createdById,
    createdAt: e.createdAt.toISOString(),
  };
}
