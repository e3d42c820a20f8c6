import { createHash, randomUUID } from "node:crypto";
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
    take === 0
      ? Promise.resolve([])
      : db.scimUser.findMany({ where: w, include: USER_WITH_GROUPS, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip, take }),
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
export async function revokeUserAccess(
  tx: Tx,
  workspaceId: string,
  userId: string,
): Promise<{ sessionsEnded: number; tokensRevoked: number }> {
  const sessionsEnded = (await tx.session.deleteMany({ where: { userId } })).count;
  const keys = await tx.apikey.findMany({ where: { referenceId: userId }, select: { id: true, metadata: true } });
  const mine = keys.filter((k) => tokenMetadata(k.metadata).workspaceId === workspaceId).map((k) => k.id);
  const tokensRevoked = mine.length ? (await tx.apikey.deleteMany({ where: { id: { in: mine } } })).count : 0;
  return { sessionsEnded, tokensRevoked };
}

// ── Writes (all inside the SCIM request's transaction) ──────────────────────────────────────────

export const addMember = (tx: Tx, workspaceId: string, userId: string, role: string) =>
  tx.member.create({ data: { id: randomUUID(), organizationId: workspaceId, userId, role, createdAt: new Date() } });
export const setMemberRole = (tx: Tx, id: string, role: string) => tx.member.update({ where: { id }, data: { role } });
export const deleteMember = (tx: Tx, id: string) => tx.member.delete({ where: { id } });

export const findUserIdByEmail = async (db: Db, email: string) =>
  (await db.user.findUnique({ where: { email }, select: { id: true } }))?.id ?? null;
export const createAccount = async (tx: Tx, email: string, name: string) =>
  (await tx.user.create({ data: { id: randomUUID(), email, name, emailVerified: true }, select: { id: true } })).id;
export const setAccountEmail = (tx: Tx, userId: string, email: string) => tx.user.update({ where: { id: userId }, data: { email } });
export const membershipsElsewhere = (db: Db, userId: string, workspaceId: string) =>
  db.member.count({ where: { userId, organizationId: { not: workspaceId } } });

export interface ScimUserData {
  userName: string;
  email: string;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  active: boolean;
}
export const createScimUser = (tx: Tx, workspaceId: string, userId: string, data: ScimUserData) =>
  tx.scimUser.create({ data: { id: randomUUID(), workspaceId, userId, ...data } });
/** Changes some fields and bumps the resource version (its ETag). */
export const updateScimUser = (tx: Tx, id: string, data: Partial<ScimUserData>) =>
  tx.scimUser.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
export const deleteScimUser = (tx: Tx, id: string) => tx.scimUser.delete({ where: { id } });
export const activeScimUserIds = async (db: Db, workspaceId: string) =>
  (await db.scimUser.findMany({ where: { workspaceId, active: true }, select: { id: true } })).map((r) => r.id);

export const createScimGroup = (tx: Tx, workspaceId: string, displayName: string, externalId: string | null) =>
  tx.scimGroup.create({ data: { id: randomUUID(), workspaceId, displayName, externalId } });
export const updateScimGroup = (tx: Tx, id: string, displayName: string, externalId: string | null) =>
  tx.scimGroup.update({ where: { id }, data: { displayName, externalId, version: { increment: 1 } } });
export const deleteScimGroup = (tx: Tx, id: string) => tx.scimGroup.delete({ where: { id } });
export const addGroupMembers = async (tx: Tx, groupId: string, scimUserIds: readonly string[]) =>
  (await tx.scimGroupMember.createMany({ data: scimUserIds.map((scimUserId) => ({ groupId, scimUserId })), skipDuplicates: true })).count;
export const removeGroupMembers = async (tx: Tx, groupId: string, scimUserIds: readonly string[]) =>
  (await tx.scimGroupMember.deleteMany({ where: { groupId, scimUserId: { in: [...scimUserIds] } } })).count;

/** A SCIM `attr eq "value"` filter as a where clause (userName and displayName compare case-insensitively, RFC 7643 caseExact=false). */
export function userFilter(f: { attribute: string; value: string } | null): Prisma.ScimUserWhereInput {
  if (!f) return {};
  if (f.attribute === "userName") return { userName: { equals: f.value, mode: "insensitive" } };
  if (f.attribute === "emails.value") return { email: f.value.trim().toLowerCase() };
  if (f.attribute === "externalId") return { externalId: f.value };
  return { id: f.value };
}
export function groupFilter(f: { attribute: string; value: string } | null): Prisma.ScimGroupWhereInput {
  if (!f) return {};
  if (f.attribute === "displayName") return { displayName: { equals: f.value, mode: "insensitive" } };
  if (f.attribute === "externalId") return { externalId: f.value };
  return { id: f.value };
}
