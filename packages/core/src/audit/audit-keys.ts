/**
 * The audit chain's HMAC keys and its checkpoint directory: process configuration, set once at start
 * by each entry point (web env.ts, worker env.ts, the CLI, the test harness) from its environment.
 *
 * The key is not stored in the database, so someone who can write the audit table (or restore a
 * doctored backup) cannot recompute the chain. It is derived with HKDF from PARAPET_AUDIT_KEY, or from
 * PARAPET_AUTH_SECRET when that is unset: both apps already share that secret, so the demo and a plain
 * deployment get a keyed chain with nothing new to configure, while an operator can give the audit log
 * a key of its own (and rotate it independently of sessions). A key's id is a fingerprint of the key
 * itself, stored on every row: after a rotation, rows made with a retired key name the id that is
 * missing instead of failing as "tampered", and PARAPET_AUDIT_KEYS_OLD keeps them verifiable.
 */
import { createHash, createHmac, hkdfSync } from "node:crypto";
import { z } from "zod";

interface AuditKey {
  id: string;
  key: Buffer;
}

export interface AuditConfig {
  current: AuditKey;
  all: Map<string, AuditKey>;
  /** Where signed chain heads are appended (outside the database); null: checkpoints are off. */
  checkpointDir: string | null;
}

function deriveAuditKey(secret: string): AuditKey {
  const key = Buffer.from(hkdfSync("sha256", secret, "parapet", "audit-chain-v1", 32));
  return { id: `a${createHash("sha256").update(key).digest("hex").slice(0, 10)}`, key };
}

export function auditConfigFrom(opts: { secret: string; oldSecrets?: string[]; checkpointDir?: string | null }): AuditConfig {
  if (opts.secret.length < 32) throw new Error("audit key: the secret must be at least 32 characters");
  const current = deriveAuditKey(opts.secret);
  const all = new Map([[current.id, current]]);
  for (const s of opts.oldSecrets ?? []) if (s) all.set(deriveAuditKey(s).id, deriveAuditKey(s));
  return { current, all, checkpointDir: opts.checkpointDir ?? null };
}

let configured: AuditConfig | undefined;

export function configureAudit(c: AuditConfig): void {
  configured = c;
}

/** Whether this process has its audit key yet (a benchmark sets one only when its own code has not). */
export function auditConfigured(): boolean {
  return configured !== undefined;
}

export function auditConfig(): AuditConfig {
  if (!configured) throw new Error("audit: no audit key configured (set PARAPET_AUTH_SECRET or PARAPET_AUDIT_KEY)");
  return configured;
}

export function hmacHex(key: Buffer, ...parts: string[]): string {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** The audit variables every entry point reads (each from its own env.ts). */
export const auditEnvShape = {
  /** ≥ 32 characters; unset: derived from PARAPET_AUTH_SECRET. */
  PARAPET_AUDIT_KEY: z.string().min(32, "PARAPET_AUDIT_KEY must be at least 32 characters").optional(),
  /** Retired audit secrets, comma-separated: rows and checkpoints made with them stay verifiable. */
  PARAPET_AUDIT_KEYS_OLD: z.string().default(""),
  /** Directory of signed chain heads (outside the database). */
  PARAPET_AUDIT_CHECKPOINT_DIR: z.string().max(1000).optional(),
};

export function auditConfigFromEnv(e: {
  PARAPET_AUDIT_KEY?: string | undefined;
  PARAPET_AUDIT_KEYS_OLD: string;
  PARAPET_AUDIT_CHECKPOINT_DIR?: string | undefined;
  PARAPET_AUTH_SECRET?: string | undefined;
}): AuditConfig {
  const secret = e.PARAPET_AUDIT_KEY ?? e.PARAPET_AUTH_SECRET;
  if (!secret)
    throw new Error("configuration: PARAPET_AUDIT_KEY or PARAPET_AUTH_SECRET is required (the audit chain's HMAC key is derived from it)");
  const oldSecrets = e.PARAPET_AUDIT_KEYS_OLD.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return auditConfigFrom({ secret, oldSecrets, checkpointDir: e.PARAPET_AUDIT_CHECKPOINT_DIR || null });
}
