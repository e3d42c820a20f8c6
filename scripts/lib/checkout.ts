/**
 * One checkout's demo state. Each checkout generates its own secrets (.data/secrets.json: the master
 * key that seals connection credentials and event secrets), so two checkouts' demos on one machine
 * must not share a database — the second would find rows sealed under the first one's key and stop
 * with AES-GCM's bare "unable to authenticate data" — nor a Redis key prefix (one checkout's worker
 * would take the other's jobs). Both are named after the checkout's path; a database that still holds
 * another key's rows (an explicit DATABASE_URL shared by two checkouts, a deleted .data/) is refused
 * with a message naming the cause before anything is started.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { basename } from "node:path";
import type { PrismaClient } from "@parapet/db";
import { openCredentials, openEventSecret, type Keyring } from "@parapet/core";

/** Eight hex digits of the checkout's real path: stable across runs, different for another directory. */
export function checkoutId(root: string): string {
  return createHash("sha256").update(realpathSync(root)).digest("hex").slice(0, 8);
}

/** `parapet_demo_<directory>_<id>`: a valid PostgreSQL name (≤ 63 bytes) a person can recognise. */
export function demoDatabaseName(root: string): string {
  const dir = basename(realpathSync(root))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32);
  return ["parapet_demo", dir, checkoutId(root)].filter(Boolean).join("_");
}

/** The demo's queues, locks and rate limits, apart from another checkout's demo on the same Redis. */
export function demoRedisPrefix(root: string): string {
  return `parapet-demo-${checkoutId(root)}:`;
}

export class ForeignKeyError extends Error {}

/**
 * Refuses a database whose sealed rows claim this checkout's master key id but do not open with its
 * key: every demo names its key `demo-k1`, so that is exactly another checkout's demo (or a deleted
 * .data/). Rows under other key ids already fail with "master key … is not configured", which names
 * the cause. A few of the newest rows are enough: they were all sealed by the same demo.
 */
export async function assertSealedWithOurKey(
  prisma: PrismaClient,
  keys: Keyring,
  where: { database: string; secretsFile: string },
): Promise<void> {
  const rows = await prisma.connection.findMany({
    where: { credentialKeyId: { in: keys.all.map((k) => k.id) } },
    select: { id: true, credentialCiphertext: true, eventSecretCiphertext: true },
    orderBy: { createdAt: "desc" },
    take: 5,
  });
  for (const r of rows) {
    try {
      if (r.credentialCiphertext) openCredentials(keys, r.id, r.credentialCiphertext);
      if (r.eventSecretCiphertext) openEventSecret(keys, r.id, r.eventSecretCiphertext);
    } catch {
      throw new ForeignKeyError(
        `database ${where.database} holds connection secrets sealed with another master key than this checkout's ` +
          `(${where.secretsFile}): it belongs to another checkout's demo, or this checkout's .data/ was deleted. ` +
          `Point DATABASE_URL at another database, or drop ${where.database} to start the demo afresh.`,
      );
    }
  }
}
