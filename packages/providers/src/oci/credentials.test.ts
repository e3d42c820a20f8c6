import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkPrivateKey, ZOciCredentials } from "./credentials.ts";
import { minimumPermissions, ociBootstrapStatements, permissionFor } from "./permissions.ts";

const rsa = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const good = {
  tenancyId: "ocid1.tenancy.oc1..aaaaaaaaba3pv6wkcr4jqae5f15p2b2m2yt2j6rx32uzr4h25vqstifsfdsq",
  userId: "ocid1.user.oc1..aaaaaaaa5ocyo7jqjzgjenvccch46buhpaaofplzxlp3xbxfcdwwk2tyrwqa",
  fingerprint: "20:3B:97:13:55:1c:1f:7f:26:8c:a5:1d:0c:e2:9b:4e",
  privateKeyPem: rsa.privateKey,
  region: "eu-frankfurt-1",
};

describe("ZOciCredentials", () => {
  it("accepts API-key credentials and lower-cases the fingerprint", () => {
    const r = ZOciCredentials.parse(good);
    expect(r.fingerprint).toBe("20:3b:97:13:55:1c:1f:7f:26:8c:a5:1d:0c:e2:9b:4e");
  });

  it.each([
    ["tenancyId", "ocid1.user.oc1..aaaa", "tenancy OCID"],
    ["userId", "me@example.com", "user OCID"],
    ["fingerprint", "20:3b:97", "MD5 fingerprint"],
    ["privateKeyPem", rsa.publicKey, "PEM private key"],
    ["region", "Frankfurt", "region identifier"],
  ])("rejects a bad %s with a message naming it", (field, value, msg) => {
    const r = ZOciCredentials.safeParse({ ...good, [field]: value });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.issues[0]?.path).toEqual([field]);
      expect(r.error.issues[0]?.message).toContain(msg);
    }
  });

  it("bounds the private key size", () => {
    expect(ZOciCredentials.safeParse({ ...good, privateKeyPem: `-----BEGIN PRIVATE KEY-----${"A".repeat(20_000)}` }).success).toBe(false);
  });
});

describe("checkPrivateKey", () => {
  it("accepts an RSA key and explains what is wrong with others", () => {
    expect(checkPrivateKey(rsa.privateKey)).toBeNull();
    expect(checkPrivateKey("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----")).toMatch(/cannot be read/);
    const ec = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(checkPrivateKey(ec.privateKey)).toMatch(/RSA/);
    const enc = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "s3cret" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(checkPrivateKey(enc.privateKey)).toMatch(/passphrase/);
    expect(checkPrivateKey(enc.privateKey, "s3cret")).toBeNull();
  });
});

describe("minimumPermissions", () => {
  it("covers every operation the adapter calls, once", () => {
    const ops = minimumPermissions.flatMap((p) => p.operations);
    expect(new Set(ops).size).toBe(ops.length);
    for (const op of ["GetTenancy", "ListCompartments", "CreatePolicy", "DeletePolicy", "ListSecurityPolicies", "CreateSecurityZone"]) {
      expect(permissionFor(op)).toMatch(/ in tenancy$/);
    }
  });

  it("renders the bootstrap policy for a group", () => {
    expect(ociBootstrapStatements("ParapetConnector")).toContain("Allow group ParapetConnector to manage policies in tenancy");
  });
});
