import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

const connectionSelect = {
  id: true,
  workspaceId: true,
  cloud: true,
  name: true,
  status: true,
  rootId: true,
  endpoint: true,
  credentialHints: true,
  facts: true,
  principals: true,
  limits: true,
  auditSource: true,
  pollIntervalSec: true,
  wizardState: true,
  lastVerifiedAt: true,
  verifyResult: true,
  lastDiscoveredAt: true,
  lastReconciledAt: true,
  lastReconcileStatus: true,
  lastError: true,
  createdAt: true,
  updatedAt: true,
  eventSecretCiphertext: true,
} as const;

export function listConnections(db: Db, workspaceId: string) {
  return db.connection.findMany({ where: { workspaceId }, select: connectionSelect, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

export function findConnection(db: Db, workspaceId: string, id: string) {
  return db.connection.findFirst({ where: { id, workspaceId }, select: connectionSelect });
}

/** Environments per connection, one grouped query. */
export async function environmentCounts(db: Db, workspaceId: string): Promise<Map<string, number>> {
  const rows = await db.node.groupBy({
    by: ["connectionId"],
    where: { workspaceId, isEnvironment: true, state: "active" },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.connectionId, r._count._all]));
}

export function insertConnection(
  tx: Tx,
  data: {
    id: string;
    workspaceId: string;
    cloud: "aws" | "azure" | "gcp" | "oci";
    name: string;
    endpoint: string | null;
    credentialCiphertext: string;
    credentialKeyId: string;
    credentialHints: object;
    facts: object;
    principals: object;
    pollIntervalSec: number;
    createdById: string;
  },
) {
  return tx.connection.create({ data: { ...data, status: "verifying" }, select: connectionSelect });
}

export function updateConnection(db: Db, id: string, data: Record<string, unknown>) {
  return db.connection.update({ where: { id }, data, select: connectionSelect });
}

/**
 * Deletes a connection and (by cascade) everything recorded about it. The row lock comes first: a
 * worker writing the connection's rows holds a key-share lock on it and then takes the workspace's
 * audit lock, so taking the audit lock before this one could deadlock with it.
 */
export async function lockConnectionForDelete(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "connection" WHERE id = ${id} FOR UPDATE`;
  return rows.length === 1;
}

export function deleteConnection(tx: Tx, id: string) {
  return tx.connection.delete({ where: { id } });
}

export function latestRun(db: Db, connectionId: string, trigger: string) {
  return db.reconcileRun.findFirst({ where: { connectionId, trigger }, orderBy: { startedAt: "desc" } });
}

export function workspaceMetadata(db: Db, workspaceId: string) {
  return db.workspace.findUnique({ where: { id: workspaceId }, select: { id: true, metadata: true } });
}

/** Stores `metadata` only if nobody else wrote it first (compare-and-set on the old value). */
export async function setWorkspaceMetadata(db: Db, workspaceId: string, before: string | null, after: string): Promise<boolean> {
  const n = await db.workspace.updateMany({ where: { id: workspaceId, metadata: before }, data: { metadata: after } });
  return n.count === 1;
}

/** Every sealed secret (credentials and event secrets) for key rotation. */
export function sealedSecrets(db: Db, workspaceId?: string) {
  return db.connection.findMany({
    ...(workspaceId ? { where: { workspaceId } } : {}),
    select: { id: true, workspaceId: true, credentialCiphertext: true, eventSecretCiphertext: true },
  });
}

export function storeResealed(
  db: Db,
  id: string,
  data: { credentialCiphertext?: string; credentialKeyId?: string; eventSecretCiphertext?: string },
) {
  return db.connection.update({ where: { id }, data });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 60_000 });
}

/** A connection's principal classes (applying an approved principal change). */
export function findConnectionPrincipals(db: Db, workspaceId: string, id: string) {
  return db.connection.findFirst({ where: { id, workspaceId }, select: { id: true, principals: true } });
}

export function setConnectionPrincipals(db: Db, id: string, principals: object) {
  return db.connection.update({ where: { id }, data: { principals } });
}

/** Up to 20 of the workspace's connections on the same cloud root created before this one, oldest first. */
export function earlierConnectionsOnRoot(
  db: Db,
  conn: { id: string; workspaceId: string; cloud: "aws" | "azure" | "gcp" | "oci"; createdAt: Date },
  rootId: string,
) {
  return db.connection.findMany({
    where: {
      workspaceId: conn.workspaceId,
      cloud: conn.cloud,
      rootId,
      id: { not: conn.id },
      OR: [{ createdAt: { lt: conn.createdAt } }, { createdAt: conn.createdAt, id: { lt: conn.id } }],
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, name: true, facts: true },
    take: 20,
  });
}
