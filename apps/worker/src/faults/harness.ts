/**
 * The fault suite's scenarios, shared by the reduced form (faults.int.test.ts) and the full form
 * (bench/faults.bench.ts). Each scenario injects one fault into a real reconcile (real SDKs against the
 * simulators, real PostgreSQL and Redis) and returns what survived: whether a clean run afterwards
 * converges (desired == observed: a second run plans nothing), duplicate and orphaned artifacts, drift
 * that nobody caused, and the audit chain. Scenarios never restart the machine's shared services: Redis
 * and PostgreSQL restarts use private servers started here on free ports.
 */
import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { createPrisma, type PrismaClient } from "@parapet/db";
import {
  bullPrefix,
  parseMasterKey,
  QUEUES,
  requestReconcile,
  sealCredentials,
  shutdownInOrder,
  verifyAuditChain,
  type Keyring,
  type ShutdownStep,
} from "@parapet/core";
import type { AdapterFactory, ReconcileSummary } from "@parapet/core/reconcile/reconcile-connection";
import { createAwsAdapter } from "@parapet/providers/aws/adapter";
import { ZAwsCredentials } from "@parapet/providers/aws/credentials";
import type { AwsSim } from "@parapet/cloud-sim/aws/index";
import { AWS_SIM_DEFAULT_CREDENTIALS, seedAwsOrg, startAwsSim } from "@parapet/cloud-sim/aws/index";
import type { OciSim } from "@parapet/cloud-sim/oci/index";
import { auditConfigFrom, configureAudit } from "@parapet/core/audit/audit-keys";
import { adapterFor, egress } from "../providers.ts";
import { onInterrupt } from "../testing/on-interrupt.ts";
import { createReconcileWorker, processReconcile, type ReconcileWorkerDeps } from "../workers/reconcile.worker.ts";
import { createDatabase, sleep, type PrivatePostgres, type PrivateRedis } from "./private-servers.ts";
import { WORKER_NODE_FLAGS } from "../node-flags.ts";

