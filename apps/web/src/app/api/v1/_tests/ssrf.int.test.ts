/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * SSRF suite, save-time half: a connection's endpoint and Azure authority host are where the worker
 * sends credentials and reads answers back. Only the clouds' own API hosts (commercial, government,
 * sovereign) and the operator's PARAPET_ENDPOINT_ALLOWLIST are accepted; everything else is a 422
 * naming the field, and nothing is stored. (The connect-time half, with the SDKs, is in
 * packages/providers/src/egress/ssrf.int.test.ts.)
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { ALLOWLISTED_PORT, call, createWorkspace, snapshot, type TestWorkspace } from "./harness.ts";
import { SSRF_ENDPOINTS } from "./bad-input.ts";
import { AWS_FACTS } from "./world-seed.ts";

const prisma = getPrisma();
let ws: TestWorkspace;

const TENANT = "7f3c2b1a-0d4e-4f5a-8b6c-9d0e1f2a3b4c";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const BODIES: Record<string, Record<string, unknown>> = {
  aws: {
    cloud: "aws",
    credentials: { kind: "access-keys", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    facts: AWS_FACTS,
  },
  azure: {
    cloud: "azure",
    credentials: {
      kind: "client-secret",
      tenantId: TENANT,
      clientId: "5e0c7a52-3b1f-4d8e-a6c9-0f2b4d6e8a13",
      clientSecret: "s3cret-value",
    },
    facts: { tenantId: TENANT, rootManagementGroupId: TENANT },
  },
  gcp: {
    cloud: "gcp",
    credentials: { type: "access_token", accessToken: "ya29.ssrf-test" },
    facts: { organizationId: "123456789012", directoryCustomerId: "C03example" },
    principals: { connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/parapet@example.iam.gserviceaccount.com"] },
  },
  oci: {
    cloud: "oci",
    credentials: {
      tenancyId: "ocid1.tenancy.oc1..aaaaaaaassrftest",
      userId: "ocid1.user.oc1..aaaaaaaassrftest",
      fingerprint: (
        createHash("md5")
          .update(publicKey.export({ type: "spki", format: "der" }))
          .digest("hex")
          .match(/../g) ?? []
      ).join(":"),
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      region: "us-ashburn-1",
    },
    facts: { tenancyOcid: "ocid1.tenancy.oc1..aaaaaaaassrftest" },
  },
};

const create = (cloud: string, extra: Record<string, unknown>) =>
  call("POST", "/connections", {
    key: ws.members.admin.key,
    body: { ...BODIES[cloud], name: `${cloud} ${Math.random().toString(36).slice(2, 8)}`, ...extra },
  });

beforeAll(async () => {
  ws = await createWorkspace(prisma, "SSRF");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

describe("connection endpoints at save time", () => {
  const refusedForms = [
    ...SSRF_ENDPOINTS,
    "http://127.1:4010",
    "http://2130706433:4010",
    `http://127.0.0.1:${ALLOWLISTED_PORT + 1}`,
    "https://organizations.us-east-1.amazonaws.com:8443",
    "http://organizations.us-east-1.amazonaws.com",
  ];

  for (const cloud of Object.keys(BODIES)) {
    it(`${cloud}: loopback, private, link-local, metadata, IPv6 and IPv4-mapped endpoints get a 422 naming endpoint, and nothing is stored`, async () => {
      for (const endpoint of refusedForms) {
        const before = await snapshot(prisma, ws.id);
        const r = await create(cloud, { endpoint });
        expect(r.status, `${endpoint} → ${r.text}`).toBe(422);
        expect(r.body.error.issues[0].field).toBe("endpoint");
        expect(r.text).not.toMatch(/at .*\.ts:\d+/);
        expect(await snapshot(prisma, ws.id), endpoint).toEqual(before);
      }
    });
  }

  it("accepts the clouds' government and sovereign API hosts, and an operator-allowlisted simulator", async () => {
    const ok: Array<[string, string]> = [
      ["aws", "https://organizations.us-gov-west-1.amazonaws.com"],
      ["aws", "https://organizations.cn-northwest-1.amazonaws.com.cn/"],
      ["azure", "https://management.usgovcloudapi.net"],
      ["azure", "https://management.chinacloudapi.cn"],
      ["gcp", "https://restricted.googleapis.com"],
      ["oci", "https://identity.us-langley-1.oraclegovcloud.com"],
      ["gcp", `http://127.0.0.1:${ALLOWLISTED_PORT}`],
      ["oci", "https://identity.sim.parapet.test:8443"],
    ];
    for (const [cloud, endpoint] of ok) {
      const r = await create(cloud, { endpoint });
      expect(r.status, `${cloud} ${endpoint} → ${r.text}`).toBe(201);
      expect(r.body.endpoint).toBe(endpoint.replace(/\/$/, ""));
    }
  });

  it("names the allowlist variable, so an operator knows where a private endpoint goes", async () => {
    const r = await create("aws", { endpoint: "https://vpce-0123.organizations.us-east-1.vpce.example" });
    expect(r.status).toBe(422);
    expect(r.body.error.issues[0].message).toMatch(/PARAPET_ENDPOINT_ALLOWLIST/);
  });
});

describe("Azure authority host at save time", () => {
  it("accepts Microsoft's authorities of every national cloud and refuses any other host by name", async () => {
    for (const authorityHost of [
      "https://login.microsoftonline.com",
      "https://login.microsoftonline.us",
      "https://login.partner.microsoftonline.cn",
    ]) {
      const r = await create("azure", { credentials: { ...(BODIES.azure!.credentials as object), authorityHost } });
      expect(r.status, `${authorityHost} → ${r.text}`).toBe(201);
    }
    for (const authorityHost of [
      "https://127.0.0.1",
      "https://[::ffff:127.0.0.1]",
      "https://169.254.169.254",
      "https://10.1.1.1",
      "https://login.microsoftonline.com.evil.example",
      "https://login.microsoftonline.com:8443",
    ]) {
      const before = await snapshot(prisma, ws.id);
      const r = await create("azure", { credentials: { ...(BODIES.azure!.credentials as object), authorityHost } });
      expect(r.status, `${authorityHost} → ${r.text}`).toBe(422);
      expect(r.body.error.issues[0].field).toBe("credentials.authorityHost");
      expect(await snapshot(prisma, ws.id)).toEqual(before);
    }
  });

  it("refuses a metadata authority on rotation without touching the stored credentials", async () => {
    const r = await create("azure", {});
    expect(r.status, r.text).toBe(201);
    const id = r.body.id as string;
    const before = await prisma.connection.findUniqueOrThrow({ where: { id } });
    const bad = await call("POST", "/connections/{id}/rotate-credentials", {
      key: ws.members.admin.key,
      params: { id },
      body: { credentials: { ...(BODIES.azure!.credentials as object), authorityHost: "https://169.254.169.254" } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.issues[0].field).toBe("credentials.authorityHost");
    const after = await prisma.connection.findUniqueOrThrow({ where: { id } });
    expect(after.credentialCiphertext).toBe(before.credentialCiphertext);
  });
});
