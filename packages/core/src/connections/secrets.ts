import { decryptSecret, encryptSecret, type MasterKey } from "../common/crypto.ts";

/**
 * Master keys in force: the current one encrypts; older ones still decrypt until `keys rotate`
 * re-wraps every row. Configured from PARAPET_MASTER_KEY (+ PARAPET_MASTER_KEYS_OLD "id:base64,…").
 */
export interface Keyring {
  current: MasterKey;
  all: MasterKey[];
}

/** The context binds a ciphertext to its row and purpose, so it cannot be replayed elsewhere. */
const ctx = (connectionId: string, purpose: "credentials" | "event-secret") => `connection:${connectionId}:${purpose}`;

export function sealCredentials(keys: Keyring, connectionId: string, credentials: unknown): string {
  return encryptSecret(keys.current, JSON.stringify(credentials), ctx(connectionId, "credentials"));
}

export function openCredentials(keys: Keyring, connectionId: string, sealed: string): unknown {
  return JSON.parse(decryptSecret(keys.all, sealed, ctx(connectionId, "credentials"))) as unknown;
}

export function sealEventSecret(keys: Keyring, connectionId: string, secret: string): string {
  return encryptSecret(keys.current, secret, ctx(connectionId, "event-secret"));
}

export function openEventSecret(keys: Keyring, connectionId: string, sealed: string): string {
  return decryptSecret(keys.all, sealed, ctx(connectionId, "event-secret"));
}
