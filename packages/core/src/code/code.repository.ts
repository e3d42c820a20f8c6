import type { PrismaClient, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export function codeSources(db: Db, workspaceId: string) {
  return db.guardrailCodeSource.findMany({ where: { workspaceId } });
}

export function codeSourceOf(db: Db, workspaceId: string, guardrailId: string) {
  return db.guardrailCodeSource.findFirst({ where: { workspaceId, guardrailId } });
}

/** Marks a guardrail managed in code under `key`; a key last used by a guardrail since deleted is free again. */
export function markManaged(
  prisma: PrismaClient,
  workspaceId: string,
  guardrailId: string,
  data: { key: string; repo: string; commit: string; appliedHash: string; appliedBy: string },
) {
  const row = { ...data, appliedAt: new Date() };
  return prisma.$transaction([
    prisma.guardrailCodeSource.deleteMany({ where: { workspaceId, key: data.key, guardrailId: { not: guardrailId } } }),
    prisma.guardrailCodeSource.upsert({ where: { guardrailId }, create: { guardrailId, workspaceId, ...row }, update: row }),
  ]);
}

/**
 * Exemptions that are in force or waiting for approval, for export and plan. One past its expiry is
 * left out: it spares nothing any more (the reconciler ignores it), so it is not the file's to keep.
 */
export function liveExemptions(db: Db, workspaceId: string) {
  return db.exemption.findMany({
    where: { workspaceId, status: { in: ["pending_approval", "active"] }, expiresAt: { gt: new Date() } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}
