import { z } from "zod";
import { parseMasterKey, type MasterKey } from "../common/crypto.ts";
import type { Keyring } from "../connections/secrets.ts";
import { auditConfigFromEnv, auditEnvShape, type AuditConfig } from "../audit/audit-keys.ts";

/** What the operations commands (audit verify, keys rotate) read from the environment. */
const ZOpsEnv = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (postgresql://user@host:5432/db)"),
  PARAPET_MASTER_KEY: z.string().optional(),
  PARAPET_MASTER_KEY_ID: z.string().max(64).default("k1"),
  /** Keys being retired, "id:base64,id:base64": still decrypt until `keys rotate` has re-wrapped every row. */
  PARAPET_MASTER_KEYS_OLD: z.string().default(""),
  PARAPET_AUTH_SECRET: z.string().optional(),
  ...auditEnvShape,
});

export class OpsEnvError extends Error {}

export function opsEnv(env: NodeJS.ProcessEnv = process.env) {
  const r = ZOpsEnv.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new OpsEnvError(`${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}

export function parseOldKeys(spec: string): MasterKey[] {
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(":");
      if (at <= 0) throw new OpsEnvError(`PARAPET_MASTER_KEYS_OLD: expected "id:base64", got "${pair.slice(0, 20)}…"`);
      return keyFrom("PARAPET_MASTER_KEYS_OLD", pair.slice(0, at), pair.slice(at + 1));
    });
}

/** parseMasterKey's complaint, as a one-line error naming the variable it came from. */
function keyFrom(variable: string, id: string, b64: string): MasterKey {
  try {
    return parseMasterKey(id, b64);
  } catch (e) {
    throw new OpsEnvError(`${variable}: ${(e as Error).message}`);
  }
}

export function opsKeyring(env: ReturnType<typeof opsEnv>): Keyring {
  if (!env.PARAPET_MASTER_KEY) throw new OpsEnvError("PARAPET_MASTER_KEY: required (the key to re-wrap every secret under)");
  const current = keyFrom("PARAPET_MASTER_KEY", env.PARAPET_MASTER_KEY_ID, env.PARAPET_MASTER_KEY);
  const old = parseOldKeys(env.PARAPET_MASTER_KEYS_OLD).filter((k) => k.id !== current.id);
  return { current, all: [current, ...old] };
}

/** The audit chain's keys and checkpoint directory, as the apps derive them. */
export function opsAuditConfig(env: ReturnType<typeof opsEnv>): AuditConfig {
  try {
    return auditConfigFromEnv(env);
  } catch (e) {
    throw new OpsEnvError((e as Error).message);
  }
}
