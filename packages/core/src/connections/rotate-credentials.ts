import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor } from "../common/actor.ts";
import { envelopeKeyId } from "../common/crypto.ts";
import { notFound } from "../common/errors.ts";
import { checkAwsExternalId, parseConnectionCredentials, type ConnectionDeps } from "./create-connection.ts";
import { connectionView } from "./connection-view.ts";
import { findConnection, transaction, updateConnection } from "./connections.repository.ts";
import { sealCredentials } from "./secrets.ts";

/** Replaces a connection's credentials (sealed anew) and re-verifies them. */
export async function rotateCredentials(deps: ConnectionDeps, actor: Actor, id: string, raw: unknown) {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  const cloud = c.cloud;
  const { credentials, hints } = parseConnectionCredentials(cloud, raw, deps.egressAllowlist);
  if (cloud === "aws") await checkAwsExternalId(deps, actor.workspaceId, credentials);
  const sealed = sealCredentials(deps.keys(), id, credentials);
  const row = await transaction(deps.prisma, async (tx) => {
    const r = await updateConnection(tx, id, {
      credentialCiphertext: sealed,
      credentialKeyId: envelopeKeyId(sealed),
      credentialHints: hints,
      status: "verifying",
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "connection.credentials_rotated",
      targetType: "connection",
      targetId: id,
      data: { credentialHints: hints },
    });
    return r;
  });
  const jobId = await deps.jobs
    .enqueueConnectionTask({ connectionId: id, task: "verify", requestedBy: actor.label.slice(0, 200) })
    .catch(() => null);
  return { ...connectionView(row), verifyJobId: jobId };
}
