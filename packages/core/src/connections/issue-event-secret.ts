import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import type { ConnectionDeps } from "./create-connection.ts";
import { findConnection, transaction, updateConnection } from "./connections.repository.ts";
import { sealEventSecret } from "./secrets.ts";

/**
 * A new HMAC secret for the connection's cloud-event webhook. Returned once (only its sealed form
 * is stored); issuing another replaces it, which is how a leaked secret is rotated.
 */
export async function issueEventSecret(deps: ConnectionDeps, actor: Actor, id: string, baseUrl: string) {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  const secret = randomBytes(32).toString("base64url");
  const sealed = sealEventSecret(deps.keys(), id, secret);
  await transaction(deps.prisma, async (tx) => {
    await updateConnection(tx, id, { eventSecretCiphertext: sealed });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "connection.event_secret_issued",
      targetType: "connection",
      targetId: id,
      data: { replaced: c.eventSecretCiphertext !== null },
    });
  });
  return { url: `${baseUrl.replace(/\/+$/, "")}/api/v1/events/${c.cloud}/${id}`, secret };
}
