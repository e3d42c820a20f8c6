import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { tokenMetadata } from "./token-metadata.ts";
import { deleteKey, findKey, transaction } from "./tokens.repository.ts";

export async function revokeToken(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  return revoke(deps, actor, id, false);
}

/** One of the caller's own tokens (the sessions page); someone else's is answered as not found. */
export async function revokeMyToken(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  return revoke(deps, actor, id, true);
}

async function revoke(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string, ownOnly: boolean) {
  const k = await findKey(deps.prisma, id);
  if (!k || tokenMetadata(k.metadata).workspaceId !== actor.workspaceId || (ownOnly && k.referenceId !== actor.userId))
    throw notFound("token", id);
  await transaction(deps.prisma, async (tx) => {
    await deleteKey(tx, id);
    await appendAudit(tx, { ...auditBy(actor), action: "token.revoked", targetType: "token", targetId: id, data: { name: k.name } });
  });
  return { id, revoked: true };
}
