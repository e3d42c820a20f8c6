import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { tokenMetadata } from "./token-metadata.ts";
import { keysOfMembers } from "./tokens.repository.ts";

/** The workspace's API tokens (never the secret: only its first characters). */
export async function listTokens(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  return tokensOf(deps, actor, null);
}

/**
 * The caller's own API tokens in this workspace (issue 18: the sessions page lists them beside the
 * sessions, whatever the caller's role; a token is its owner's to see and end).
 */
export async function listMyTokens(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  return tokensOf(deps, actor, actor.userId);
}

async function tokensOf(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, ownerId: string | null) {
  const { keys, emails } = await keysOfMembers(deps.prisma, actor.workspaceId);
  return {
    items: keys
      .map((k) => ({ k, meta: tokenMetadata(k.metadata) }))
      .filter(({ k, meta }) => meta.workspaceId === actor.workspaceId && (ownerId === null || k.referenceId === ownerId))
      .map(({ k, meta }) => ({
        id: k.id,
        name: k.name,
        start: k.start,
        role: meta.role,
        scope: meta.scope,
        type: meta.type,
        workspaceId: actor.workspaceId,
        owner: { id: k.referenceId, email: emails.get(k.referenceId) ?? null },
        enabled: k.enabled !== false,
        expiresAt: k.expiresAt?.toISOString() ?? null,
        lastUsedAt: k.lastRequest?.toISOString() ?? null,
        createdAt: k.createdAt.toISOString(),
      })),
  };
}