export { sleep, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from "./private-servers.ts";

// Audit events written here and by child processes are keyed with one key (the test run's, or one for
// this benchmark run); children inherit it through the environment.
process.env.PARAPET_AUDIT_KEY ??= randomBytes(32).toString("base64url");
configureAudit(auditConfigFrom({ secret: process.env.PARAPET_AUDIT_KEY, checkpointDir: process.env.PARAPET_AUDIT_CHECKPOINT_DIR ?? null }));

const WORKER_DIR = join(import.meta.dirname, "..", "..");

/** Everything a scenario needs to reach the database and Redis, in process and from a child process. */
export interface FaultEnv {
  prisma: PrismaClient;
  databaseUrl: string;
  redis: Redis;
  redisUrl: string;
  redisPrefix: string;
  /** Base64 master key; the key id is MASTER_KEY_ID. */
  masterKeyB64: string;
  keys: Keyring;
  log?: (line: string) => void;
}

export const MASTER_KEY_ID = "f1";

export function keyringOf(masterKeyB64: string): Keyring {
  const current = parseMasterKey(MASTER_KEY_ID, masterKeyB64);
  return { current, all: [current] };
}

/** The worker's registry, with AWS client-side pacing switchable (off keeps fault runs short). */
export function faultAdapterFor(awsPacing: boolean): AdapterFactory {
  return (req) => {
    if (req.cloud !== "aws" || awsPacing) return adapterFor(req);
    return createAwsAdapter({
      workspaceId: req.workspaceId,
      credentials: ZAwsCredentials.parse(req.credentials),
      egress: egress(),
      ...(req.endpoint ? { endpoint: req.endpoint } : {}),
      facts: req.facts ?? {},
      limits: {},
      rateLimits: false,
    });
  };
}

export function workerDeps(
  env: FaultEnv,
  opts: { workerId?: string; awsPacing?: boolean; queue?: Queue; leaseMs?: number; leaseClock?: () => Date } = {},
): ReconcileWorkerDeps & { leaseMs?: number; leaseClock?: () => Date } {
  const queue = opts.queue ?? new Queue(QUEUES.reconcile, { connection: env.redis, prefix: bullPrefix(env.redisPrefix) });
  return {
    prisma: env.prisma,
    redis: env.redis,
    redisPrefix: env.redisPrefix,
    bullPrefix: bullPrefix(env.redisPrefix),
    keys: env.keys,
    adapterFor: faultAdapterFor(opts.awsPacing ?? false),
    workerId: opts.workerId ?? "fault-suite",
    concurrency: 1,
    reconcileQueue: queue,
    ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    ...(opts.leaseClock ? { leaseClock: opts.leaseClock } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// An AWS organisation whose desired state is a large apply: one guardrail scoped to a rotating set of
// accounts, so every new version detaches from some accounts and attaches to others.

export interface AwsFixture {
  sim: AwsSim;
  workspaceId: string;
  connectionId: string;
  guardrailId: string;
  accountNodeIds: string[];
  version: number;
}

export async function awsFixture(env: FaultEnv, opts: { accounts: number; latencyMs?: { min: number; max: number } }): Promise<AwsFixture> {
  const sim = await startAwsSim({ throttle: false, seed: 7 });
  seedAwsOrg(sim, { accounts: opts.accounts, ous: Math.max(4, Math.round(opts.accounts / 10)), depth: 2, seed: 7 });
  const wsId = `ws_fault_${Math.random().toString(16).slice(2, 10)}`;
  await env.prisma.workspace.create({ data: { id: wsId, name: "Fault suite", slug: wsId.replace(/_/g, "-"), createdAt: new Date() } });
  const conn = await env.prisma.connection.create({
    data: {
      workspaceId: wsId,
      cloud: "aws",
      name: "AWS sim",
      status: "active",
      endpoint: sim.url,
      facts: { orgId: sim.state.orgId, managementAccountId: sim.state.managementAccountId },
    },
  });
  await env.prisma.connection.update({
    where: { id: conn.id },
    data: { credentialCiphertext: sealCredentials(env.keys, conn.id, { kind: "access-keys", ...AWS_SIM_DEFAULT_CREDENTIALS }) },
  });
  const deps = workerDeps(env);
  const [first] = await processReconcile(deps, { connectionId: conn.id, trigger: "manual", discover: true });
  await deps.reconcileQueue.close();
  if (first!.status !== "succeeded") throw new Error(`discovery failed: ${first!.error}`);
  const accounts = await env.prisma.node.findMany({
    where: { connectionId: conn.id, isEnvironment: true },
    select: { id: true },
    orderBy: { externalId: "asc" },
  });
  const g = await env.prisma.guardrail.create({
    data: { workspaceId: wsId, controlId: "agent-no-destructive-actions", name: "agents cannot destroy data", currentVersion: 0 },
  });
  if (opts.latencyMs) sim.configure({ faults: { latencyMs: opts.latencyMs } });
  return { sim, workspaceId: wsId, connectionId: conn.id, guardrailId: g.id, accountNodeIds: accounts.map((a) => a.id), version: 0 };
}

/** A new guardrail version scoped to `count` accounts starting at `offset` (wrapping): a lost edit would leave the old set. */
export async function rescope(env: FaultEnv, fx: AwsFixture, offset: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(fx.accountNodeIds[(offset + i) % fx.accountNodeIds.length]!);
  fx.version++;
  await env.prisma.guardrailVersion.create({
    data: { guardrailId: fx.guardrailId, version: fx.version, params: {}, scope: { nodeIds: ids }, mode: "enforce", remediation: "auto" },
  });
  await env.prisma.guardrail.update({ where: { id: fx.guardrailId }, data: { currentVersion: fx.version } });
  return ids;
}

// ---------------------------------------------------------------------------------------------------
// What survived.

export interface Survival {
  /** A clean run succeeded and the run after it planned no change and wrote nothing. */
  converged: boolean;
  /** Owned artifact names that exist more than once in the cloud. */
  duplicates: string[];
  /** Owned artifacts in the cloud that desired state does not name. */
  orphans: string[];
  /** Environments of the latest guardrail version not enforced (a lost edit shows here). */
  notEnforced: number;
  /** Drift findings opened since the scenario started (nobody changed the cloud: all of them are false). */
  falseDrift: number;
  auditChainOk: boolean;
  auditChecked: number;
  detail: string;
}

/** Runs one clean reconcile, then a second that must be a no-op, and inspects the cloud and the database. */
export async function checkSurvival(
  env: FaultEnv,
  fx: { sim: AwsSim; workspaceId: string; connectionId: string; guardrailId: string },
  since: Date,
  expectedNodeIds: string[],
  workerId = `fault-check-${process.pid}`,
): Promise<Survival> {
  const deps = workerDeps(env, { workerId });
  let clean: ReconcileSummary | undefined;
  let again: ReconcileSummary | undefined;
  try {
    [clean] = await processReconcile(deps, { connectionId: fx.connectionId, trigger: "manual" });
    [again] = await processReconcile(deps, { connectionId: fx.connectionId, trigger: "manual" });
  } finally {
    await deps.reconcileQueue.close();
  }
  const owned = [...fx.sim.state.policies.values()].filter((p) => p.tags.get("parapet:managed") === fx.workspaceId);
  const seen = new Map<string, number>();
  for (const p of owned) seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([name]) => name);
  const desired = new Set(
    (await env.prisma.artifact.findMany({ where: { connectionId: fx.connectionId }, select: { name: true } })).map((a) => a.name),
  );
  const orphans = owned.filter((p) => !desired.has(p.name)).map((p) => p.name);
  const rows = await env.prisma.coverageRow.findMany({
    where: { connectionId: fx.connectionId, guardrailId: fx.guardrailId },
    select: { nodeId: true, status: true },
  });
  const enforced = new Set(rows.filter((r) => r.status === "enforced").map((r) => r.nodeId));
  const notEnforced = expectedNodeIds.filter((id) => !enforced.has(id)).length;
  const drift = await env.prisma.driftFinding.groupBy({
    by: ["kind", "status"],
    where: { connectionId: fx.connectionId, openedAt: { gte: since } },
    _count: { _all: true },
  });
  const falseDrift = drift.reduce((n, d) => n + d._count._all, 0);
  const chain = await verifyAuditChain(env.prisma, fx.workspaceId);
  const converged =
    clean?.status === "succeeded" && again?.status === "succeeded" && again.calls.writes === 0 && (again.plan?.changes.length ?? 1) === 0;
  return {
    converged,
    duplicates,
    orphans,
    notEnforced,
    falseDrift,
    auditChainOk: chain.ok,
    auditChecked: chain.checked,
    detail: `${falseDrift ? `false drift ${drift.map((d) => `${d._count._all} ${d.kind} (${d.status})`).join(", ")}; ` : ""}clean run ${clean?.status} (${clean?.applied ?? 0} applied${clean?.error ? `, ${clean.error}` : ""}), next run ${again?.status} with ${again?.plan?.changes.length ?? "?"} changes and ${again?.calls.writes ?? "?"} writes`,
  };
}

export const survived = (s: Survival, opts: { allowDrift?: boolean } = {}) =>
  s.converged &&
  !s.duplicates.length &&
  !s.orphans.length &&
  s.notEnforced === 0 &&
  (opts.allowDrift || s.falseDrift === 0) &&
  s.auditChainOk;

// ---------------------------------------------------------------------------------------------------
// Child-process reconciles (the worker killed with SIGKILL).

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
  stdout: string;
  stderr: string;
}

export function childEnv(env: FaultEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    PARAPET_REDIS_PREFIX: env.redisPrefix,
    PARAPET_FAULT_MASTER_KEY: env.masterKeyB64,
    ...extra,
  };
}

/**
 * Starts reconcile-child.ts in one node process with tsx as an import hook; `kill()` sends SIGKILL. (The
 * tsx CLI would run the script in a grandchild that a SIGKILL of the CLI leaves running.)
 */
export function spawnReconcileChild(
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = WORKER_NODE_FLAGS,
): { child: ChildProcess; done: Promise<ChildResult>; kill(): void } {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", join(import.meta.dirname, "reconcile-child.ts")], {
    cwd: WORKER_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let killed = false;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const unregister = onInterrupt("reconcile worker child", { sync: () => void child.kill("SIGKILL") });
  const done = new Promise<ChildResult>((resolve) =>
    child.once("exit", (code, signal) => {
      unregister();
      resolve({ code, signal, killed, stdout, stderr });
    }),
  );
  return {
    child,
    done,
    kill() {
      killed = true;
      child.kill("SIGKILL");
    },
  };
}

export interface KillResult {
  kills: number;
  /** Kills that landed while the child was applying (it had written intents and not yet exited). */
  midApply: number;
  intentsAtKill: number[];
  survival: Survival;
}

/**
 * `rounds` times: a new guardrail version (a large apply), a worker child that starts applying it,
 * SIGKILL after a random delay into the apply. Then a clean run must converge.
 */
export async function killDuringApply(
  env: FaultEnv,
  fx: AwsFixture,
  rounds: number,
  opts: { batch: number; maxDelayMs: number; leaseMs: number },
): Promise<KillResult> {
  const since = new Date();
  let ids: string[] = [];
  let midApply = 0;
  const intentsAtKill: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ids = await rescope(env, fx, i * Math.ceil(opts.batch / 2), opts.batch);
    const before = await env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId } });
    const c = spawnReconcileChild(
      childEnv(env, { FAULT_CONNECTION_ID: fx.connectionId, FAULT_LEASE_MS: String(opts.leaseMs), FAULT_WORKER_ID: `fault-child-${i}` }),
    );
    let exited = false;
    void c.done.then(() => (exited = true));
    // Wait for the apply to start, then kill at a random point into it.
    for (let w = 0; w < 1200 && !exited; w++) {
      if ((await env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId } })) > before) break;
      await sleep(50);
    }
    await sleep(Math.floor(Math.random() * opts.maxDelayMs));
    const now = (await env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId } })) - before;
    if (!exited) {
      c.kill();
      midApply++;
    }
    intentsAtKill.push(now);
    const r = await c.done;
    env.log?.(
      `kill ${i + 1}/${rounds}: ${r.killed ? "SIGKILL" : `exited ${r.code}`} after ${now} apply intents${r.code ? ` ${r.stderr.slice(-300)}` : ""}`,
    );
  }
  // A crashed worker's lease expires; the clean run waits for it like any other worker would.
  await sleep(opts.leaseMs);
  const survival = await checkSurvival(env, fx, since, ids);
  return { kills: rounds, midApply, intentsAtKill, survival };
}

