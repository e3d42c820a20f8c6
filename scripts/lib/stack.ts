import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPrisma } from "@parapet/db";
import { auditConfigFromEnv, configureAudit } from "@parapet/core/audit/audit-keys";
import { createAuth } from "@parapet/core/identity/auth";
import { seedDemoIdentity } from "@parapet/core/seed/demo-identity";
import { parseMasterKey } from "@parapet/core";
import type { AllSims } from "@parapet/cloud-sim";
import { seedDemoAuditHistory } from "./demo-audit.ts";
import { seedDemoGuardrails, startDemoClouds, type DemoCloud } from "./demo-clouds.ts";
import { fail } from "./log.ts";
import { runStep, startProcess, waitForHttp, webBuildIsStale, type Proc } from "./processes.ts";
import { portOpen } from "./services.ts";
import { WORKER_NODE_FLAGS } from "../../apps/worker/src/node-flags.ts";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface StackSecrets {
  authSecret: string;
  masterKey: string;
  masterKeyId: string;
}

/** Demo secrets are generated once and kept in .data/, so sessions and encrypted rows survive restarts. */
export function loadOrCreateSecrets(dataRoot: string): StackSecrets {
  const file = join(dataRoot, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as StackSecrets;
  mkdirSync(dataRoot, { recursive: true });
  const s: StackSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    masterKey: randomBytes(32).toString("base64"),
    masterKeyId: "demo-k1",
  };
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export async function migrate(databaseUrl: string): Promise<void> {
  const code = await runStep("applying database migrations", "pnpm", ["--filter", "@parapet/db", "run", "--silent", "migrate:deploy"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  if (code !== 0) fail("database migration failed");
}

/**
 * Builds the web app when its sources changed since the last build. `typesChecked`: this run's own
 * `pnpm check` type-checks apps/web (the README's test command), so Next's second pass over the same
 * types is skipped (about 20 s of CPU). `logFile` holds the output back, for a build that runs beside
 * another step. Resolves to the exit code (0 when the existing build is current).
 */
export async function buildWeb(opts: { force?: boolean; typesChecked?: boolean; logFile?: string } = {}): Promise<number> {
  if (!opts.force && !webBuildIsStale(ROOT)) return 0;
  return runStep("building the web app (next build)", "pnpm", ["--filter", "@parapet/web", "run", "build"], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...(opts.typesChecked ? { PARAPET_WEB_TYPES_CHECKED: "1" } : {}) },
    ...(opts.logFile ? { logFile: opts.logFile } : {}),
  });
}

export async function freePort(preferred: number): Promise<number> {
  for (let p = preferred; p < preferred + 50; p++) if (!(await portOpen(p))) return p;
  fail(`no free port near ${preferred}`);
}

export interface StackOptions {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  secrets: StackSecrets;
  quiet?: boolean;
  /** Directory for worker.log and web.log (their output is kept there as well as, unless quiet, printed). */
  logDir?: string;
  extraEnv?: Record<string, string>;
  /** Where signed audit chain heads are written (PARAPET_AUDIT_CHECKPOINT_DIR for web and worker). */
  auditCheckpointDir: string;
}

/** The audit chain key, derived as web and worker will derive it, for audit events this process writes while seeding. */
function configureStackAudit(opts: StackOptions): void {
  configureAudit(
    auditConfigFromEnv({
      PARAPET_AUDIT_KEY: process.env.PARAPET_AUDIT_KEY,
      PARAPET_AUDIT_KEYS_OLD: process.env.PARAPET_AUDIT_KEYS_OLD ?? "",
      PARAPET_AUDIT_CHECKPOINT_DIR: opts.auditCheckpointDir,
      PARAPET_AUTH_SECRET: opts.secrets.authSecret,
    }),
  );
}

export interface RunningStack {
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  procs: Proc[];
  stop(): Promise<void>;
}

/** Seeds demo identity (idempotent) through better-auth's API, in this process. */
async function seedIdentity(opts: StackOptions, baseUrl: string) {
  configureStackAudit(opts);
  const prisma = createPrisma({ url: opts.databaseUrl, max: 2 });
  try {
    const auth = createAuth({ prisma, baseURL: baseUrl, secret: opts.secrets.authSecret });
    return await seedDemoIdentity(prisma, auth);
  } finally {
    await prisma.$disconnect();
  }
}

/** Clouds whose adapters the worker has; demo connections are made for these. */
const DEMO_CLOUDS: readonly DemoCloud[] = ["aws", "azure", "gcp", "oci"];

/**
 * Starts the simulators (in this process) and points one demo connection per cloud at them, plus a
 * baseline guardrail. Returns a stop function.
 */
export async function startDemoEnvironment(
  opts: StackOptions,
  baseUrl: string,
  persistDir: string,
): Promise<{ stop: () => Promise<void>; connections: Record<string, string>; sims: AllSims; workspaceId: string }> {
  configureStackAudit(opts);
  const identity = await seedIdentity(opts, baseUrl);
  const prisma = createPrisma({ url: opts.databaseUrl, max: 2 });
  try {
    const current = parseMasterKey(opts.secrets.masterKeyId, opts.secrets.masterKey);
    const { sims, connections } = await startDemoClouds({
      prisma,
      keys: { current, all: [current] },
      workspaceId: identity.workspaceId,
      ownerId: identity.ownerId,
      baseUrl,
      persistDir,
      clouds: DEMO_CLOUDS,
    });
    await seedDemoGuardrails(prisma, identity.workspaceId, identity.ownerId);
    await seedDemoAuditHistory(prisma, sims, connections.aws);
    return { sims, connections, workspaceId: identity.workspaceId, stop: () => sims.close() };
  } finally {
    await prisma.$disconnect();
  }
}

/** Starts worker and web against the given services and waits until /api/health is green. */
export async function startApp(opts: StackOptions): Promise<RunningStack> {
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    PARAPET_REDIS_PREFIX: opts.redisPrefix,
    PARAPET_BASE_URL: baseUrl,
    PARAPET_AUTH_SECRET: opts.secrets.authSecret,
    PARAPET_MASTER_KEY: opts.secrets.masterKey,
    PARAPET_MASTER_KEY_ID: opts.secrets.masterKeyId,
    // The demo's and the browser tests' cloud simulators listen on 127.0.0.1: the operator allowlist
    // lets connections reach them (and nothing else outside the clouds' own API hosts).
    PARAPET_ENDPOINT_ALLOWLIST: process.env.PARAPET_ENDPOINT_ALLOWLIST ?? "127.0.0.1",
    PARAPET_AUDIT_CHECKPOINT_DIR: opts.auditCheckpointDir,
    ...opts.extraEnv,
  };
  // The worker runs on this very Node (tsx as a loader, no shim or wrapper process in between, so
  // stopping its process group reaches it directly); `next` finds the same Node first on PATH.
  const worker = startProcess(
    "worker",
    process.execPath,
    [...WORKER_NODE_FLAGS, "--import", "tsx", join(ROOT, "apps", "worker", "src", "main.ts")],
    {
      cwd: ROOT,
      env,
      quiet: opts.quiet,
      logFile: opts.logDir && join(opts.logDir, "worker.log"),
    },
  );
  const web = startProcess(
    "web",
    join(ROOT, "apps", "web", "node_modules", ".bin", "next"),
    ["start", "-H", "127.0.0.1", "-p", String(opts.port)],
    { cwd: join(ROOT, "apps", "web"), env, quiet: opts.quiet, logFile: opts.logDir && join(opts.logDir, "web.log") },
  );
  const procs = [worker, web];
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
  };
  await waitForHttp(`${baseUrl}/api/health`, "Parapet web", 90_000, (s) => s === 200).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { baseUrl, env, procs, stop };
}
