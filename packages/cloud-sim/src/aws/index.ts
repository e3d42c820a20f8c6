import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RunningSim } from "../common/types.ts";
import { AwsAdmin } from "./admin.ts";
import type { AwsSimConfig } from "./config.ts";
import type { AwsOrgEvent } from "./cloudtrail.ts";
import type { AwsCredentialSpec, AwsRoleSpec } from "./iam.ts";
import type { OrgState } from "./org-state.ts";
import type { Input, Output } from "./organizations-api.ts";
import { AwsSimulator, type AwsSimOptions } from "./simulator.ts";

export { AWS_SIM_DEFAULT_CREDENTIALS, TARGET_PREFIX, type AwsSimOptions } from "./simulator.ts";
export { seedAwsOrg, seedAwsDemo, AWS_DEMO, type AwsDemoResult } from "./seed.ts";
export { DEFAULT_THROTTLE } from "./config.ts";
export { signRequest } from "./sigv4.ts";

/** A running AWS simulator: Organizations (JSON 1.1) and STS (query) plus `/_admin/` on one loopback port. */
export interface AwsSim extends RunningSim {
  cloud: "aws";
  region: "us-east-1";
  /** The simulator core (state, IAM, counters); for benchmarks and white-box checks. */
  sim: AwsSimulator;
  /** The organization as it is now (replaced by reset/seed, so read it through this getter). */
  readonly state: OrgState;
  /** Out-of-band changes as a person would make them; each emits a CloudTrail event. */
  admin: AwsAdmin;
  configure(cfg: AwsSimConfig): void;
  addCredential(c: AwsCredentialSpec): void;
  addRole(r: AwsRoleSpec): void;
  /** Calls an Organizations operation in process as the default credential's principal (or `accessKeyId`'s). */
  call(op: string, input?: Input, accessKeyId?: string): Output;
  /** Events recorded since start (last 1,000), newest last. */
  events(): AwsOrgEvent[];
  /** Resolves when every webhook delivery so far has finished. */
  flushEvents(): Promise<void>;
  /** Per-error-code counts, keyed `<Operation>:<Code>`. */
  errorCounters(): Record<string, number>;
}

/** Starts the AWS simulator on 127.0.0.1 (port 0 = free port). */
export async function startAwsSim(opts: AwsSimOptions = {}): Promise<AwsSim> {
  const sim = new AwsSimulator(opts);
  const admin = new AwsAdmin(sim);
  const server: Server = createServer((req, res) => {
    const isAdmin = req.url === "/_admin" || (req.url ?? "").startsWith("/_admin/");
    const p = isAdmin ? admin.handle(req, res) : sim.handle(req, res);
    p.catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Bytes Node's HTTP parser cannot make sense of still get an answer in the AWS JSON error shape.
  server.on("clientError", (_err, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ __type: "SerializationException", Message: "The request could not be parsed as HTTP." });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-errortype: SerializationException\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 65_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const defaultKey = (opts.credentials?.[0] ?? { accessKeyId: "AKIAPARAPETSIM000001" }).accessKeyId;
  return {
    cloud: "aws",
    region: "us-east-1",
    url: `http://${host}:${port}`,
    port,
    sim,
    get state() {
      return sim.state;
    },
    admin,
    counters: () => sim.counters.snapshot(),
    resetCounters: () => {
      sim.counters.reset();
      sim.errorCounters.reset();
    },
    errorCounters: () => sim.errorCounters.snapshot(),
    configure: (cfg) => sim.configure(cfg),
    addCredential: (c) => {
      sim.iam.addCredential(c);
      sim.changed();
    },
    addRole: (r) => {
      sim.iam.addRole(r);
      sim.changed();
    },
    call: (op, input = {}, accessKeyId = defaultKey) => {
      const key = sim.iam.lookup(accessKeyId);
      if (!key) throw new Error(`unknown access key id ${accessKeyId}`);
      return sim.invoke(op, input, key.principal, { sourceIp: "127.0.0.1", userAgent: "in-process" });
    },
    events: () => [...sim.recentEvents],
    flushEvents: () => sim.emitter.flush(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sim.emitter.flush();
      sim.flushPersistence();
    },
  };
}
