/**
 * One worker process running one reconcile of one connection, for the fault suite (killed with SIGKILL
 * at random points) and the memory benchmark (peak RSS of a large reconcile). Prints one line on
 * stdout, `CHILD_RESULT_MARKER` then JSON: the run summaries and the process's peak RSS. Its log lines
 * (JSON too) go to stderr, so nothing the worker code logs can be read as the result.
 *
 * Environment: DATABASE_URL, REDIS_URL, PARAPET_REDIS_PREFIX, PARAPET_FAULT_MASTER_KEY (base64, key id
 * "f1"), PARAPET_AUDIT_KEY, FAULT_CONNECTION_ID; optional FAULT_WORKER_ID, FAULT_LEASE_MS, FAULT_DISCOVER=1,
 * FAULT_AWS_PACING=1, FAULT_CLOCK_SKEW_MS (this process's clock runs that far ahead, as on a host whose
 * clock drifted), FAULT_MEMORY_PHASES=1 (the result adds, per reconcile phase, its wall time and the
 * process's peak RSS and heap, sampled every 25 ms), FAULT_HEAP_SNAPSHOT_AT=<phase> (writes a V8 heap
 * snapshot into FAULT_HEAP_SNAPSHOT_DIR, default the working directory, as that phase starts: what the
 * earlier phases left live).
 */
import { getHeapStatistics, writeHeapSnapshot } from "node:v8";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createPrisma } from "@parapet/db";
import { auditConfigFrom, configureAudit } from "@parapet/core/audit/audit-keys";
import { configureLogging } from "@parapet/core/common/logger";
import type { ReconcilePhase } from "@parapet/core/reconcile/phases/context";
import { processReconcile } from "../workers/reconcile.worker.ts";
import { CHILD_RESULT_MARKER, keyringOf, workerDeps, type PhaseMemory } from "./harness.ts";

configureLogging({ service: "fault-child", destination: process.stderr });

const skew = Number(process.env.FAULT_CLOCK_SKEW_MS ?? 0);
if (skew) {
  const Real = Date;
  // Every `new Date()` and `Date.now()` in this process (the request signer's x-date included) is shifted.
  class Shifted extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(Real.now() + skew);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return Real.now() + skew;
    }
  }
  globalThis.Date = Shifted as DateConstructor;
}

const need = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

// The run's audit events are keyed like the worker's (PARAPET_AUDIT_KEY comes from the test run's setup).
configureAudit(auditConfigFrom({ secret: need("PARAPET_AUDIT_KEY"), checkpointDir: process.env.PARAPET_AUDIT_CHECKPOINT_DIR ?? null }));
const prisma = createPrisma({ url: need("DATABASE_URL"), max: 3 });
const redis = new Redis(need("REDIS_URL"), { maxRetriesPerRequest: null });
const env = {
  prisma,
  databaseUrl: need("DATABASE_URL"),
  redis,
  redisUrl: need("REDIS_URL"),
  redisPrefix: need("PARAPET_REDIS_PREFIX"),
  masterKeyB64: need("PARAPET_FAULT_MASTER_KEY"),
  keys: keyringOf(need("PARAPET_FAULT_MASTER_KEY")),
};
const phases: PhaseMemory<ReconcilePhase | "start">[] = [];
const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
let current = { phase: "start" as ReconcilePhase | "start", t0: performance.now(), rss: 0, heap: 0, heapTotal: 0, external: 0 };
const sample = () => {
  const m = process.memoryUsage();
  current.rss = Math.max(current.rss, m.rss);
  current.heap = Math.max(current.heap, m.heapUsed);
  current.heapTotal = Math.max(current.heapTotal, m.heapTotal);
  current.external = Math.max(current.external, m.external);
  return m;
};
const sampler = process.env.FAULT_MEMORY_PHASES === "1" ? setInterval(sample, 25) : undefined;
const snapshotAt = process.env.FAULT_HEAP_SNAPSHOT_AT;
const onPhase = (next: ReconcilePhase) => {
  if (!sampler) return;
  const m = sample();
  phases.push({
    phase: current.phase,
    ms: Math.round(performance.now() - current.t0),
    peakRssMb: mb(current.rss),
    peakHeapMb: mb(current.heap),
    endRssMb: mb(m.rss),
    endHeapMb: mb(m.heapUsed),
    peakHeapTotalMb: mb(current.heapTotal),
    peakExternalMb: mb(current.external),
  });
  if (next === snapshotAt) {
    const file = writeHeapSnapshot(join(process.env.FAULT_HEAP_SNAPSHOT_DIR ?? process.cwd(), `reconcile-${next}.heapsnapshot`));
    process.stderr.write(`heap snapshot at ${next}: ${file}\n`);
  }
  current = { phase: next, t0: performance.now(), rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
};

const deps = workerDeps(env, {
  workerId: process.env.FAULT_WORKER_ID ?? `fault-child-${process.pid}`,
  awsPacing: process.env.FAULT_AWS_PACING === "1",
  ...(process.env.FAULT_LEASE_MS ? { leaseMs: Number(process.env.FAULT_LEASE_MS) } : {}),
});
const runs = await processReconcile(
  { ...deps, onPhase },
  {
    connectionId: need("FAULT_CONNECTION_ID"),
    trigger: "manual",
    ...(process.env.FAULT_DISCOVER === "1" ? { discover: true } : {}),
  },
);
process.stdout.write(
  CHILD_RESULT_MARKER +
    JSON.stringify({
      runs: runs.map((r) => ({
        status: r.status,
        applied: r.applied,
        writes: r.calls.writes,
        reads: r.calls.reads,
        unknown: (r.plan?.unknown ?? []).slice(0, 5).map((u) => u.reason),
        ...(r.error ? { error: r.error } : {}),
      })),
      maxRssKb: process.resourceUsage().maxRSS,
      ...(sampler ? { phases, heapLimitMb: mb(getHeapStatistics().heap_size_limit) } : {}),
    }) +
    "\n",
);
if (sampler) clearInterval(sampler);
await deps.reconcileQueue.close();
await redis.quit();
await prisma.$disconnect();
