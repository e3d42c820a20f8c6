/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Azure connections may name a private token authority and CA (sovereign clouds, private endpoints,
 * the simulator). The API keeps both, sealed with the credentials, and refuses malformed ones by name.
 * A private authority must be on the operator's allowlist (the harness lists *.sim.parapet.test).
 */
import { generateKeyPairSync } from "node:crypto";
import { rootCertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { openCredentials, parseMasterKey } from "@parapet/core";
import { call, createWorkspace, MASTER_KEY, snapshot, type TestWorkspace } from "./harness.ts";

const prisma = getPrisma();
const key = parseMasterKey("test-k1", MASTER_KEY);
const keys = { current: key, all: [key] };
let ws: TestWorkspace;

const TENANT = "7f3c2b1a-0d4e-4f5a-8b6c-9d0e1f2a3b4c";
const FACTS = { tenantId: TENANT, rootManagementGroupId: TENANT };
// Real certificates: two of the roots Node ships with.
const CA = rootCertificates[0]!;
const CA2 = rootCertificates[1]!;
const base = { kind: "client-secret", tenantId: TENANT, clientId: "5e0c7a52-3b1f-4d8e-a6c9-0f2b4d6e8a13", clientSecret: "s3cret-value" };

beforeAll(async () => {
  ws = await createWorkspace(prisma, "Azure authority");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

async function stored(id: string): Promise<Record<string, unknown>> {
  const row = await prisma.connection.findUniqueOrThrow({ where: { id } });
  expect(row.credentialCiphertext).toBeTruthy();
  return openCredentials(keys, id, row.credentialCiphertext ?? "") as Record<string, unknown>;
}

function create(credentials: Record<string, unknown>, name = `Tenant ${Math.random().toString(36).slice(2, 8)}`) {
  return call("POST", "/connections", { key: ws.members.admin.key, body: { cloud: "azure", name, credentials, facts: FACTS } });
}

describe("Azure private authority and CA", () => {
  it("keeps the authority host and CA bundle with the sealed credentials and shows the host as a hint", async () => {
    const r = await create({ ...base, authorityHost: "https://login.sim.parapet.test/", caPem: `# issuer comment\n${CA}\n${CA2}` });
    expect(r.status, r.text).toBe(201);
    expect(r.body.credentialHints).toMatchObject({
      kind: "client-secret",
      tenantId: TENANT,
      authorityHost: "https://login.sim.parapet.test",
      privateCa: "yes",
    });
    expect(JSON.stringify(r.body)).not.toContain("BEGIN CERTIFICATE");
    const c = await stored(r.body.id as string);
    expect(c.authorityHost).toBe("https://login.sim.parapet.test");
    expect(c.caPem).toContain(CA.trim());
    expect(c.caPem).toContain(CA2.trim());
    expect(c.clientSecret).toBe("s3cret-value");
  });

  it("stores nothing extra when the fields are absent or empty", async () => {
    const r = await create({ ...base, authorityHost: "", caPem: "" });
    expect(r.status, r.text).toBe(201);
    const c = await stored(r.body.id as string);
    expect(c).not.toHaveProperty("authorityHost");
    expect(c).not.toHaveProperty("caPem");
  });

  it("refuses a malformed authority host or CA with a 422 naming the field, and changes nothing", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const corrupt = CA.replace(/\n([A-Za-z0-9+/]{20})/, "\nAAAAAAAAAAAAAAAAAAAA");
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ authorityHost: "http://login.microsoftonline.com" }, "credentials.authorityHost", /https URL/],
      [{ authorityHost: "login.microsoftonline.com" }, "credentials.authorityHost", /https URL/],
      [{ authorityHost: "https://user:pw@login.example" }, "credentials.authorityHost", /https URL/],
      [{ authorityHost: 42 }, "credentials.authorityHost", /got number/],
      [
        { authorityHost: "https://login.sovereign.example" },
        "credentials.authorityHost",
        /sign-in authorities.*PARAPET_ENDPOINT_ALLOWLIST/,
      ],
      [{ caPem: "not a certificate" }, "credentials.caPem", /PEM certificates/],
      [{ caPem: keyPem }, "credentials.caPem", /private key/],
      [{ caPem: `${CA}\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n` }, "credentials.caPem", /PEM certificates/],
      [{ caPem: corrupt }, "credentials.caPem", /not a valid X\.509/],
      [{ caPem: "x".repeat(70_000) }, "credentials.caPem", /at most 65536/],
    ];
    for (const [extra, field, message] of cases) {
      const before = await snapshot(prisma, ws.id);
      const r = await create({ ...base, ...extra });
      expect(r.status, `${JSON.stringify(extra).slice(0, 80)} → ${r.text}`).toBe(422);
      expect(r.body.error.issues[0].field).toBe(field);
      expect(r.body.error.message).toMatch(message);
      expect(r.text).not.toMatch(/at .*\.ts:\d+/);
      expect(await snapshot(prisma, ws.id)).toEqual(before);
    }
  });

  it("rotation keeps the new authority and CA, and refuses a bad one without touching the stored credentials", async () => {
    const r = await create(base);
    expect(r.status, r.text).toBe(201);
    const id = r.body.id as string;
    const ok = await call("POST", "/connections/{id}/rotate-credentials", {
      key: ws.members.admin.key,
      params: { id },
      body: { credentials: { ...base, clientSecret: "rotated", authorityHost: "https://login.chinacloudapi.cn", caPem: CA } },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.credentialHints).toMatchObject({ authorityHost: "https://login.chinacloudapi.cn", privateCa: "yes" });
    const c = await stored(id);
    expect(c).toMatchObject({ clientSecret: "rotated", authorityHost: "https://login.chinacloudapi.cn" });
    expect(c.caPem).toContain(CA.trim());

    const before = await prisma.connection.findUniqueOrThrow({ where: { id } });
    const bad = await call("POST", "/connections/{id}/rotate-credentials", {
      key: ws.members.admin.key,
      params: { id },
      body: { credentials: { ...base, authorityHost: "ftp://login.example" } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.issues[0].field).toBe("credentials.authorityHost");
    const after = await prisma.connection.findUniqueOrThrow({ where: { id } });
    expect(after.credentialCiphertext).toBe(before.credentialCiphertext);
  });
});
