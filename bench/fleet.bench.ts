/**
 * A fleet of workers (issue 15, deliverable 4, first slice): N connections (one simulated AWS org each,
 * per-call latency on, so the work is I/O bound as against a real cloud) reconciled by the production
 * worker process (apps/worker/src/main.ts, unchanged, started as child processes on this run's database
 * and Redis prefix).
 *   Run A: 1 worker process; Run B: 2 worker processes (same PARAPET_WORKER_CONCURRENCY each), each from
 *   a clean state (fresh orgs and connections); connections/min and the ratio B ÷ A (goal ≥ 1.8×).
 *   Run C: 2 workers, one SIGKILLed once ~1/3 of the connections are done; whether every connection still
 *   ends with a succeeded run, duplicates (in the database and in the cloud), orphans, pending apply
 *   intents, runs left "running", the audit chains, and how long recovery took (the killed worker's leases
 *   only expire after the lease time, which the worker does not let an operator configure).
 * Prints figures; asserts nothing about time.
 *   pnpm exec tsx bench/fleet.bench.ts [--connections 50] [--concurrency 4] [--accounts 12] [--latency 20-60]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { seedAwsOrg, startAwsSim } from "@parapet/cloud-sim";
import type { AwsSim } from "@parapet/cloud-sim/aws/index";
import { requestReconcile, verifyAuditChain } from "@parapet/core";
import { auditConfigFrom, configureAudit } from "@parapet/core/audit/audit-keys";
import { processReconcile } from "../apps/worker/src/workers/reconcile.worker.ts";
import { onInterrupt } from "../apps/worker/src/testing/on-interrupt.ts";
import { report } from "./lib/report.ts";
import { addGuardrail, benchAdapterFor, connectAws, load1, ROOT, sleep, startBenchStack } from "./lib/stack.ts";
import { WORKER_NODE_FLAGS } from "../apps/worker/src/node-flags.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const CONNECTIONS = Number(arg("connections", "50"));
const CONCURRENCY = Number(arg("concurrency", "4"));
const ACCOUNTS = Number(arg("accounts", "12"));
const [LAT_MIN, LAT_MAX] = arg("latency", "20-60").split("-").map(Number) as [number, number];
/** The lease reconcileConnection takes when the worker passes none (packages/core/src/reconcile/phases/lease.ts). */
const LEASE_MS = 5 * 60_000;
/** Run C gives up waiting this long after the kill (the lease, plus a poll tick and the run itself). */
const RECOVERY_CAP_MS = LEASE_MS + 120_000;
const WORKER_MAIN = join(ROOT, "apps", "worker", "src", "main.ts");

// The workers and this process must share the audit key, so the chains they write verify here.
const AUDIT_KEY = randomBytes(32).toString("hex");
configureAudit(auditConfigFrom({ secret: AUDIT_KEY }));

const stack = await startBenchStack({ tag: "fleet", poolMax: 8 });

interface Fleet {
  sims: AwsSim[];
  conns: { connectionId: string; workspaceId: string; sim: AwsSim }[];
}

/**
 * Fresh orgs and connections: discovered in this process without latency (setup, not measured), three
 * guardrails per workspace so the first reconcile applies real changes, then the latency switched on.
 * `pollIntervalSec` decides whether the workers' poll tick may request these connections on its own.
 */
async function prepareFleet(pollIntervalSec: number): Promise<Fleet> {
  const sims: AwsSim[] = [];
  const conns: Fleet["conns"] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const sim = await startAwsSim({ throttle: false, seed: i + 1 });
    seedAwsOrg(sim, { accounts: ACCOUNTS, ous: Math.max(3, Math.round(ACCOUNTS / 4)), depth: 2, seed: i + 1 });
    sims.push(sim);
    conns.push({ ...(await connectAws(stack, sim)), sim });
  }
  const setup = stack.deps({ workerId: "bench-fleet-setup", adapterFor: benchAdapterFor({ rateLimits: false }) });
  for (let i = 0; i < conns.length; i += 8) {
    await Promise.all(
      conns.slice(i, i + 8).map(async (c) => {
        const [s] = await processReconcile(setup, { connectionId: c.connectionId, trigger: "manual", discover: true });
        if (s!.status !== "succeeded") throw new Error(`discovery failed: ${s!.error}`);
      }),
    );
  }
  for (const c of conns) {
    await addGuardrail(stack.prisma, c.workspaceId, "restrict-regions", { all: true }, { name: "approved regions" });
    await addGuardrail(stack.prisma, c.workspaceId, "agent-no-destructive-actions", { labels: "env=prod" }, { name: "agents: no destroy" });
    await addGuardrail(stack.prisma, c.workspaceId, "nonprod-no-prod-secrets", { labels: "data=regulated" }, { name: "regulated secrets" });
    c.sim.configure({ faults: { latencyMs: { min: LAT_MIN, max: LAT_MAX } } });
  }
  await stack.prisma.connection.updateMany({ where: { id: { in: conns.map((c) => c.connectionId) } }, data: { pollIntervalSec } });
  return { sims, conns };
}

