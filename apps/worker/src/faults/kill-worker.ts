/**
 * A fleet of two worker processes (the production apps/worker/src/main.ts, unchanged) sharing one
 * database and Redis, one of them SIGKILLed while it holds leases mid-apply (issue 15, "a fleet of
 * workers"). Returns what happened to every requested connection: which run finally succeeded, its
 * trigger and when it started against the dead worker's lease, plus what a kill could have broken
 * (pending apply intents, duplicate or orphaned policies in the clouds, the audit chains, reconcile jobs
 * multiplied), and whether each connection then converges. Used by the fault suite's reduced form
 * (kill-worker.int.test.ts); bench/fleet.bench.ts runs the same kill at fleet scale.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { Queue } from "bullmq";
import { bullPrefix, QUEUES, requestReconcile } from "@parapet/core";
import { onInterrupt } from "../testing/on-interrupt.ts";
import { awsFixture, checkSurvival, MASTER_KEY_ID, rescope, sleep, type AwsFixture, type FaultEnv, type Survival } from "./harness.ts";

const WORKER_DIR = join(import.meta.dirname, "..", "..");

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The last of what it printed (for a failure's message). */
  tail(): string;
  /** Connections whose reconcile job it deferred because another worker held the lease (its log lines). */
  deferred: string[];
}

/**
 * Starts the production worker process, as a deployment would (node with tsx as an import hook, so a
 * SIGKILL hits the worker itself), and resolves once it says it is ready.
 */
