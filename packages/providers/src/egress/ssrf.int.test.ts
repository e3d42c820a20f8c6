/**
 * SSRF suite, connect-time half: the real SDKs of all four clouds, pointed at loopback, private,
 * link-local, metadata, IPv6 and IPv4-mapped destinations, at cloud names that resolve there (DNS
 * rebinding, with the guard's resolver injected), and at an allowlisted server that redirects
 * elsewhere. A "tripwire" socket listens where a leaked request would land; it must record no
 * connection at all — the refusal happens before any packet is sent.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import type { LookupAddress } from "node:dns";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAwsAdapter } from "../aws/adapter.ts";
import { createAzureAdapter } from "../azure/adapter.ts";
import { AzureClientCredential } from "../azure/credentials.ts";
import { createGcpAdapter } from "../gcp/adapter.ts";
import { createGcpClients } from "../gcp/clients.ts";
import { createOciAdapter } from "../oci/adapter.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { EGRESS_REFUSED_TEXT } from "../contract/public-message.ts";
import { EgressGuard, installGlobalEgressGuard, isEgressRefused, parseEgressAllowlist, type Resolver } from "./index.ts";

const FAST = { attempts: 1, baseMs: 1, maxMs: 1 };

interface Tripwire {
  port: number;
  hits: () => number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and ::1 (same port) and counts every TCP connection it is offered. */
async function tripwire(): Promise<Tripwire> {
  let hits = 0;
  const servers: Server[] = [];
  const onConn = (s: Socket) => {
    hits++;
    s.destroy();
  };
  const v4 = createServer(onConn);
  await new Promise<void>((r) => v4.listen(0, "127.0.0.1", r));
  servers.push(v4);
  const port = (v4.address() as { port: number }).port;
  const v6 = createServer(onConn);
  await new Promise<void>((r) => {
    v6.once("error", () => r());
    v6.listen(port, "::1", () => {
      servers.push(v6);
      r();
    });
  });
  return {
    port,
    hits: () => hits,
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const OCI_CREDS = {
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
};

type Cloud = "aws" | "azure" | "gcp" | "oci";

function adapter(cloud: Cloud, endpoint: string, egress: EgressGuard): CloudAdapter {
  switch (cloud) {
    case "aws":
      return createAwsAdapter({
        workspaceId: "ssrf",
        credentials: {
          kind: "access-keys",
          accessKeyId: "AKIAIOSFODNN7EXAMPLE",
          secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        },
        endpoint,
        egress,
        retry: FAST,
        rateLimits: false,
      });
    case "azure":
      return createAzureAdapter({
        workspaceId: "ssrf",
        credentials: { kind: "access-token", accessToken: "header.payload.sig" },
        endpoint,
        egress,
        facts: { rootManagementGroupId: "root" },
        retry: FAST,
      });
    case "gcp":
      return createGcpAdapter({
        workspaceId: "ssrf",
        credentials: { type: "access_token", accessToken: "ya29.ssrf-test" },
        endpoint,
        egress,
        facts: { organizationId: "123" },
        retry: FAST,
      });
    case "oci":
      return createOciAdapter({ workspaceId: "ssrf", credentials: OCI_CREDS, endpoint, egress, retry: FAST });
  }
}

async function verifyError(a: CloudAdapter): Promise<string> {
  try {
    const v = await a.verify();
    expect(v.ok).toBe(false);
    return v.error ?? JSON.stringify(v.checks);
  } catch (e) {
    return (e as Error).message;
  } finally {
    await a.close().catch(() => undefined);
  }
}

let wire: Tripwire;
beforeAll(async () => {
  wire = await tripwire();
});
afterAll(async () => {
  await wire.close();
});
let hitsBefore = 0;
beforeEach(() => {
  hitsBefore = wire.hits();
});
afterEach(() => {
  expect(wire.hits() - hitsBefore, "a request reached the tripwire socket").toBe(0);
});

const CLOUDS: Cloud[] = ["aws", "azure", "gcp", "oci"];
// Azure's bearer-token policy refuses plain http on its own; https shows the guard acting first.
const scheme = (cloud: Cloud) => (cloud === "azure" ? "https" : "http");

describe("endpoints that are not cloud API hosts, with no allowlist", () => {
  const forms = (port: number) => [
    `127.0.0.1:${port}`,
    `[::1]:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `[::ffff:7f00:1]:${port}`,
    `localhost:${port}`,
    `0.0.0.0:${port}`,
    "169.254.169.254",
    "[fd00:ec2::254]",
    "metadata.google.internal",
    "10.0.0.1",
    "100.64.0.1",
    "[fe80::1]",
    "[fc00::1]",
  ];

  for (const cloud of CLOUDS) {
    it(`${cloud}: every loopback, private, link-local, metadata and IPv6 form is refused before a packet`, async () => {
      const refusals: string[] = [];
      const guard = new EgressGuard({ onRefused: (host) => refusals.push(host) });
      for (const host of forms(wire.port)) {
        const msg = await verifyError(adapter(cloud, `${scheme(cloud)}://${host}`, guard));
        expect(msg, host).toContain(EGRESS_REFUSED_TEXT);
      }
      expect(refusals.length).toBeGreaterThanOrEqual(forms(wire.port).length);
    });
  }

  it("gives the same text for every port, open or closed", async () => {
    const guard = new EgressGuard();
    const open = await verifyError(adapter("gcp", `http://127.0.0.1:${wire.port}`, guard));
    const closed = await verifyError(adapter("gcp", "http://127.0.0.1:1", guard));
    expect(open).toBe(closed);
  });
});

