/**
 * The SSRF probes of issue 22, replayed through the worker's own path (stored connection → adapterFor
 * → verify → lastError): a connection pointed at an internal service must not read its answer back,
 * connection errors must not tell open ports from closed ones, and without the operator allowlist
 * nothing is sent to a loopback or metadata address at all (a stored row from before save-time
 * validation, with an attacker's path, included).
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressGuard, parseEgressAllowlist } from "@parapet/providers/egress/index";
import { EGRESS_REFUSED_TEXT } from "@parapet/providers/contract";
import { gcpDemoCredentials, reconcileHarness, type ConnectionSpec } from "../testing/reconcile-harness.ts";
import { configureEgress } from "../providers.ts";
import { processConnectionTask } from "./connections.worker.ts";

const h = reconcileHarness();
const { prisma } = h;
const SECRET = "INTERNAL-SECRET-7f3a admin console token=hunter2";
const AWS_KEYS = { kind: "access-keys", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

let internal: HttpServer;
let internalPort: number;
let internalHits = 0;
let reset: Server;
let resetPort: number;
let closedPort: number;

const listen = async (s: Server | HttpServer): Promise<number> => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as { port: number }).port;
};

beforeAll(async () => {
  // An internal service that answers every request with a Google-shaped error carrying its secrets.
  internal = createHttpServer((req, res) => {
    internalHits++;
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: 400, message: SECRET, status: "INVALID_ARGUMENT" }, path: req.url }));
  });
  internalPort = await listen(internal);
  // Something that accepts and drops connections (an SSH or database port, say).
  reset = createServer((s: Socket) => s.destroy());
  resetPort = await listen(reset);
  const gone = createServer();
  closedPort = await listen(gone);
  await new Promise<void>((r) => gone.close(() => r()));
});

afterAll(async () => {
  await new Promise<void>((r) => internal.close(() => r()));
  await new Promise<void>((r) => reset.close(() => r()));
  // What vitest's int project sets for the simulators: later files build their own adapters.
  configureEgress(new EgressGuard({ allowlist: parseEgressAllowlist("127.0.0.1") }));
});

async function verify(spec: ConnectionSpec): Promise<{ lastError: string | null; verifyResult: unknown }> {
  const { connectionId } = await h.connect(spec);
  await processConnectionTask(h.deps(), { connectionId, task: "verify" });
  const row = await prisma.connection.findUniqueOrThrow({ where: { id: connectionId } });
  return { lastError: row.lastError, verifyResult: row.verifyResult };
}

describe("with the operator allowlisting loopback (as for the simulators)", () => {
  beforeAll(() => {
    configureEgress(new EgressGuard({ allowlist: parseEgressAllowlist("127.0.0.1") }));
  });

  it("a GCP connection pointed at an internal service does not read its answer back into lastError", async () => {
    const r = await verify({ cloud: "gcp", endpoint: `http://127.0.0.1:${internalPort}`, ...gcpDemoCredentials() });
    expect(internalHits).toBeGreaterThan(0);
    expect(r.lastError).toBeTruthy();
    expect(r.lastError).not.toContain("INTERNAL-SECRET");
    expect(JSON.stringify(r.verifyResult)).not.toContain("INTERNAL-SECRET");
    expect(r.lastError).toMatch(/refused the request as invalid|could not be reached/);
  });

  it("the error text is the same for a closed port and a port that drops the connection", async () => {
    const closed = await verify({ cloud: "aws", endpoint: `http://127.0.0.1:${closedPort}`, credentials: AWS_KEYS, facts: {} });
    const dropped = await verify({ cloud: "aws", endpoint: `http://127.0.0.1:${resetPort}`, credentials: AWS_KEYS, facts: {} });
    expect(closed.lastError).toBeTruthy();
    expect(dropped.lastError).toBe(closed.lastError);
    expect(closed.lastError).not.toMatch(/ECONN|socket|hang up|\d{4,5}/);
  });
});

describe("without an allowlist (a production worker)", () => {
  beforeAll(() => {
    configureEgress(new EgressGuard());
  });

  it("sends nothing to a loopback service, even from a row stored with an attacker's path, and says why", async () => {
    const before = internalHits;
    for (const endpoint of [
      `http://127.0.0.1:${internalPort}/attacker/chosen/path`,
      `http://[::ffff:127.0.0.1]:${internalPort}`,
      `http://localhost:${internalPort}`,
    ]) {
      const aws = await verify({ cloud: "aws", endpoint, credentials: AWS_KEYS, facts: {} });
      expect(aws.lastError, endpoint).toContain(EGRESS_REFUSED_TEXT);
      const gcp = await verify({ cloud: "gcp", endpoint, ...gcpDemoCredentials() });
      expect(gcp.lastError, endpoint).toContain(EGRESS_REFUSED_TEXT);
    }
    expect(internalHits).toBe(before);
  });

  it("refuses the link-local metadata address before connecting", async () => {
    const r = await verify({ cloud: "gcp", endpoint: "http://169.254.169.254", ...gcpDemoCredentials() });
    expect(r.lastError).toContain(EGRESS_REFUSED_TEXT);
  });
});
