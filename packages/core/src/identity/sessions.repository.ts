import { readRows, type PrismaClient } from "@parapet/db";

/** One trivial statement: answers when the database does (health checks, telling an outage from a bad key). */
export function pingDatabase(prisma: PrismaClient) {
  return prisma.$queryRaw`SELECT 1`;
}

/**
 * An API token's owner in the token's workspace: their role there and e-mail, or null when they are no
 * longer a member. On every token request, so one indexed statement (member's (organizationId, userId)
 * key, then the user's primary key) on the pool (readRows), not Prisma's two queries for an include.
 */
export async function findTokenOwner(
  prisma: PrismaClient,
  workspaceId: string,
  userId: string,
): Promise<{ userId: string; role: string; email: string } | null> {
  const rows = await readRows<{ userId: string; role: string; email: string }>(
    prisma,
    `SELECT m."userId", m.role, u.email FROM member m JOIN "user" u ON u.id = m."userId" WHERE m."organizationId" = $1 AND m."userId" = $2`,
    [workspaceId, userId],
  );
  return rows[0] ?? null;
}

/**
 * A user's memberships (workspace and role), oldest first: on every signed-in API request, so one
 * statement on the member(userId) index through the pool (readRows) rather than a Prisma query.
 */
export function membershipsOf(prisma: PrismaClient, userId: string) {
  return readRows<{ organizationId: string; role: string }>(
    prisma,
    `SELECT "organizationId", role FROM member WHERE "userId" = $1 ORDER BY "createdAt", id`,
    [userId],
  );
}

/**
 * A user's memberships with each workspace's id, name and slug, oldest first (the console's session,
 * `/me`): one statement on the pool (readRows) instead of Prisma's two for the include.
 */
export function membershipsWithWorkspaces(prisma: PrismaClient, userId: string) {
  return readRows<{ organizationId: string; role: string; workspace: { id: string; name: string; slug: string } }>(
    prisma,
    `SELECT m."organizationId", m.role, json_build_object('id', w.id, 'name', w.name, 'slug', w.slug) AS workspace
     FROM member m JOIN workspace w ON w.id = m."organizationId"
     WHERE m."userId" = $1 ORDER BY m."createdAt", m.id`,
    [userId],
  );
}

/** The user's membership of one workspace, or null. */
export function membershipIn(prisma: PrismaClient, workspaceId: string, userId: string) {
  return prisma.member.findUnique({ where: { organizationId_userId: { organizationId: workspaceId, userId } } });
}

/** Points a session (by id) at a workspace: its next request acts there. */
export function setSessionWorkspace(prisma: PrismaClient, sessionId: string, workspaceId: string) {
  return prisma.session.update({ where: { id: sessionId }, data: { activeOrganizationId: workspaceId } });
}

/** Points the session with this token at a workspace (a session just created by sign-in, known by its token). */
export function setSessionWorkspaceByToken(prisma: PrismaClient, token: string, workspaceId: string) {
  return prisma.session.updateMany({ where: { token }, data: { activeOrganizationId: workspaceId } });
}

/**
 * What the workspace rules (identity/session-policy.ts) need of a session, computed in the same
 * statement: when it was created and last used, whether its user has a password and an enrolled second
 * factor, and the strictest rules of the workspaces they belong to (a session is the user's, and can act
 * in any of them by switching, so the shortest lifetime and idle timeout and any MFA requirement apply).
 */
const SESSION_POLICY_COLUMNS = `(extract(epoch FROM s."createdAt") * 1000)::float8 AS "createdAtMs",
            (extract(epoch FROM s."lastSeenAt") * 1000)::float8 AS "lastSeenAtMs",
            u."twoFactorEnabled",
            EXISTS (SELECT 1 FROM auth_account a WHERE a."userId" = s."userId" AND a."providerId" = 'credential') AS "hasPassword",
            p."lifetimeHours", p."idleMinutes", coalesce(p."requireMfa", false) AS "requireMfa"`;
const SESSION_POLICY_JOIN = `LEFT JOIN LATERAL (
       SELECT min(ws."sessionLifetimeHours") AS "lifetimeHours", min(ws."idleTimeoutMinutes") AS "idleMinutes", bool_or(ws."requireMfa") AS "requireMfa"
       FROM member m JOIN workspace_settings ws ON ws."workspaceId" = m."organizationId" WHERE m."userId" = s."userId") p ON true`;

export interface SessionPolicyRow {
  id: string;
  userId: string;
  createdAtMs: number;
  lastSeenAtMs: number;
  twoFactorEnabled: boolean;
  hasPassword: boolean;
  lifetimeHours: number | null;
  idleMinutes: number | null;
  requireMfa: boolean;
}

/**
 * The session with this token, its user's e-mail, the user's memberships (oldest first) and the
 * workspace rules that apply to it, or null: one statement on the pool (readRows) for every
 * cookie-authenticated API request (session-verify.ts). The session's unique token index, the user's
 * primary key, member(userId), workspace_settings' primary key and auth_account(userId).
 */
export async function findSessionByToken(prisma: PrismaClient, token: string) {
  const rows = await readRows<
    SessionPolicyRow & {
      activeOrganizationId: string | null;
      expiresAtMs: number;
      email: string;
      memberships: { organizationId: string; role: string }[];
    }
  >(
    prisma,
    `SELECT s.id, s."userId", s."activeOrganizationId", (extract(epoch FROM s."expiresAt") * 1000)::float8 AS "expiresAtMs", u.email,
            coalesce((SELECT json_agg(json_build_object('organizationId', m."organizationId", 'role', m.role) ORDER BY m."createdAt", m.id)
                      FROM member m WHERE m."userId" = s."userId"), '[]'::json) AS memberships,
            ${SESSION_POLICY_COLUMNS}
     FROM session s JOIN "user" u ON u.id = s."userId"
     ${SESSION_POLICY_JOIN}
     WHERE s.token = $1`,
    [token],
  );
  return rows[0] ?? null;
}

/** The same rules for a session known by id (after better-auth's getSession accepted it). */
export async function findSessionPolicy(prisma: PrismaClient, sessionId: string): Promise<SessionPolicyRow | null> {
  const rows = await readRows<SessionPolicyRow>(
    prisma,
    `SELECT s.id, s."userId", ${SESSION_POLICY_COLUMNS}
     FROM session s JOIN "user" u ON u.id = s."userId"
     ${SESSION_POLICY_JOIN}
     WHERE s.id = $1`,
    [sessionId],
  );
  return rows[0] ?? null;
}

/** Records a request on the session (the idle clock), at most once a minute: one indexed UPDATE that usually matches nothing. */
export async function touchSession(prisma: PrismaClient, sessionId: string): Promise<void> {
  await readRows(prisma, `UPDATE session SET "lastSeenAt" = now() WHERE id = $1 AND "lastSeenAt" < now() - interval '60 seconds'`, [
    sessionId,
  ]);
}

/** Ends a session that broke a workspace rule; its cookie is refused from now on. */
export async function deleteSessionById(prisma: PrismaClient, sessionId: string): Promise<number> {
  return (await prisma.session.deleteMany({ where: { id: sessionId } })).count;
}