// ---------------------------------------------------------------------------------------------------
// Provider throttling storm and outage window.

export interface StormResult {
  throttled: number;
  runs: string[];
  survival: Survival;
}

/** Tiny token buckets on the simulator while a new version applies and a steady-state run follows. */
export async function throttlingStorm(
  env: FaultEnv,
  fx: AwsFixture,
  batch: number,
  opts: { buckets?: Record<string, { burst: number; ratePerSec: number }>; offset?: number } = {},
): Promise<StormResult> {
  const since = new Date();
  fx.sim.configure({
    throttle: opts.buckets ?? {
      read: { burst: 2, ratePerSec: 10 },
      write: { burst: 1, ratePerSec: 4 },
      DescribePolicy: { burst: 1, ratePerSec: 4 },
    },
  });
  // Pacing off: the adapter fires as fast as it can into buckets that hold one or two tokens, so most
  // bursts are answered with TooManyRequestsException and survive only through its retries.
  const deps = workerDeps(env, { awsPacing: false, workerId: "fault-storm" });
  // Repeated storms move the scope (offset) so each one has attachments to change, hence calls to throttle.
  const ids = await rescope(env, fx, opts.offset ?? 3, batch);
  const runs: string[] = [];
  let throttled = 0;
  try {
    for (let i = 0; i < 2; i++) {
      const [s] = await processReconcile(deps, { connectionId: fx.connectionId, trigger: "poll" });
      throttled += s!.calls.throttled;
      runs.push(`${s!.status} applied=${s!.applied} throttled=${s!.calls.throttled}${s!.error ? ` ${s!.error}` : ""}`);
    }
  } finally {
    await deps.reconcileQueue.close();
    fx.sim.configure({ throttle: false });
  }
  return { throttled, runs, survival: await checkSurvival(env, fx, since, ids) };
}

