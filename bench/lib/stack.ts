/**
 * The pieces every reconcile benchmark needs: a database of its own (created and migrated for this run,
 * dropped afterwards), a Redis key prefix of its own, a keyring, and helpers that connect each cloud
 * simulator the way the product stores a connection (sealed credentials, facts). Benchmarks share the
 * machine's PostgreSQL and Redis the way the integration tests do: a private database and prefix, never
 * a restart.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createPrisma, type PrismaClient } from "@parapet/db";
import { bullPrefix, parseMasterKey, QUEUES, sealCredentials, type Keyring } from "@parapet/core";
import type { AdapterFactory } from "@parapet/core/reconcile/reconcile-connection";
import { createAwsAdapter } from "@parapet/providers/aws/adapter";
import { ZAwsCredentials } from "@parapet/providers/aws/credentials";
import type { TAwsRateLimits } from "@parapet/providers/aws/rate";
import { AWS_SIM_DEFAULT_CREDENTIALS, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { DEMO_APP, type AzureSim } from "@parapet/cloud-sim/azure/index";
import { DEMO_ORG_ID, DEMO_SA_EMAIL, DEMO_SA_TOKEN } from "@parapet/cloud-sim/gcp/index";
import type { GcpSim, OciSim } from "@parapet/cloud-sim";
import { adapterFor, egress } from "../../apps/worker/src/providers.ts";
import { onInterrupt } from "../../apps/worker/src/testing/on-interrupt.ts";
import type { ReconcileWorkerDeps } from "../../apps/worker/src/workers/reconcile.worker.ts";
import { configureLogging } from "@parapet/core/common/logger";
import { ZLogLevel } from "@parapet/core/common/log-level";
import { auditConfigFrom, auditConfigured, configureAudit } from "@parapet/core/audit/audit-keys";

// Benchmarks print figures: the worker code they run logs (JSON lines) only warnings and errors here,
// unless LOG_LEVEL asks for more.
configureLogging({ level: ZLogLevel.parse(process.env.LOG_LEVEL ?? "warn") });

export const ROOT = join(import.meta.dirname, "..", "..");
const ADMIN_DATABASE_URL =
  process.env.PARAPET_BENCH_ADMIN_DATABASE_URL ??
  process.env.PARAPET_TEST_ADMIN_DATABASE_URL ??
  "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// The simulators listen on 127.0.0.1; the worker's adapters (and any app a benchmark starts) may only
// reach them through the operator allowlist, as a deployment with private endpoints would set it.
process.env.PARAPET_ENDPOINT_ALLOWLIST ??= "127.0.0.1";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const load1 = () => Number(loadavg()[0]!.toFixed(2));

function databaseUrlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

function migrate(databaseUrl: string): void {
  const r = spawnSync("pnpm", ["--filter", "@parapet/db", "run", "--silent", "migrate:deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrations failed:\n${r.stdout}\n${r.stderr}`);
}

/** Creates and migrates a database named for this run; `drop` removes it. */
async function createBenchDatabase(adminUrl = ADMIN_DATABASE_URL, tag = "bench"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parapet_${tag}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = databaseUrlFor(adminUrl, name);
  migrate(url);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface BenchStack {
  databaseUrl: string;
  redisUrl: string;
  prisma: PrismaClient;
  redis: Redis;
  redisPrefix: string;
  queue: Queue;
  keys: Keyring;
  /** The master key as the worker reads it from the environment (for child processes). */
  masterKeyB64: string;
  deps(opts?: { workerId?: string; adapterFor?: AdapterFactory }): ReconcileWorkerDeps;
  close(): Promise<void>;
}

export async function startBenchStack(
  opts: { adminDatabaseUrl?: string; redisUrl?: string; tag?: string; poolMax?: number } = {},
): Promise<BenchStack> {
  // Reconciles append keyed audit events: a benchmark that set no key of its own (to share with worker
  // children, say) gets a random one, as the worker's environment would give it.
  if (!auditConfigured()) configureAudit(auditConfigFrom({ secret: randomBytes(32).toString("hex") }));
  const db = await createBenchDatabase(opts.adminDatabaseUrl ?? ADMIN_DATABASE_URL, opts.tag);
  const prisma = createPrisma({ url: db.url, max: opts.poolMax ?? 5 });
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const redisPrefix = `parapet-bench-${process.pid}-${randomBytes(3).toString("hex")}:`;
  const queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(redisPrefix) });
  const masterKeyB64 = randomBytes(32).toString("base64");
  // Key id "f1" as the fault harness and its worker child process expect.
  const current = parseMasterKey("f1", masterKeyB64);
  const keys: Keyring = { current, all: [current] };
  const close = async () => {
    unregister();
    await queue.close().catch(() => undefined);
    // Remove this run's keys; the shared Redis keeps everyone else's.
    let cursor = "0";
    do {
      const [next, ks] = await redis.scan(cursor, "MATCH", `${redisPrefix}*`, "COUNT", 1000);
      cursor = next;
      if (ks.length) await redis.del(...ks);
    } while (cursor !== "0");
    await redis.quit().catch(() => undefined);
    await prisma.$disconnect();
    await db.drop();
  };
  // An interrupted benchmark still drops its database and keys.
  const unregister = onInterrupt("bench database and Redis keys", { async: () => close() });
  return {
    databaseUrl: db.url,
    redisUrl,
    prisma,
    redis,
    redisPrefix,
    queue,
    keys,
    masterKeyB64,
    deps: (d = {}) => ({
      prisma,
      redis,
      redisPrefix,
      bullPrefix: bullPrefix(redisPrefix),
      keys,
      adapterFor: d.adapterFor ?? adapterFor,
      workerId: d.workerId ?? `bench-${process.pid}`,
      concurrency: 1,
      reconcileQueue: queue,
    }),
    close,
  };
}