interface WorkerProc {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  tail(): string;
}

/** The production worker process, as a deployment starts it (node with tsx as an import hook, so SIGKILL hits the worker itself). */
async function startWorker(id: string): Promise<WorkerProc> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    PARAPET_REDIS_PREFIX: stack.redisPrefix,
    PARAPET_MASTER_KEY: stack.masterKeyB64,
    PARAPET_MASTER_KEY_ID: "f1",
    PARAPET_WORKER_ID: id,
    PARAPET_WORKER_CONCURRENCY: String(CONCURRENCY),
    PARAPET_AUDIT_KEY: AUDIT_KEY,
    // Its "ready" line is info.
    LOG_LEVEL: "info",
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1",
  };
  delete env.PARAPET_AUDIT_CHECKPOINT_DIR;
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, "--import", "tsx", WORKER_MAIN], {
    cwd: join(ROOT, "apps", "worker"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const unregister = onInterrupt(`worker ${id}`, { sync: () => void child.kill("SIGKILL") });
  let out = "";
  let ready = false;
  const take = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
    if (!ready && / ready: queues /.test(out)) ready = true;
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exited = new Promise<number | null>((r) =>
    child.once("exit", (code) => {
      unregister();
      r(code);
    }),
  );
  for (let i = 0; i < 1200 && !ready; i++) {
    if (child.exitCode !== null) throw new Error(`worker ${id} exited before it was ready:\n${out.slice(-2000)}`);
    await sleep(50);
  }
  if (!ready) throw new Error(`worker ${id} not ready in 60 s:\n${out.slice(-2000)}`);
  return { id, child, exited, tail: () => out.slice(-2000) };
}

async function stopWorkers(ws: WorkerProc[]): Promise<void> {
  for (const w of ws) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
  await Promise.all(ws.map((w) => Promise.race([w.exited, sleep(40_000).then(() => w.child.kill("SIGKILL"))])));
}

/** Per connection: succeeded runs started since `since`, and the first one's finish time. */
async function succeeded(ids: string[], since: Date): Promise<Map<string, { n: number; first: Date }>> {
  const rows = await stack.prisma.reconcileRun.groupBy({
    by: ["connectionId"],
    where: { connectionId: { in: ids }, status: "succeeded", startedAt: { gte: since } },
    _count: { _all: true },
    _min: { finishedAt: true },
  });
  return new Map(rows.map((r) => [r.connectionId, { n: r._count._all, first: r._min.finishedAt! }]));
}

interface RunResult {
  ms: number;
  done: number;
  perMin: number;
  applied: number;
  load: [number, number];
}

/** Enqueues a reconcile for every connection and waits until each has a succeeded run (or `capMs` passes). */
async function measure(
  fleet: Fleet,
  workers: number,
  opts: { onProgress?: (done: number) => Promise<void>; capMs: number },
): Promise<RunResult> {
  const ids = fleet.conns.map((c) => c.connectionId);
  const load0 = load1();
  const since = new Date();
  const t0 = performance.now();
  for (const id of ids) await requestReconcile(stack.queue, stack.redis, stack.redisPrefix, { connectionId: id, trigger: "manual" });
  let done = 0;
  while (performance.now() - t0 < opts.capMs) {
    done = (await succeeded(ids, since)).size;
    if (opts.onProgress) await opts.onProgress(done);
    if (done === ids.length) break;
    await sleep(200);
  }
  const ms = performance.now() - t0;
  const applied = await stack.prisma.applyIntent.count({ where: { connectionId: { in: ids }, status: "done", createdAt: { gte: since } } });
  console.log(`  · ${workers} worker(s): ${done}/${ids.length} connections in ${(ms / 1000).toFixed(1)} s, ${applied} changes applied`);
  return { ms, done, perMin: done / (ms / 60_000), applied, load: [load0, load1()] };
}

async function closeFleet(f: Fleet) {
  await Promise.all(f.sims.map((s) => s.close()));
}

async function throughputRun(workers: number): Promise<RunResult> {
  const fleet = await prepareFleet(86_400);
  const procs: WorkerProc[] = [];
  try {
    for (let i = 0; i < workers; i++) procs.push(await startWorker(`fleet-${workers}w-${i}`));
    return await measure(fleet, workers, { capMs: 15 * 60_000 });
  } finally {
    await stopWorkers(procs);
    await closeFleet(fleet);
  }
}

console.log(
  `fleet bench: ${CONNECTIONS} AWS orgs of ${ACCOUNTS} accounts, 3 guardrails each, simulator latency ${LAT_MIN}–${LAT_MAX} ms per call, ` +
    `PARAPET_WORKER_CONCURRENCY=${CONCURRENCY} per worker; load ${load1()}`,
);
const a = await throughputRun(1);
const b = await throughputRun(2);
const ratio = b.perMin / a.perMin;
report(
  `fleet: ${CONNECTIONS} connections, 1 worker vs 2 workers (concurrency ${CONCURRENCY} each, latency ${LAT_MIN}–${LAT_MAX} ms/call)`,
  [
    {
      name: `A, 1 worker: all connections reconciled (${a.done}/${CONNECTIONS}, ${a.applied} changes applied)`,
      value: a.ms / 1000,
      unit: "s",
    },
    { name: "A, throughput", value: a.perMin, unit: `connections/min (load ${a.load[0]} → ${a.load[1]})` },
    {
      name: `B, 2 workers: all connections reconciled (${b.done}/${CONNECTIONS}, ${b.applied} changes applied)`,
      value: b.ms / 1000,
      unit: "s",
    },
    { name: "B, throughput", value: b.perMin, unit: `connections/min (load ${b.load[0]} → ${b.load[1]})` },
    { name: "B ÷ A", value: ratio, unit: "×", goal: "≥ 1.8 ×", ok: ratio >= 1.8 },
  ],
);

// Run C: two workers, one SIGKILLed once a third of the connections are done. The poll interval is the
// product default (300 s): nothing else re-requests a connection whose job the survivor gave up on.
{
  const fleet = await prepareFleet(300);
  const ids = fleet.conns.map((c) => c.connectionId);
  const procs = [await startWorker("fleet-c-0"), await startWorker("fleet-c-1")];
  const victim = procs[0]!;
  let killedAt = 0;
  let killedAtWall = 0;
  let held: string[] = [];
  let doneAtKill = 0;
  let r: RunResult;
  const since = new Date();
  const startPerf = performance.now();
  try {
    r = await measure(fleet, 2, {
      capMs: 15 * 60_000,
      onProgress: async (done) => {
        if (killedAt === 0 && done >= Math.ceil(ids.length / 3)) {
          victim.child.kill("SIGKILL");
          killedAt = performance.now();
          killedAtWall = Date.now();
          doneAtKill = done;
          held = (
            await stack.prisma.connection.findMany({ where: { id: { in: ids }, reconcileLeaseOwner: victim.id }, select: { id: true } })
          ).map((c) => c.id);
          console.log(`  · SIGKILLed ${victim.id} at ${done}/${ids.length} done; it held ${held.length} lease(s)`);
        }
        if (killedAt && performance.now() - killedAt > RECOVERY_CAP_MS) throw new Error("recovery cap");
      },
    }).catch(async (e: unknown) => {
      if (!(e instanceof Error) || e.message !== "recovery cap") throw e;
      const done = (await succeeded(ids, since)).size;
      return { ms: performance.now() - startPerf, done, perMin: NaN, applied: 0, load: [NaN, load1()] as [number, number] };
    });
  } finally {
    await stopWorkers(procs);
  }
  const ok = await succeeded(ids, since);
  const heldDone = held.filter((id) => ok.has(id));
  const lastHeldMs = heldDone.length ? Math.max(...heldDone.map((id) => ok.get(id)!.first.getTime())) - killedAtWall : NaN;
  // The requested (manual) reconcile done twice is duplicate work; poll-triggered runs are the workers'
  // own schedule (the poll interval is the product default here) and are counted apart.
  const manualRuns = await stack.prisma.reconcileRun.groupBy({
    by: ["connectionId"],
    where: { connectionId: { in: ids }, status: "succeeded", trigger: "manual", startedAt: { gte: since } },
    _count: { _all: true },
  });
  const others = ids.filter((id) => !held.includes(id) && ok.has(id));
  const othersDoneMs = others.length ? Math.max(...others.map((id) => ok.get(id)!.first.getTime())) - since.getTime() : NaN;
  const doubles = manualRuns.filter((m) => m._count._all > 1).length;
  const pollRuns = await stack.prisma.reconcileRun.count({
    where: { connectionId: { in: ids }, status: "succeeded", trigger: "poll", startedAt: { gte: since } },
  });
  const heldFirst = await stack.prisma.reconcileRun.findMany({
    where: { connectionId: { in: held }, status: "succeeded", startedAt: { gte: since } },
    orderBy: { finishedAt: "asc" },
    select: { connectionId: true, trigger: true },
  });
  const recoveredBy = new Map<string, string>();
  for (const h of heldFirst) if (!recoveredBy.has(h.connectionId)) recoveredBy.set(h.connectionId, h.trigger);
  const byTrigger = [...recoveredBy.values()].reduce<Record<string, number>>((acc, t) => ({ ...acc, [t]: (acc[t] ?? 0) + 1 }), {});
  const stuckRuns = await stack.prisma.reconcileRun.count({ where: { connectionId: { in: ids }, status: "running" } });
  const pending = await stack.prisma.applyIntent.count({ where: { connectionId: { in: ids }, status: "pending" } });
  let cloudDuplicates = 0;
  let cloudOrphans = 0;
  let chainsBroken = 0;
  let chainEvents = 0;
  for (const c of fleet.conns) {
    const owned = [...c.sim.state.policies.values()].filter((p) => p.tags.get("parapet:managed") === c.workspaceId);
    const names = owned.map((p) => p.name);
    cloudDuplicates += names.length - new Set(names).size;
    const desired = new Set(
      (await stack.prisma.artifact.findMany({ where: { connectionId: c.connectionId }, select: { name: true } })).map((x) => x.name),
    );
    cloudOrphans += owned.filter((p) => !desired.has(p.name)).length;
    const chain = await verifyAuditChain(stack.prisma, c.workspaceId);
    if (!chain.ok) chainsBroken++;
    chainEvents += chain.checked;
  }
  await closeFleet(fleet);
  const missing = ids.length - ok.size;
  report(
    `fleet: 2 workers, one SIGKILLed at ${doneAtKill}/${CONNECTIONS} connections done (lease ${LEASE_MS / 1000} s, not configurable)`,
    [
      {
        name: "connections with a succeeded run at the end",
        value: ok.size,
        unit: `of ${ids.length}`,
        goal: `${ids.length}`,
        ok: missing === 0,
      },
      { name: "leases the killed worker held (its in-flight connections)", value: held.length, unit: "" },
      {
        name: `start → every connection the killed worker did not hold succeeded (${others.length})`,
        value: othersDoneMs / 1000,
        unit: "s",
      },
      {
        name: `of those, finished by the survivor (first succeeded run's trigger: ${JSON.stringify(byTrigger)})`,
        value: heldDone.length,
        unit: `of ${held.length}`,
      },
      { name: "kill → last of the killed worker's connections succeeded", value: lastHeldMs / 1000, unit: "s" },
      { name: "start → every connection succeeded (or the cap)", value: r.ms / 1000, unit: "s" },
      {
        name: "connections whose requested (manual) reconcile succeeded twice (duplicate work)",
        value: doubles,
        unit: "",
        goal: "0",
        ok: doubles === 0,
      },
      { name: "poll-triggered succeeded runs (the workers' own schedule, poll interval 300 s)", value: pollRuns, unit: "" },
      { name: "runs left 'running' (the killed worker's)", value: stuckRuns, unit: "" },
      { name: "apply intents left pending", value: pending, unit: "", goal: "0", ok: pending === 0 },
      { name: "duplicate policies in the clouds", value: cloudDuplicates, unit: "", goal: "0", ok: cloudDuplicates === 0 },
      { name: "orphaned policies in the clouds", value: cloudOrphans, unit: "", goal: "0", ok: cloudOrphans === 0 },
      {
        name: `audit chains broken (${chainEvents} events checked, ${ids.length} workspaces)`,
        value: chainsBroken,
        unit: "",
        goal: "0",
        ok: chainsBroken === 0,
      },
      { name: "load average at the end", value: load1(), unit: "" },
    ],
  );
}

await stack.close();
