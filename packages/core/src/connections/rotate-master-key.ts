import type { PrismaClient } from "@parapet/db";
import { envelopeKeyId, rewrapSecret } from "../common/crypto.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { sealedSecrets, storeResealed } from "./connections.repository.ts";
import type { Keyring } from "./secrets.ts";

export interface RotationResult {
  connections: number;
  rewrapped: number;
  alreadyCurrent: number;
  failed: Array<{ connectionId: string; what: "credentials" | "event-secret"; error: string }>;
}

/**
 * Re-wraps every sealed secret's data key under `keys.current` (values themselves are not
 * re-encrypted). Idempotent: envelopes already under the current key are left alone, so a
 * rotation interrupted halfway is finished by running it again.
 */
export async function rotateMasterKey(prisma: PrismaClient, keys: Keyring, scope: { workspaceId?: string } = {}): Promise<RotationResult> {
  const out: RotationResult = { connections: 0, rewrapped: 0, alreadyCurrent: 0, failed: [] };
  const touched = new Map<string, number>();
  for (const row of await sealedSecrets(prisma, scope.workspaceId)) {
    out.connections++;
    const data: { credentialCiphertext?: string; credentialKeyId?: string; eventSecretCiphertext?: string } = {};
    for (const [what, sealed, purpose] of [
      ["credentials", row.credentialCiphertext, "credentials"],
      ["event-secret", row.eventSecretCiphertext, "event-secret"],
    ] as const) {
      if (!sealed) continue;
      try {
        if (envelopeKeyId(sealed) === keys.current.id) {
          out.alreadyCurrent++;
          continue;
        }
        const next = rewrapSecret(keys.all, keys.current, sealed, `connection:${row.id}:${purpose}`);
        if (what === "credentials") {
          data.credentialCiphertext = next;
          data.credentialKeyId = keys.current.id;
        } else data.eventSecretCiphertext = next;
      } catch (e) {
        out.failed.push({ connectionId: row.id, what, error: (e as Error).message });
      }
    }
    if (Object.keys(data).length) {
      await storeResealed(prisma, row.id, data);
      const n = (data.credentialCiphertext ? 1 : 0) + (data.eventSecretCiphertext ? 1 : 0);
      out.rewrapped += n;
      touched.set(row.workspaceId, (touched.get(row.workspaceId) ?? 0) + n);
    }
  }
  for (const [workspaceId, n] of touched) {
    await appendAudit(prisma, {
      workspaceId,
      actorType: "system",
      actorLabel: "parapet keys rotate",
      action: "keys.rotated",
      targetType: "workspace",
      targetId: workspaceId,
      data: { rewrapped: n, keyId: keys.current.id },
    });
  }
  return out;
}