/**
 * The worker's provider registry, except that AWS client-side pacing can be set: off for seeding runs
 * and for measuring call counts without waiting, on (the default) where wall time is the figure.
 */
export function benchAdapterFor(aws: { rateLimits?: TAwsRateLimits | false } = {}): AdapterFactory {
  return (req) => {
    if (req.cloud !== "aws" || aws.rateLimits === undefined) return adapterFor(req);
    const facts = (req.facts ?? {}) as Record<string, string | undefined>;
    return createAwsAdapter({
      workspaceId: req.workspaceId,
      credentials: ZAwsCredentials.parse(req.credentials),
      egress: egress(),
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      facts,
      limits: {},
      rateLimits: aws.rateLimits,
    });
  };
}

export async function createWorkspace(prisma: PrismaClient, name = "Bench workspace") {
  const id = `ws_${randomBytes(6).toString("hex")}`;
  return prisma.workspace.create({ data: { id, name, slug: id.replace(/_/g, "-"), createdAt: new Date() } });
}

export interface Connected {
  workspaceId: string;
  connectionId: string;
}

async function connect(
  stack: BenchStack,
  cloud: "aws" | "azure" | "gcp" | "oci",
  endpoint: string,
  credentials: unknown,
  facts: object,
  principals: object = {},
  workspaceId?: string,
): Promise<Connected> {
  const ws = workspaceId ?? (await createWorkspace(stack.prisma)).id;
  const conn = await stack.prisma.connection.create({
    data: { workspaceId: ws, cloud, name: `${cloud} sim`, status: "active", endpoint, facts, principals },
  });
  await stack.prisma.connection.update({
    where: { id: conn.id },
    data: { credentialCiphertext: sealCredentials(stack.keys, conn.id, credentials) },
  });
  return { workspaceId: ws, connectionId: conn.id };
}

/** An AWS org seeded with seedAwsOrg: the simulator's default management-account key. */
export function connectAws(stack: BenchStack, sim: AwsSim, workspaceId?: string): Promise<Connected> {
  return connect(
    stack,
    "aws",
    sim.url,
    {
      kind: "access-keys",
      accessKeyId: AWS_SIM_DEFAULT_CREDENTIALS.accessKeyId,
      secretAccessKey: AWS_SIM_DEFAULT_CREDENTIALS.secretAccessKey,
    },
    { orgId: sim.state.orgId, managementAccountId: sim.state.managementAccountId },
    {},
    workspaceId,
  );
}

/** The Azure demo tenant (startAzureSim({ demo: true })). */
export function connectAzure(stack: BenchStack, sim: AzureSim, workspaceId?: string): Promise<Connected> {
  return connect(
    stack,
    "azure",
    sim.url,
    {
      kind: "client-secret",
      tenantId: sim.tenantId,
      clientId: DEMO_APP.appId,
      clientSecret: DEMO_APP.secret,
      authorityHost: sim.authorityHost,
      caPem: sim.caPem,
    },
    { tenantId: sim.tenantId, rootManagementGroupId: sim.rootManagementGroupId },
    {},
    workspaceId,
  );
}

/** The GCP demo organization (seedGcpDemo). */
export function connectGcp(stack: BenchStack, sim: GcpSim, workspaceId?: string): Promise<Connected> {
  return connect(
    stack,
    "gcp",
    sim.url,
    { type: "access_token", accessToken: DEMO_SA_TOKEN },
    { organizationId: DEMO_ORG_ID, directoryCustomerId: "C03acme01" },
    { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${DEMO_SA_EMAIL}`] },
    workspaceId,
  );
}

/** The OCI demo tenancy; `credentials` is what sim.seedDemo() returned. */
export function connectOci(
  stack: BenchStack,
  sim: OciSim,
  credentials: { tenancyId: string; userId: string; fingerprint: string; privateKeyPem: string; region: string },
  workspaceId?: string,
): Promise<Connected> {
  const { tenancyId, userId, fingerprint, privateKeyPem, region } = credentials;
  return connect(
    stack,
    "oci",
    sim.url,
    { tenancyId, userId, fingerprint, privateKeyPem, region },
    { tenancyOcid: tenancyId },
    {},
    workspaceId,
  );
}

export async function addGuardrail(
  prisma: PrismaClient,
  workspaceId: string,
  controlId: string,
  scope: object,
  opts: { name?: string; remediation?: "auto" | "notify"; params?: object } = {},
) {
  return prisma.guardrail.create({
    data: {
      workspaceId,
      controlId,
      name: opts.name ?? controlId,
      versions: { create: { version: 1, params: opts.params ?? {}, scope, mode: "enforce", remediation: opts.remediation ?? "auto" } },
    },
  });
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
