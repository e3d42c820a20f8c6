interface Row {
  id: string;
  kind: string;
  status: string;
  summary: string;
  actor: string | null;
  openedAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
  resolvedBy: string | null;
  connection: { id: string; name: string; cloud: string };
  guardrail: { id: string; name: string } | null;
  node: { id: string; name: string } | null;
}

export function driftView(d: Row) {
  return {
    id: d.id,
    kind: d.kind,
    status: d.status,
    summary: d.summary,
    connection: d.connection,
    guardrail: d.guardrail,
    node: d.node,
    openedAt: d.openedAt.toISOString(),
    lastSeenAt: d.lastSeenAt.toISOString(),
    resolvedAt: d.resolvedAt?.toISOString() ?? null,
    resolution: d.resolution,
    resolvedBy: d.resolvedBy,
    actor: d.actor,
  };
}