describe("cloud names that resolve to internal addresses (DNS rebinding)", () => {
  const CLOUD_HOST: Record<Cloud, string> = {
    aws: "organizations.us-east-1.amazonaws.com",
    azure: "management.azure.com",
    gcp: "cloudresourcemanager.googleapis.com",
    oci: "identity.us-ashburn-1.oci.oraclecloud.com",
  };
  const INTERNAL: LookupAddress[] = [
    { address: "127.0.0.1", family: 4 },
    { address: "::1", family: 6 },
    { address: "::ffff:127.0.0.1", family: 6 },
    { address: "10.20.30.40", family: 4 },
    { address: "169.254.169.254", family: 4 },
    { address: "fd00:ec2::254", family: 6 },
    { address: "100.64.1.1", family: 4 },
    { address: "fe80::1", family: 6 },
    { address: "0.0.0.0", family: 4 },
  ];

  for (const cloud of CLOUDS) {
    it(`${cloud}: a name that answered a public address first and an internal one next is refused at connect time`, async () => {
      for (const internal of INTERNAL) {
        const answers: LookupAddress[][] = [[{ address: "52.94.236.248", family: 4 }], [internal]];
        let asked = 0;
        const resolver: Resolver = (name) => {
          expect(name).toBe(CLOUD_HOST[cloud]);
          return Promise.resolve(answers[Math.min(asked++, answers.length - 1)]!);
        };
        const guard = new EgressGuard({ resolver });
        // First lookup: what a save-time (or any earlier) check would have seen — a public address.
        await expect(guard.resolvePublic(CLOUD_HOST[cloud])).resolves.toHaveLength(1);
        // Second lookup: the one the socket would use. It points inside; nothing is sent.
        const msg = await verifyError(adapter(cloud, `https://${CLOUD_HOST[cloud]}:${wire.port}`, guard));
        expect(msg, internal.address).toContain(EGRESS_REFUSED_TEXT);
        expect(asked, internal.address).toBeGreaterThanOrEqual(2);
      }
    });
  }

  it("refuses a name when any one of its addresses is internal", async () => {
    const guard = new EgressGuard({
      resolver: () =>
        Promise.resolve([
          { address: "52.94.236.248", family: 4 },
          { address: "127.0.0.1", family: 4 },
        ]),
    });
    const msg = await verifyError(adapter("aws", `https://${CLOUD_HOST.aws}:${wire.port}`, guard));
    expect(msg).toContain(EGRESS_REFUSED_TEXT);
  });

  it("azure: the token request (client secret) to a rebound authority is refused too", async () => {
    const guard = new EgressGuard({ resolver: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]) });
    const cred = new AzureClientCredential({
      tenantId: "7f3c2b1a-0d4e-4f5a-8b6c-9d0e1f2a3b4c",
      clientId: "5e0c7a52-3b1f-4d8e-a6c9-0f2b4d6e8a13",
      clientSecret: "s3cret",
      authorityHost: `https://login.microsoftonline.com:${wire.port}`,
      egress: guard,
    });
    const err = await cred.getToken("https://management.azure.com/.default").catch((e: unknown) => e);
    expect(isEgressRefused(err)).toBe(true);
    expect((err as Error).message).toBe("The Microsoft identity platform could not be reached.");
  });

  it("gcp: Org Policy (google-gax 4, node's default agent) is held by the process-wide guard", async () => {
    const guard = new EgressGuard({ resolver: () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]) });
    const restore = installGlobalEgressGuard(guard);
    const clients = createGcpClients({
      endpoint: `https://orgpolicy.googleapis.com:${wire.port}`,
      credentials: { type: "access_token", accessToken: "ya29.ssrf-test" },
      egress: guard,
    });
    try {
      const err = await clients.orgPolicy
        .getPolicy({ name: "organizations/123/policies/gcp.resourceLocations" }, { retry: null } as never)
        .catch((e: unknown) => e);
      expect(isEgressRefused(err)).toBe(true);
    } finally {
      restore();
      await clients.close();
    }
  });
});

describe("redirects from an allowlisted endpoint", () => {
  let redirector: HttpServer;
  let port: number;
  beforeAll(async () => {
    // An operator-allowlisted private endpoint that answers every request with a redirect to the tripwire.
    redirector = createHttpServer((req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${wire.port}${req.url ?? "/"}` });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
    port = (redirector.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => redirector.close(() => r()));
  });

  for (const cloud of ["aws", "gcp", "oci"] as const) {
    it(`${cloud}: the redirect target is not reached`, async () => {
      const guard = new EgressGuard({ allowlist: parseEgressAllowlist(`127.0.0.1:${port}`) });
      const msg = await verifyError(adapter(cloud, `http://127.0.0.1:${port}`, guard));
      expect(msg).not.toMatch(/hunter2/);
    });
  }
});
