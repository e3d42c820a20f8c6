import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { tokenMetadata } from "./token-metadata.ts";
import { deleteKey, findKey, transaction } from "./tokens.repository.ts";

export async function revokeToken(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const k = await findKey(deps.prisma, id);
  if (!k || tokenMetadata(k.metadata).workspaceId !== actor.workspaceId) throw notFound("token", id);
  await transaction(deps.prisma, async (tx) => {
    await deleteKey(tx, id);
    await appendAudit(tx, { ...auditBy(actor), action: "token.revoked", targetType: "token", targetId: id, data: { name: k.name } });
  });
  return { id, revoked: true };
}