export interface OutageResult {
  duringOutage: string;
  destructiveDuringOutage: number;
  survival: Survival;
}

/** Every AWS request fails as unavailable for `windowMs` while a reconcile runs into it. */
export async function outageWindow(
  env: FaultEnv,
  fx: AwsFixture,
  windowMs: number,
  batch: number,
  opts: { offset?: number } = {},
): Promise<OutageResult> {
  const since = new Date();
  const ids = await rescope(env, fx, opts.offset ?? 5, batch);
  const start = Date.now();
  fx.sim.configure({ faults: { outages: [{ start, end: start + windowMs }] } });
  const deps = workerDeps(env, { workerId: "fault-outage" });
  let during: ReconcileSummary | undefined;
  try {
    [during] = await processReconcile(deps, { connectionId: fx.connectionId, trigger: "poll" });
  } finally {
    await deps.reconcileQueue.close();
  }
  const destructive = during?.runId
    ? await env.prisma.applyIntent.count({
        where: {
          runId: during.runId,
          OR: [{ changeKey: { startsWith: "delete|" } }, { changeKey: { startsWith: "detach|" } }],
          status: "done",
        },
      })
    : 0;
  // Detaching from accounts that left the scope is desired, not destructive; count only removals of what the new version still wants.
  const wanted = new Set(
    (await env.prisma.node.findMany({ where: { id: { in: ids } }, select: { externalId: true } })).map((n) => n.externalId),
  );
  const intents = during?.runId
    ? await env.prisma.applyIntent.findMany({ where: { runId: during.runId, status: "done" }, select: { changeKey: true } })
    : [];
  const wrongful = intents.filter((x) => /^(delete|detach)\|/.test(x.changeKey) && wanted.has(x.changeKey.split("|").pop() ?? "")).length;
  while (Date.now() < start + windowMs) await sleep(100);
  fx.sim.configure({ faults: {} });
  return {
    duringOutage: `${during?.status}${during?.error ? `: ${during.error.slice(0, 160)}` : ""} (${during?.applied ?? 0} applied, ${destructive} detach/delete of which ${wrongful} removed wanted protection)`,
    destructiveDuringOutage: wrongful,
    survival: await checkSurvival(env, fx, since, ids),
  };
}

