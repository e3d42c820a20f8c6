interface ApprovalRow {
  id: string;
  action: string;
  subjectType: string;
  subjectId: string;
  payload: unknown;
  summary: string;
  status: string;
  requestedById: string;
  decidedById: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
}
type User = { id: string; email: string; name: string };

export function approvalView(a: ApprovalRow, users: Map<string, User> = new Map()) {
  const user = (id: string | null) => (id ? (users.get(id) ?? { id, email: "", name: "" }) : null);
  const payload = (a.payload ?? {}) as Record<string, unknown>;
  return {
    id: a.id,
    action: a.action,
    subjectType: a.subjectType,
    subjectId: a.subjectId,
    summary: a.summary,
    reasons: Array.isArray(payload.reasons) ? (payload.reasons as string[]) : [],
    payload,
    status: a.status,
    requestedBy: user(a.requestedById),
    decidedBy: user(a.decidedById),
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decisionNote: a.decisionNote,
    createdAt: a.createdAt.toISOString(),
  };
}
