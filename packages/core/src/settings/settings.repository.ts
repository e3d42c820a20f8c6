import type { PrismaClient, Tx } from "@parapet/db";

export function findSettings(db: PrismaClient | Tx, workspaceId: string) {
  return db.workspaceSettings.findUnique({ where: { workspaceId } });
}

export function upsertSettings(
  tx: Tx,
  workspaceId: string,
  data: {
    timezone?: string | undefined;
    reportDay?: number | undefined;
    reportHour?: number | undefined;
    requireMfa?: boolean | undefined;
    sessionLifetimeHours?: number | null | undefined;
    idleTimeoutMinutes?: number | null | undefined;
  },
) {
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  return tx.workspaceSettings.upsert({ where: { workspaceId }, create: { workspaceId, ...clean }, update: clean });
}

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}