// ---------------------------------------------------------------------------------------------------
// OCI clock skew.

export interface SkewResult {
  status: string;
  error: string;
  classifiedAuth: boolean;
  writesDuringSkew: number;
  policiesChanged: boolean;
  falseDrift: number;
  recovered: boolean;
  /** The child's output, for the report when something is off. */
  childOutput: string;
}

/**
 * The worker's clock runs `skewSec` ahead (a child process with a shifted clock), so every OCI request
 * signature carries a date outside the simulator's tolerance. Expect a classified auth error and no plan
 * applied; with the clock right again, a run makes zero writes.
 */
export async function ociClockSkew(env: FaultEnv, sim: OciSim, connectionId: string, skewSec: number): Promise<SkewResult> {
  const since = new Date();
  const before = JSON.stringify(sim.store.listPolicies({ compartmentId: sim.tenancyId }));
  const c = spawnReconcileChild(
    childEnv(env, { FAULT_CONNECTION_ID: connectionId, FAULT_CLOCK_SKEW_MS: String(skewSec * 1000), FAULT_WORKER_ID: "fault-skewed" }),
  );
  const r = await c.done;
  const out = parseChildOutput(r.stdout);
  const run = out?.runs[0];
  const after = JSON.stringify(sim.store.listPolicies({ compartmentId: sim.tenancyId }));
  const falseDrift = await env.prisma.driftFinding.count({ where: { connectionId, openedAt: { gte: since } } });
  const deps = workerDeps(env, { workerId: "fault-skew-check" });
  const [again] = await processReconcile(deps, { connectionId, trigger: "manual" });
  await deps.reconcileQueue.close();
  return {
    status: run?.status ?? `child exited ${r.code}: ${r.stderr.slice(-300)}`,
    error: run?.error ?? run?.unknown[0] ?? "",
    // The adapter either fails the run with the auth kind or marks the reads unknown with the auth
    // classification's public message (OCI's NotAuthenticated code, naming the machine clock); both mean
    // nothing is planned from them.
    classifiedAuth:
      !!run?.error?.startsWith("auth:") ||
      (!!run?.unknown.length && run.unknown.every((u) => /\(NotAuthenticated\)/.test(u) && /machine clock/.test(u))),
    writesDuringSkew: run?.writes ?? -1,
    policiesChanged: before !== after,
    falseDrift,
    recovered: again!.status === "succeeded" && again!.calls.writes === 0,
    childOutput: `${r.stdout.slice(-500)}${r.stderr.slice(-500)}`,
  };
}