async function startWorkerProcess(
  env: FaultEnv,
  opts: { id: string; redisPrefix: string; extra?: Record<string, string> },
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(WORKER_DIR, "src", "main.ts")], {
    cwd: WORKER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      PARAPET_REDIS_PREFIX: opts.redisPrefix,
      PARAPET_MASTER_KEY: env.masterKeyB64,
      PARAPET_MASTER_KEY_ID: MASTER_KEY_ID,
      PARAPET_WORKER_ID: opts.id,
      // Its "ready" line is info (a test run may set a quieter level).
      LOG_LEVEL: "info",
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1",
      ...opts.extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const unregister = onInterrupt(`worker ${opts.id}`, { sync: () => void child.kill("SIGKILL") });
  let out = "";
  let partial = "";
  const deferred: string[] = [];
  const take = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout.on("data", (d: Buffer) => {
    take(d);
    const lines = (partial + d.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.includes("reconcile deferred")) continue;
      try {
        const { connectionId } = JSON.parse(line) as { connectionId?: string };
        if (connectionId) deferred.push(connectionId);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on("data", take);
  const exited = new Promise<number | null>((r) =>
    child.once("exit", (code) => {
      unregister();
      r(code);
    }),
  );
  for (let i = 0; i < 2400 && !/ ready: queues /.test(out); i++) {
    if (child.exitCode !== null) throw new Error(`worker ${opts.id} exited before it was ready:\n${out.slice(-2000)}`);
    await sleep(50);
  }
  if (!/ ready: queues /.test(out)) {
    child.kill("SIGKILL");
    throw new Error(`worker ${opts.id} was not ready in 120 s:\n${out.slice(-2000)}`);
  }
  return { id: opts.id, child, exited, tail: () => out.slice(-2000), deferred };
}

/** SIGTERM (a clean stop), SIGKILL past `graceMs`. */
async function stopWorkerProcesses(ws: WorkerProcess[], graceMs = 30_000): Promise<void> {
  for (const w of ws) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
  await Promise.all(ws.map((w) => Promise.race([w.exited, sleep(graceMs).then(() => w.child.kill("SIGKILL"))])));
}

export interface KillOneOptions {
  connections: number;
  accounts: number;
  latencyMs: { min: number; max: number };
  /** PARAPET_RECONCILE_LEASE_SEC of both workers. */
  leaseSec: number;
  /** PARAPET_WORKER_CONCURRENCY of both workers. */
  concurrency: number;
  /** Gives up waiting for the survivor after this long (a failure, reported as such: not a time goal). */
  capMs: number;
}

interface HeldConnection {
  connectionId: string;
  /** The dead worker's lease end, as the database had it at the kill. */
  leaseUntil: Date;
  /** Changes the dead worker had recorded for it when it was killed. */
  doneAtKill: number;
  /** The first succeeded run after the request, if any. */
  recovered?: { trigger: string; startedAt: Date; finishedAt: Date };
}

export interface KillOneResult {
  victim: string;
  /** Connections the dead worker held a lease on at the kill: its in-flight reconciles. */
  held: HeldConnection[];
  /** Connections with a succeeded run started after the request, of `connections`. */
  succeeded: number;
  /** Triggers of those first succeeded runs (every one was requested `manual`). */
  triggers: Record<string, number>;
  pendingIntents: number;
  /** reconcile.run jobs still queued, delayed or active at the end (a multiplied job would show). */
  jobsLeft: number;
  survival: Survival[];
  killToLastHeldMs: number;
  /** Of the held connections, how many the survivor deferred (found the dead lease still running) before running them. */
  heldDeferred: number;
  tails: string[];
}

async function waitFor<T>(capMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < capMs) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(50);
  }
  return undefined;
}

export async function killOneOfTwoWorkers(env: FaultEnv, opts: KillOneOptions): Promise<KillOneResult> {
  const fixtures: AwsFixture[] = [];
  const scopes = new Map<string, string[]>();
  const workers: WorkerProcess[] = [];
  // Its own prefix, so these workers only see this scenario's jobs.
  const prefix = `${env.redisPrefix}fleet:`;
  const queue = new Queue(QUEUES.reconcile, { connection: env.redis, prefix: bullPrefix(prefix) });
  try {
    for (let i = 0; i < opts.connections; i++) {
      const fx = await awsFixture(env, { accounts: opts.accounts, latencyMs: opts.latencyMs });
      // Most accounts, each attached one by one: a reconcile of a few seconds with real changes.
      scopes.set(fx.connectionId, await rescope(env, fx, 0, opts.accounts - 1));
      fixtures.push(fx);
    }
    const ids = fixtures.map((f) => f.connectionId);
    // No poll during the scenario: a connection the survivor finishes was finished by the request itself.
    await env.prisma.connection.updateMany({ where: { id: { in: ids } }, data: { pollIntervalSec: 86_400 } });
    const extra = { PARAPET_RECONCILE_LEASE_SEC: String(opts.leaseSec), PARAPET_WORKER_CONCURRENCY: String(opts.concurrency) };
    const [victim, survivor] = await Promise.all(
      ["fleet-victim", "fleet-survivor"].map((id) => startWorkerProcess(env, { id: `${id}-${process.pid}`, redisPrefix: prefix, extra })),
    );
    workers.push(victim!, survivor!);
    const since = new Date();
    for (const connectionId of ids) await requestReconcile(queue, env.redis, prefix, { connectionId, trigger: "manual" });

    // Mid-apply: the victim holds leases and has recorded a change on one of them.
    const atKill = await waitFor(opts.capMs, async () => {
      const rows = await env.prisma.connection.findMany({
        where: { id: { in: ids }, reconcileLeaseOwner: victim!.id },
        select: { id: true, reconcileLeaseUntil: true },
      });
      if (!rows.length) return undefined;
      const done = await env.prisma.applyIntent.groupBy({
        by: ["connectionId"],
        where: { connectionId: { in: rows.map((r) => r.id) }, status: "done", createdAt: { gte: since } },
        _count: { _all: true },
      });
      return done.length ? { rows, done } : undefined;
    });
    if (!atKill) throw new Error(`the victim never got to apply:\n${victim!.tail()}`);
    victim!.child.kill("SIGKILL");
    const killedAt = Date.now();
    await victim!.exited;
    // Read again after the kill: a renewal may have landed between the probe and the kill.
    const leases = await env.prisma.connection.findMany({
      where: { id: { in: ids }, reconcileLeaseOwner: victim!.id },
      select: { id: true, reconcileLeaseUntil: true },
    });
    const doneAt = new Map(atKill.done.map((d) => [d.connectionId, d._count._all]));

    type Run = { connectionId: string; trigger: string; startedAt: Date; finishedAt: Date | null };
    const firstSucceeded = async () => {
      const runs: Run[] = await env.prisma.reconcileRun.findMany({
        where: { connectionId: { in: ids }, status: "succeeded", startedAt: { gte: since } },
        orderBy: { startedAt: "asc" },
        select: { connectionId: true, trigger: true, startedAt: true, finishedAt: true },
      });
      const first = new Map<string, Run>();
      for (const r of runs) if (!first.has(r.connectionId)) first.set(r.connectionId, r);
      return first;
    };
    const first =
      (await waitFor(opts.capMs, async () => {
        const f = await firstSucceeded();
        return f.size === ids.length ? f : undefined;
      })) ?? (await firstSucceeded());

    const held: HeldConnection[] = leases.map((l) => {
      const r = first.get(l.id);
      return {
        connectionId: l.id,
        leaseUntil: l.reconcileLeaseUntil!,
        doneAtKill: doneAt.get(l.id) ?? 0,
        ...(r ? { recovered: { trigger: r.trigger, startedAt: r.startedAt, finishedAt: r.finishedAt! } } : {}),
      };
    });
    const triggers: Record<string, number> = {};
    for (const r of first.values()) triggers[r.trigger] = (triggers[r.trigger] ?? 0) + 1;
    const recoveredAt = held.map((h) => h.recovered?.finishedAt.getTime() ?? NaN);
    // Jobs finished: the survivor removes a completed job; wait for it so none is counted as left over.
    const jobsLeft =
      (await waitFor(10_000, async () => {
        const jobs = (await queue.getJobs(["waiting", "delayed", "active", "prioritized"])).filter((j) => j?.name === "reconcile.run");
        return jobs.length === 0 ? 0 : undefined;
      })) ?? (await queue.getJobs(["waiting", "delayed", "active", "prioritized"])).filter((j) => j?.name === "reconcile.run").length;
    const tails = workers.map((w) => `${w.id}: ${w.tail()}`);
    await stopWorkerProcesses(workers);
    const pendingIntents = await env.prisma.applyIntent.count({ where: { connectionId: { in: ids }, status: "pending" } });
    // Then, per connection, a clean run and a no-op run (without latency): desired == observed, no
    // duplicate or orphaned policy, every scoped account enforced, no false drift, the chain intact.
    const survival: Survival[] = [];
    for (const fx of fixtures) {
      fx.sim.configure({ faults: { latencyMs: { min: 0, max: 0 } } });
      survival.push(await checkSurvival(env, fx, since, scopes.get(fx.connectionId)!, `fleet-check-${process.pid}`));
    }
    return {
      victim: victim!.id,
      held,
      succeeded: first.size,
      triggers,
      pendingIntents,
      jobsLeft,
      survival,
      killToLastHeldMs: Math.max(...recoveredAt) - killedAt,
      heldDeferred: held.filter((h) => survivor!.deferred.includes(h.connectionId)).length,
      tails,
    };
  } finally {
    await stopWorkerProcesses(workers, 5_000);
    await queue.close();
    await Promise.all(fixtures.map((f) => f.sim.close()));
  }
}
