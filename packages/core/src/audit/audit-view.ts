interface Row {
  id: string;
  seq: number;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: unknown;
  createdAt: Date;
  hash: string;
  prevHash: string;
}

export function auditView(e: Row) {
  return {
    id: e.id,
    seq: e.seq,
    at: e.createdAt.toISOString(),
    actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    data: e.data,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}
