import { createHash } from "node:crypto";
import type { Prisma, PrismaClient, Tx } from "@parapet/db";
import { tokenMetadata } from "../tokens/token-metadata.ts";

type Db = PrismaClient | Tx;

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}

/** SHA-256 of the bearer secret: the secret is 256 random bits, so a fast hash is enough and the lookup is indexed. */
export const hashScimToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export const findScimByTokenHash = (db: Db, tokenHash: string) => db.workspaceScim.findUnique({ where: { tokenHash } });
export const findScim = (db: Db, workspaceId: string) => db.workspaceScim.findUnique({ where: { workspaceId } });
export const touchScim = (db: Db, workspaceId: string) =>
  db.workspaceScim.update({ where: { workspaceId }, data: { lastUsedAt: new Date() } });
export const upsertScimToken = (tx: Tx, workspaceId: string, data: { tokenHash: string; tokenStart: string; createdById: string }) =>
  tx.workspaceScim.upsert({
    where: { workspaceId },
    create: { workspaceId, ...data },
    update: { ...data, createdAt: new Date(), lastUsedAt: null },
  });
export const deleteScim = async (tx: Tx, workspaceId: string) => (await tx.workspaceScim.deleteMany({ where: { workspaceId } })).count;

export async function scimCounts(db: Db, workspaceId: string) {
  const [users, activeUsers, groups] = await Promise.all([
    db.scimUser.count({ where: { workspaceId } }),
    db.scimUser.count({ where: { workspaceId, active: true } }),
    db.scimGroup.count({ where: { workspaceId } }),
  ]);
  return { users, activeUsers, groups };
}

/** The domains this workspace has proved with SSO domain verification: the only addresses SCIM may provision. */
export async function verifiedDomains(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.ssoProvider.findMany({ where: { organizationId: workspaceId, domainVerified: true }, select: { domain: true } });
  return rows.map((r) => r.domain);
}

export const findRoleMapping = async (db: Db, workspaceId: string) =>
  (await db.workspaceSso.findUnique({ where: { workspaceId }, select: { roleMapping: true } }))?.roleMapping ?? [];

const USER_WITH_GROUPS = { groups: { select: { group: { select: { id: true, displayName: true, externalId: true } } } } } as const;
export type ScimUserRow = Prisma.ScimUserGetPayload<{ include: typeof USER_WITH_GROUPS }>;

export const findScimUser = (db: Db, workspaceId: string, id: string) =>
  db.scimUser.findFirst({ where: { id, workspaceId }, include: USER_WITH_GROUPS });

export const findScimUserByUserName = (db: Db, workspaceId: string, userName: string) =>
  db.scimUser.findFirst({ where: { workspaceId, userName: { equals: userName, mode: "insensitive" } }, select: { id: true } });

export const findScimUserOfUser = (db: Db, workspaceId: string, userId: string) =>
  db.scimUser.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select: { id: true, active: true } });

export async function listScimUsers(db: Db, workspaceId: string, where: Prisma.ScimUserWhereInput, skip: number, take: number) {
  const w = { ...where, workspaceId };
  const [total, rows] = await Promise.all([
    db.scimUser.count({ where: w }),
    take === 0 ? Promise.resolve([]) : db.scimUser.findMany({ where: w, include: USER_WITH_GROUPS, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip, take }),
  ]);
  return { total, rows };
}

const GROUP_WITH_MEMBERS = { members: { select: { scimUser: { select: { id: true, userName: true } } } } } as const;
export type ScimGroupRow = Prisma.ScimGroupGetPayload<{ include: typeof GROUP_WITH_MEMBERS }>;

export const findScimGroup = (db: Db, workspaceId: string, id: string) =>
  db.scimGroup.findFirst({ where: { id, workspaceId }, include: GROUP_WITH_MEMBERS });

export const findScimGroupByName = (db: Db, workspaceId: string, displayName: string) =>
  db.scimGroup.findFirst({ where: { workspaceId, displayName: { equals: displayName, mode: "insensitive" } }, select: { id: true } });

export async function listScimGroups(db: Db, workspaceId: string, where: Prisma.ScimGroupWhereInput, skip: number, take: number) {
  const w = { ...where, workspaceId };
  const [total, rows] = await Promise.all([
    db.scimGroup.count({ where: w }),
    take === 0
      ? Promise.resolve([])
      : db.scimGroup.findMany({ where: w, include: GROUP_WITH_MEMBERS, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip, take }),
  ]);
  return { total, rows };
}

/** The ids among `ids` that are SCIM users of this workspace (another workspace's ids are not). */
export async function existingScimUserIds(db: Db, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.scimUser.findMany({ where: { workspaceId, id: { in: [...ids] } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

export const memberOf = (db: Db, workspaceId: string, userId: string) =>
  db.member.findFirst({ where: { organizationId: workspaceId, userId }, select: { id: true, role: true } });

/**
 * Ends a user's access at once: every session of the account (sessions are not per workspace: one
 * session reaches every workspace of its user) and every API token the user holds in this workspace.
 * Tokens of the user's other workspaces stay (they answer to those workspaces' directories).
 */
export async function revokeUserAccess(tx: Tx, workspaceId: string, userId: string): Promise<{ sessionsEnded: number; tokensRevoked: number }> {
  const sessionsEnded = (await tx.session.deleteMany({ where: { userId } })).count;
  const keys = await tx.apikey.findMany({ where: { referenceId: userId }, select: { id: true, metadata: true } });
  const mine = keys.filter((k) => tokenMetadata(k.metadata).workspaceId === workspaceId).map((k) => k.id);
  const tokensRevoked = mine.length ? (await tx.apikey.deleteMany({ where: { id: { in: mine } } })).count : 0;
  return { sessionsEnded, tokensRevoked };
}
