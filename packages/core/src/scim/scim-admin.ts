/**
 * The workspace's SCIM credential, managed by its admins (/api/v1/scim): create or rotate (the secret
 * is shown once, stored as its hash), revoke (the endpoint closes), and the endpoint's state.
 */
import type { PrismaClient } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { deleteScim, findScim, hashScimToken, scimCounts, transaction, upsertScimToken } from "./scim.repository.ts";
import { newScimToken, scimBaseUrl } from "./scim.ts";

export interface ScimAdminDeps {
  prisma: PrismaClient;
  baseURL: string;
}

const TOKEN_START_LENGTH = 12;

export async function getScim(deps: ScimAdminDeps, actor: Actor) {
  const [row, counts] = await Promise.all([findScim(deps.prisma, actor.workspaceId), scimCounts(deps.prisma, actor.workspaceId)]);
  return {
    enabled: row !== null,
    baseUrl: scimBaseUrl(deps.baseURL, actor.workspaceId),
    tokenStart: row?.tokenStart ?? null,
    tokenCreatedAt: row?.createdAt.toISOString() ?? null,
    lastUsedAt: row?.lastUsedAt?.toISOString() ?? null,
    ...counts,
  };
}

/** Creates the workspace's SCIM token, or replaces it: the old one stops working in the same commit. */
export async function createScimToken(deps: ScimAdminDeps, actor: Actor) {
  const token = newScimToken();
  const tokenStart = token.slice(0, TOKEN_START_LENGTH);
  const { rotated, createdAt } = await transaction(deps.prisma, async (tx) => {
    const before = await findScim(tx, actor.workspaceId);
    const row = await upsertScimToken(tx, actor.workspaceId, { tokenHash: hashScimToken(token), tokenStart, createdById: actor.userId });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: before ? "scim.token_rotated" : "scim.token_created",
      targetType: "workspace",
      targetId: actor.workspaceId,
      // Never the secret; its first characters tell tokens apart.
      data: { tokenStart, ...(before ? { previousTokenStart: before.tokenStart } : {}) },
    });
    return { rotated: before !== null, createdAt: row.createdAt };
  });
  return { token, tokenStart, baseUrl: scimBaseUrl(deps.baseURL, actor.workspaceId), rotated, createdAt: createdAt.toISOString() };
}

/** Revokes the token: the SCIM endpoint answers 401 until a new one is created. Users and groups stay. */
export async function revokeScimToken(deps: ScimAdminDeps, actor: Actor) {
  await transaction(deps.prisma, async (tx) => {
    const before = await findScim(tx, actor.workspaceId);
    if (!before || (await deleteScim(tx, actor.workspaceId)) === 0)
      throw new AppError("not_found", "SCIM token: this workspace has none to revoke");
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "scim.token_revoked",
      targetType: "workspace",
      targetId: actor.workspaceId,
      data: { tokenStart: before.tokenStart },
    });
  });
  return { revoked: true as const };
}
