import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, envelopeKeyId, parseMasterKey, rewrapSecret } from "./crypto.ts";

const k1 = parseMasterKey("k1", randomBytes(32).toString("base64"));
const k2 = parseMasterKey("k2", randomBytes(32).toString("base64"));

describe("envelope encryption", () => {
  it("round-trips and never contains the plaintext", () => {
    const sealed = encryptSecret(k1, "super-secret-value", "conn_1");
    expect(sealed).not.toContain("super-secret-value");
    expect(decryptSecret([k1], sealed, "conn_1")).toBe("super-secret-value");
    expect(envelopeKeyId(sealed)).toBe("k1");
  });
  it("refuses a ciphertext moved to another row", () => {
    const sealed = encryptSecret(k1, "x", "conn_1");
    expect(() => decryptSecret([k1], sealed, "conn_2")).toThrow();
  });
  it("detects tampering", () => {
    const env = JSON.parse(encryptSecret(k1, "value", "c")) as { ct: string };
    const parts = env.ct.split(".");
    const ct = Buffer.from(parts[2]!, "base64");
    ct[0] = ct[0]! ^ 1;
    parts[2] = ct.toString("base64");
    expect(() => decryptSecret([k1], JSON.stringify({ ...env, ct: parts.join(".") }), "c")).toThrow();
  });
  it("rotates the master key by re-wrapping", () => {
    const sealed = encryptSecret(k1, "value", "c");
    const rotated = rewrapSecret([k1], k2, sealed, "c");
    expect(envelopeKeyId(rotated)).toBe("k2");
    expect(decryptSecret([k2], rotated, "c")).toBe("value");
    expect(() => decryptSecret([k1], rotated, "c")).toThrow(/k2/);
  });
  it("rejects a master key of the wrong size", () => {
    expect(() => parseMasterKey("bad", Buffer.from("short").toString("base64"))).toThrow(/32 bytes/);
  });
});
