import type { PrismaClient, Tx } from "@parapet/db";
import { insertEvents } from "../notifications/notifications.repository.ts";

type Db = PrismaClient | Tx;

type ApprovalAction =
  | "guardrail.update"
  | "guardrail.disable"
  | "guardrail.delete"
  | "exemption.create"
  | "node.labels"
  | "connection.principals"
  | "member.mfa_reset"
  | "posture.adopt";

export interface NewApproval {
  workspaceId: string;
  action: ApprovalAction;
  subjectType: "guardrail" | "exemption" | "node" | "connection" | "member" | "foreign-policy";
  subjectId: string;
  payload: Record<string, unknown>;
  summary: string;
  requestedById: string;
}

/** Creates a pending approval and, in the same transaction, the "approval requested" alert event. */
export async function createApproval(tx: Tx, a: NewApproval) {
  // Plain JSON by construction (zod-parsed input); Prisma's Json input type needs it as an object.
  const payload: object = a.payload;
  const row = await tx.approval.create({ data: { ...a, payload } });
  const guardrailId =
    a.subjectType === "guardrail" ? a.subjectId : typeof a.payload.guardrailId === "string" ? a.payload.guardrailId : null;
  await insertEvents(tx, [
    {
      workspaceId: a.workspaceId,
      type: "approval.requested",
      severity: "warning",
      title: `Approval requested: ${a.summary}`,
      guardrailId,
      detail: { action: a.action, approval: row.id },
      dedupKey: `approval:${row.id}`,
    },
  ]);
  return row;
}

export function pendingFor(db: Db, workspaceId: string, subjectType: string, subjectId: string) {
  return db.approval.findFirst({ where: { workspaceId, subjectType, subjectId, status: "pending" } });
}

export function findApproval(db: Db, workspaceId: string, id: string) {
  return db.approval.findFirst({ where: { id, workspaceId } });
}

export function listApprovals(
  db: Db,
  workspaceId: string,
  status: "pending" | "approved" | "rejected" | "cancelled" | undefined,
  after: { t: string; id: string } | undefined,
  take: number,
) {
  return db.approval.findMany({
    where: {
      workspaceId,
      ...(status ? { status } : {}),
      ...(after ? { OR: [{ createdAt: { lt: new Date(after.t) } }, { createdAt: new Date(after.t), id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
  });
}

export function usersById(db: Db, ids: string[]) {
  return db.user.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, email: true, name: true } });
}

/** Moves a pending approval to its decision; false when someone else decided first. */
export async function decide(
  tx: Tx,
  id: string,
  status: "approved" | "rejected",
  decidedById: string,
  note: string | null,
): Promise<boolean> {
  const n = await tx.approval.updateMany({
    where: { id, status: "pending" },
    data: { status, decidedById, decidedAt: new Date(), decisionNote: note },
  });
  return n.count === 1;
}

export function cancelPending(tx: Tx, workspaceId: string, subjectType: string, subjectId: string) {
  return tx.approval.updateMany({
    where: { workspaceId, subjectType, subjectId, status: "pending" },
    data: { status: "cancelled", decidedAt: new Date() },
  });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 60_000 });
}

/** The decider's address and whether it is verified (the second-person check). */
export function deciderUser(db: Db, userId: string) {
  return db.user.findUnique({ where: { id: userId }, select: { emailVerified: true, email: true } });
}

/** When the decider joined the workspace, or null when not a member. */
export function deciderMembership(db: Db, workspaceId: string, userId: string) {
  return db.member.findUnique({ where: { organizationId_userId: { organizationId: workspaceId, userId } }, select: { createdAt: true } });
}
