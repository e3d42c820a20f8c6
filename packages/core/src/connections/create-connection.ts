import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { envelopeKeyId } from "../common/crypto.ts";
import { workspaceAwsExternalId } from "./aws-external-id.ts";
import { connectionView } from "./connection-view.ts";
import type { TCreateConnectionInput } from "./connections.schema.ts";
import { insertConnection, transaction } from "./connections.repository.ts";
import { checkPrincipals, credentialHints, parseCredentials, parseFacts } from "./credentials.ts";
import { sealCredentials, type Keyring } from "./secrets.ts";

export interface ConnectionDeps extends UseCaseDeps {
  /** Resolved lazily: without a master key, storing secrets answers 503 and nothing else breaks. */
  keys: () => Keyring;
}

/** Generated here (not by the database) because the sealed credentials are bound to the row's id. */
export const newConnectionId = () => `c${randomBytes(12).toString("hex")}`;

export async function checkAwsExternalId(deps: Pick<UseCaseDeps, "prisma">, workspaceId: string, credentials: Record<string, unknown>): Promise<void> {
  if (credentials.kind !== "assume-role") return;
  const expected = await workspaceAwsExternalId(deps.prisma, workspaceId);
  if (credentials.externalId !== expected) {
    const message = `must be this workspace's external id "${expected}" (see GET /connections/bootstrap?cloud=aws)`;
    throw new AppError("validation", `credentials.externalId: ${message}`, [{ field: "credentials.externalId", message }]);
  }
}

/** Stores a connection with sealed credentials (status "verifying") and queues its verification. */
export async function createConnection(deps: ConnectionDeps, actor: Actor, input: TCreateConnectionInput) {
  const credentials = parseCredentials(input.cloud, input.credentials);
  const facts = parseFacts(input.cloud, input.facts);
  const principals = checkPrincipals(input.cloud, input.principals);
  if (input.cloud === "aws") await checkAwsExternalId(deps, actor.workspaceId, credentials);
  const keys = deps.keys();
  const id = newConnectionId();
  const sealed = sealCredentials(keys, id, credentials);
  const row = await transaction(deps.prisma, async (tx) => {
    const c = await insertConnection(tx, {
      id,
      workspaceId: actor.workspaceId,
      cloud: input.cloud,
      name: input.name,
      endpoint: input.endpoint ?? null,
      credentialCiphertext: sealed,
      credentialKeyId: envelopeKeyId(sealed),
      credentialHints: credentialHints(input.cloud, credentials),
      facts,
      principals,
      pollIntervalSec: input.pollIntervalSec ?? 300,
      createdById: actor.userId,
    });
    await appendAudit(tx, { ...auditBy(actor), action: "connection.created", targetType: "connection", targetId: id, data: { cloud: input.cloud, name: input.name, endpoint: input.endpoint ?? null, credentialHints: c.credentialHints } });
    return c;
  });
  const jobId = await deps.jobs.enqueueConnectionTask({ connectionId: id, task: "verify", requestedBy: actor.label.slice(0, 200) }).catch(() => null);
  return { ...connectionView(row), verifyJobId: jobId };
}
