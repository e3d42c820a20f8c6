import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;
const withRefs = {
  guardrail: { select: { id: true, name: true } },
  node: { select: { id: true, name: true, connectionId: true, externalId: true } },
};

export function listExemptions(db: Db, workspaceId: string, status?: "pending_approval" | "active" | "expired" | "revoked" | "rejected") {
  return db.exemption.findMany({
    where: { workspaceId, ...(status ? { status } : {}) },
    include: withRefs,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 1000,
  });
}

export function findExemption(db: Db, workspaceId: string, id: string) {
  return db.exemption.findFirst({ where: { id, workspaceId }, include: withRefs });
}

export function createExemption(
  tx: Tx,
  data: {
    workspaceId: string;
    guardrailId: string;
    nodeId: string | null;
    principalCloud: "aws" | "gcp" | "oci" | null;
    principal: string | null;
    reason: string;
    ownerEmail: string;
    expiresAt: Date;
    createdById: string;
  },
) {
  return tx.exemption.create({ data: { ...data, status: "pending_approval" }, include: withRefs });
}

/**
 * pending_approval → active, unless it has expired meanwhile. Returns the connections whose artifacts change:
 * the node's, or for a principal exemption every connection of the workspace in that cloud.
 */
export async function activateExemption(tx: Tx, workspaceId: string, id: string): Promise<{ connectionIds: string[] } | null> {
  const n = await tx.exemption.updateMany({
    where: { id, workspaceId, status: "pending_approval", expiresAt: { gt: new Date() } },
    data: { status: "active" },
  });
  if (n.count !== 1) return null;
  const e = await tx.exemption.findUniqueOrThrow({ where: { id }, include: { node: { select: { connectionId: true } } } });
  return { connectionIds: await exemptionConnections(tx, workspaceId, e) };
}

/** The connections an exemption's activation or revocation changes. */
export async function exemptionConnections(
  db: Db,
  workspaceId: string,
  e: { node: { connectionId: string } | null; principalCloud: "aws" | "azure" | "gcp" | "oci" | null },
): Promise<string[]> {
  if (e.node) return [e.node.connectionId];
  if (!e.principalCloud) return [];
  const rows = await db.connection.findMany({ where: { workspaceId, cloud: e.principalCloud }, select: { id: true } });
  return rows.map((r) => r.id);
}

export function rejectExemption(tx: Tx, workspaceId: string, id: string) {
  return tx.exemption.updateMany({ where: { id, workspaceId, status: "pending_approval" }, data: { status: "rejected" } });
}

export async function revokeExemption(tx: Tx, id: string): Promise<boolean> {
  const n = await tx.exemption.updateMany({ where: { id, status: { in: ["active", "pending_approval"] } }, data: { status: "revoked" } });
  return n.count === 1;
}

export function findGuardrailRef(db: Db, workspaceId: string, id: string) {
  return db.guardrail.findFirst({ where: { id, workspaceId, status: { not: "deleted" } }, select: { id: true, name: true } });
}

export function findNodeRef(db: Db, workspaceId: string, id: string) {
  return db.node.findFirst({ where: { id, workspaceId }, select: { id: true, name: true, connectionId: true } });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 60_000 });
}

/** The workspace's longest exemption (Settings → notifications; 30 days unless set). */
export async function exemptionMaxDays(db: Db, workspaceId: string): Promise<number> {
  const s = await db.notificationSettings.findUnique({ where: { workspaceId }, select: { exemptionMaxDays: true } });
  return s?.exemptionMaxDays ?? 30;
}

/**
 * Active, unexpired exemptions that bear on one connection: environment exemptions of its nodes, and
 * principal exemptions of its cloud (those hold in every environment). The one definition the reconcile
 * (what it deploys), impact replays and denial attribution (what the deployed artifacts spare) share.
 * Narrowed to a workspace's or to one guardrail's.
 */
export function exemptionsBearingOn(
  db: Db,
  of: { workspaceId: string } | { guardrailId: string },
  connectionId: string,
  cloud: "aws" | "azure" | "gcp" | "oci",
) {
  return db.exemption.findMany({
    where: {
      ...of,
      status: "active",
      expiresAt: { gt: new Date() },
      OR: [{ node: { connectionId } }, { nodeId: null, principalCloud: cloud }],
    },
    select: { guardrailId: true, nodeId: true, principal: true },
  });
}