/** One reconcile phase of a child: wall time and the highest RSS / heap used seen while it ran. */
export interface PhaseMemory<P extends string = string> {
  phase: P;
  ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  endRssMb: number;
  endHeapMb: number;
  /** V8's committed heap (used + free pages it keeps) and memory outside it (Buffers, WebAssembly), peaks. */
  peakHeapTotalMb: number;
  peakExternalMb: number;
}

export interface ChildOutput {
  runs: Array<{ status: string; applied: number; writes: number; reads: number; unknown: string[]; error?: string }>;
  maxRssKb: number;
  /** With FAULT_MEMORY_PHASES=1: per reconcile phase (in order, repeated per round), wall and memory. */
  phases?: PhaseMemory[];
  heapLimitMb?: number;
}

/** Starts reconcile-child.ts's result line: its log lines are JSON too (on stderr, but a result is never guessed). */
export const CHILD_RESULT_MARKER = "fault-child-result ";

export function parseChildOutput(stdout: string): ChildOutput | undefined {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(CHILD_RESULT_MARKER));
  return line ? (JSON.parse(line.slice(CHILD_RESULT_MARKER.length)) as ChildOutput) : undefined;
}

/** Prisma errors put the cause on their last line. */
const lastLine = (m: string) =>
  (
    m
      .split("\n")
      .filter((l) => l.trim())
      .pop() ?? m
  )
    .trim()
    .slice(0, 200);

export interface RestartResult {
  inFlight: string;
  survival: Survival;
  /** The scenario's own worker and connections closing after the fault. */
  shutdown: ShutdownFigure;
}

interface ShutdownFigure {
  ms: number;
  /** False when a close overran the deadline (the hang this guards against); `stuckIn` names it. */
  ok: boolean;
  stuckIn?: string;
}

/** Long enough for a worker to finish a reconcile it is in; a close still pending after it is a hang. */
const SCENARIO_SHUTDOWN_DEADLINE_MS = 30_000;

/** Closes under a deadline (a hang is a figure, not a stuck benchmark); `force` runs when one overran. */
async function closeWithin(steps: ShutdownStep[], force: () => void, deadlineMs = SCENARIO_SHUTDOWN_DEADLINE_MS): Promise<ShutdownFigure> {
  const out = await shutdownInOrder(steps, deadlineMs);
  if (out.ok) return { ms: out.ms, ok: true };
  force();
  return { ms: out.ms, ok: false, stuckIn: out.stuckIn };
}

async function waitForApply(env: FaultEnv, connectionId: string, before: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if ((await env.prisma.applyIntent.count({ where: { connectionId } }).catch(() => before)) > before) return;
    await sleep(25);
  }
}

/**
 * Redis restarted (without persistence: queued jobs are lost) while a real BullMQ worker applies. The
 * in-flight run must finish or fail cleanly; once Redis is back, the next request (a poll tick or a cloud
 * event in production) must be processed by the same worker and converge.
 */
