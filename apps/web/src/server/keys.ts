import "server-only";
import { parseMasterKey, type Keyring } from "@parapet/core";
import { parseOldKeys } from "@parapet/core/cli/ops-env";
import { AppError } from "@parapet/core";
import { env } from "@/env";

let cached: Keyring | undefined;

/** The master keyring; without PARAPET_MASTER_KEY, features that store secrets answer 503. */
export function keyring(): Keyring {
  if (cached) return cached;
  const e = env();
  if (!e.PARAPET_MASTER_KEY) throw new AppError("unavailable", "PARAPET_MASTER_KEY is not configured on this server");
  const current = parseMasterKey(e.PARAPET_MASTER_KEY_ID, e.PARAPET_MASTER_KEY);
  cached = { current, all: [current, ...parseOldKeys(e.PARAPET_MASTER_KEYS_OLD).filter((k) => k.id !== current.id)] };
  return cached;
}
