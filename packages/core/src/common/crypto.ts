import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * AES-256-GCM envelope encryption for cloud credentials and webhook secrets. Each value gets its own
 * random data key, which is itself sealed under the master key; the master key id is stored beside
 * the ciphertext so keys can be rotated (`parapet keys rotate` re-wraps every data key).
 */
export interface MasterKey {
  id: string;
  key: Buffer;
}

interface Envelope {
  v: 1;
  kid: string;
  /** data key sealed under the master key: iv.tag.ciphertext, base64 */
  dk: string;
  /** value sealed under the data key: iv.tag.ciphertext, base64 */
  ct: string;
}

function seal(key: Buffer, plain: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return [iv, c.getAuthTag(), ct].map((b) => b.toString("base64")).join(".");
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, tag, ct] = sealed.split(".").map((p) => Buffer.from(p, "base64"));
  if (!iv || !tag || !ct) throw new Error("malformed sealed value");
  const d = createDecipheriv("aes-256-gcm", key, iv);
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

/** Parses a base64 master key (32 bytes) from configuration. */
export function parseMasterKey(id: string, base64: string): MasterKey {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new Error(`master key ${id} must be 32 bytes of base64, got ${key.length} bytes`);
  return { id, key };
}

/**
 * @param context bound into the authentication tag (e.g. the connection id), so a ciphertext copied
 *   onto another row does not decrypt.
 */
export function encryptSecret(master: MasterKey, plaintext: string, context: string): string {
  const dataKey = randomBytes(32);
  const env: Envelope = {
    v: 1,
    kid: master.id,
    dk: seal(master.key, dataKey, `dk:${context}`),
    ct: seal(dataKey, Buffer.from(plaintext, "utf8"), `ct:${context}`),
  };
  return JSON.stringify(env);
}

export function decryptSecret(keys: MasterKey[], envelopeJson: string, context: string): string {
  const env = JSON.parse(envelopeJson) as Envelope;
  const master = keys.find((k) => k.id === env.kid);
  if (!master) throw new Error(`master key "${env.kid}" is not configured`);
  const dataKey = open(master.key, env.dk, `dk:${context}`);
  return open(dataKey, env.ct, `ct:${context}`).toString("utf8");
}

/** Re-wraps the data key under a new master key without touching the value's ciphertext. */
export function rewrapSecret(keys: MasterKey[], to: MasterKey, envelopeJson: string, context: string): string {
  const env = JSON.parse(envelopeJson) as Envelope;
  const from = keys.find((k) => k.id === env.kid);
  if (!from) throw new Error(`master key "${env.kid}" is not configured`);
  const dataKey = open(from.key, env.dk, `dk:${context}`);
  return JSON.stringify({ ...env, kid: to.id, dk: seal(to.key, dataKey, `dk:${context}`) } satisfies Envelope);
}

export function envelopeKeyId(envelopeJson: string): string {
  return (JSON.parse(envelopeJson) as Envelope).kid;
}