export async function redisRestart(
  env: FaultEnv,
  fx: AwsFixture,
  redis: PrivateRedis,
  batch: number,
  timing: { downMs?: number } = {},
): Promise<RestartResult> {
  const since = new Date();
  const ids = await rescope(env, fx, 7, batch);
  const workerConn = new Redis(redis.url, { maxRetriesPerRequest: null });
  workerConn.on("error", () => undefined);
  env.redis.on("error", () => undefined);
  const deps = workerDeps(env, { workerId: "fault-redis" });
  const worker: Worker = createReconcileWorker(deps, workerConn);
  worker.on("error", () => undefined);
  const before = await env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId } });
  let result: Omit<RestartResult, "shutdown">;
  let shutdown: ShutdownFigure;
  try {
    await requestReconcile(deps.reconcileQueue, env.redis, env.redisPrefix, { connectionId: fx.connectionId, trigger: "guardrail-change" });
    await waitForApply(env, fx.connectionId, before);
    await redis.restart(timing.downMs ?? 500);
    // The run that was in flight finishes against the database and the cloud; Redis is only its queue.
    let run = await env.prisma.reconcileRun.findFirst({ where: { connectionId: fx.connectionId }, orderBy: { startedAt: "desc" } });
    for (let i = 0; i < 1200 && run?.status === "running"; i++) {
      await sleep(50);
      run = await env.prisma.reconcileRun.findFirst({ where: { connectionId: fx.connectionId }, orderBy: { startedAt: "desc" } });
    }
    const inFlight = `${run?.status ?? "none"}${run?.error ? `: ${run.error.slice(0, 160)}` : ""}`;
    // Production's next poll tick or cloud event; here, one request through the restarted Redis.
    const lastRun = run?.id;
    await requestReconcile(deps.reconcileQueue, env.redis, env.redisPrefix, { connectionId: fx.connectionId, trigger: "poll" });
    for (let i = 0; i < 1200; i++) {
      const r = await env.prisma.reconcileRun.findFirst({ where: { connectionId: fx.connectionId }, orderBy: { startedAt: "desc" } });
      if (r && r.id !== lastRun && r.status !== "running") break;
      await sleep(50);
    }
    result = { inFlight, survival: await checkSurvival(env, fx, since, ids) };
  } finally {
    // Closed right after the checks, while connections may still be reconnecting: where the hang was.
    shutdown = await closeWithin(
      [
        { name: "closing the BullMQ worker", run: () => worker.close() },
        { name: "quitting the worker's Redis connection", run: () => workerConn.quit() },
        { name: "closing the reconcile queue", run: () => deps.reconcileQueue.close() },
      ],
      () => workerConn.disconnect(),
    );
  }
  return { ...result, shutdown };
}

/**
 * PostgreSQL restarted (immediate shutdown) while a reconcile applies. The in-flight run fails; the
 * next run, once the database is back, must converge with the audit chain intact.
 */
export async function postgresRestart(
  env: FaultEnv,
  fx: AwsFixture,
  postgres: PrivatePostgres,
  batch: number,
  timing: { downMs?: number } = {},
): Promise<RestartResult> {
  const since = new Date();
  const ids = await rescope(env, fx, 9, batch);
  const deps = workerDeps(env, { workerId: "fault-postgres" });
  const before = await env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId } });
  let inFlight: string;
  let shutdown: ShutdownFigure;
  try {
    const running = processReconcile(deps, { connectionId: fx.connectionId, trigger: "guardrail-change" }).then(
      ([s]) => `${s!.status}${s!.error ? `: ${lastLine(s!.error)}` : ""}`,
      (e: unknown) => `threw: ${lastLine((e as Error).message)}`,
    );
    await waitForApply(env, fx.connectionId, before);
    await postgres.restart(timing.downMs ?? 500);
    inFlight = await running;
  } finally {
    shutdown = await closeWithin([{ name: "closing the reconcile queue", run: () => deps.reconcileQueue.close() }], () => undefined);
  }
  // Wait until the pool reconnects.
  for (let i = 0; i < 200; i++) {
    if (
      await env.prisma.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  // The same worker carries on: a lease it could not release while the database was down is still its own.
  return { inFlight, shutdown, survival: await checkSurvival(env, fx, since, ids, "fault-postgres") };
}

/** A FaultEnv on a private PostgreSQL (for the restart scenario), sharing the caller's Redis. */
export async function envOnPrivatePostgres(base: FaultEnv, postgres: PrivatePostgres): Promise<FaultEnv> {
  const url = await createDatabase(postgres.adminUrl, "parapet_faults");
  return { ...base, databaseUrl: url, prisma: createPrisma({ url, max: 3 }) };
}

/** A FaultEnv on a private Redis (for the restart scenario), sharing the caller's database. */
export function envOnPrivateRedis(base: FaultEnv, redis: PrivateRedis): FaultEnv {
  const r = new Redis(redis.url, { maxRetriesPerRequest: null });
  r.on("error", () => undefined);
  return { ...base, redis: r, redisUrl: redis.url };
}
