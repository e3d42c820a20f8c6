import type { PrismaClient, Prisma, Tx } from "@parapet/db";

type Db = PrismaClient | Tx;

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}

export const listProviders = (db: Db, workspaceId: string) =>
  db.ssoProvider.findMany({ where: { organizationId: workspaceId }, orderBy: { createdAt: "asc" } });

export const findProvider = (db: Db, providerId: string) => db.ssoProvider.findUnique({ where: { providerId } });

export const findVerifiedProviderForDomain = (db: Db, domain: string) =>
  db.ssoProvider.findFirst({ where: { domain, domainVerified: true, organizationId: { not: null } } });

export const verificationTokensForDomain = (db: Db, domain: string) =>
  db.ssoProvider.findMany({ where: { domain }, select: { verificationToken: true } });

export const createProvider = (tx: Tx, data: Prisma.SsoProviderUncheckedCreateInput) => tx.ssoProvider.create({ data });

export const markDomainVerified = (tx: Tx, id: string) => tx.ssoProvider.update({ where: { id }, data: { domainVerified: true } });

export async function deleteProviderAndLinks(tx: Tx, id: string, providerId: string) {
  await tx.ssoProvider.delete({ where: { id } });
  // Sign-in links to the provider go with it (the users and their memberships stay).
  await tx.authAccount.deleteMany({ where: { providerId } });
}

export const countVerifiedProviders = (db: Db, workspaceId: string) =>
  db.ssoProvider.count({ where: { organizationId: workspaceId, domainVerified: true } });

export const findPolicy = (db: Db, workspaceId: string) => db.workspaceSso.findUnique({ where: { workspaceId } });

export const upsertPolicy = (
  tx: Tx,
  workspaceId: string,
  data: { requireSso: boolean; breakGlassUserId: string | null; groupClaim?: string; roleMapping?: Prisma.InputJsonValue },
) => tx.workspaceSso.upsert({ where: { workspaceId }, create: { workspaceId, ...data }, update: data });

export const findMemberRole = async (db: Db, workspaceId: string, userId: string) =>
  (await db.member.findFirst({ where: { organizationId: workspaceId, userId }, select: { role: true } }))?.role ?? null;

export const findUserIdByEmail = async (db: Db, email: string) =>
  (await db.user.findUnique({ where: { email }, select: { id: true } }))?.id ?? null;

/** The user with this address and the workspaces they belong to (sign-in events go to each). */
export async function userWithWorkspaces(db: Db, email: string) {
  const u = await db.user.findUnique({ where: { email }, select: { id: true, members: { select: { organizationId: true } } } });
  return u ? { userId: u.id, workspaceIds: u.members.map((m) => m.organizationId) } : null;
}
