/**
 * Worker memory (issue 15): peak RSS of one worker process reconciling an AWS organization of N accounts
 * from scratch — discover, 3 guardrails (agents on env=prod, secrets on data=regulated, regions on all),
 * apply, record coverage — with heap used, wall time, calls, and a breakdown per reconcile phase.
 *   pnpm exec tsx bench/worker-memory.bench.ts [accounts…=10000] [--steady] [--max-old-space=MiB]
 *     [--no-worker-flags] [--node-flags="…"] [--snapshot=<phase>] [--coverage-dump=<file>]
 * The simulator (and the organization seeded into it) lives in this process; the reconcile runs in a
 * worker process of its own (apps/worker/src/faults/reconcile-child.ts, the same processReconcile the
 * worker runs), so the figures are the worker's alone. Adapter pacing off, unthrottled simulator.
 * --steady: a second worker process then reconciles the same org again (the steady state: zero writes).
 * The worker process runs with the worker's V8 flags (apps/worker/src/node-flags.ts); --no-worker-flags
 * runs it with V8's defaults, --node-flags adds any.
 * --max-old-space: the child's V8 old-space limit (node --max-old-space-size), to see what a cap costs.
 * --snapshot: the child writes a V8 heap snapshot as that phase starts (bench/out/).
 * --coverage-dump: writes the connection's coverage table (account, control, status, fidelity, detail;
 * sorted, one line each) after the first run, so two commits' tables can be compared with `diff`.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { seedAwsOrg, startAwsSim } from "@parapet/cloud-sim";
import { WORKER_NODE_FLAGS } from "../apps/worker/src/node-flags.ts";
import { childEnv, keyringOf, parseChildOutput, spawnReconcileChild, type ChildOutput } from "../apps/worker/src/faults/harness.ts";
import { report, type Figure } from "./lib/report.ts";
import { addGuardrail, connectAws, load1, startBenchStack, type BenchStack } from "./lib/stack.ts";

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const COUNTS = args.filter((a) => !a.startsWith("--")).map(Number);
if (COUNTS.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("accounts must be positive integers");
const STEADY = args.includes("--steady");
const MAX_OLD = opt("max-old-space");
// The worker's own V8 flags (apps/worker/src/node-flags.ts) unless --no-worker-flags; then any extra
// (space-separated), e.g. --node-flags="--optimize-for-size".
const NODE_FLAGS = [
  ...(args.includes("--no-worker-flags") ? [] : WORKER_NODE_FLAGS),
  ...(opt("node-flags") ?? "").split(" ").filter(Boolean),
];
const SNAPSHOT = opt("snapshot");
const DUMP = opt("coverage-dump");
const OUT = join(import.meta.dirname, "out");

const stack = await startBenchStack({ tag: "worker-memory", poolMax: 3 });

async function runChild(connectionId: string, discover: boolean): Promise<{ out: ChildOutput | undefined; wall: number; stderr: string }> {
  const t0 = performance.now();
  const nodeArgs = [...NODE_FLAGS, ...(MAX_OLD ? [`--max-old-space-size=${MAX_OLD}`] : [])];
  const child = spawnReconcileChild(
    childEnv(
      {
        prisma: stack.prisma,
        databaseUrl: stack.databaseUrl,
        redis: stack.redis,
        redisUrl: stack.redisUrl,
        redisPrefix: stack.redisPrefix,
        masterKeyB64: stack.masterKeyB64,
        keys: keyringOf(stack.masterKeyB64),
      },
      {
        FAULT_CONNECTION_ID: connectionId,
        FAULT_MEMORY_PHASES: "1",
        ...(discover ? { FAULT_DISCOVER: "1" } : {}),
        ...(SNAPSHOT && discover ? { FAULT_HEAP_SNAPSHOT_AT: SNAPSHOT, FAULT_HEAP_SNAPSHOT_DIR: OUT } : {}),
      },
    ),
    nodeArgs,
  );
  const r = await child.done;
  return { out: parseChildOutput(r.stdout), wall: (performance.now() - t0) / 1000, stderr: r.stderr.slice(-600) };
}

function figures(label: string, res: Awaited<ReturnType<typeof runChild>>, rows: number, loadAt: number): Figure[] {
  const { out } = res;
  const runs = out?.runs.map(
    (x) => `${x.status}${x.error ? ` (${x.error})` : ""}, ${x.applied} applied, ${x.reads} reads, ${x.writes} writes`,
  );
  const heapPeak = Math.max(0, ...(out?.phases ?? []).map((p) => p.peakHeapMb));
  const fs: Figure[] = [
    {
      name: `${label}: worker peak RSS (run: ${runs?.join("; ") ?? `no result: ${res.stderr}`}; ${rows} coverage rows)`,
      value: (out?.maxRssKb ?? NaN) / 1024,
      unit: "MiB",
    },
    { name: `${label}: peak V8 heap used (limit ${out?.heapLimitMb ?? "?"} MiB)`, value: heapPeak, unit: "MiB" },
    { name: `${label}: wall time`, value: res.wall, unit: "s" },
  ];
  for (const p of out?.phases ?? []) {
    fs.push({
      name: `${label}:   phase ${p.phase.padEnd(16)} ${String(p.ms).padStart(8)} ms, heap used peak ${p.peakHeapMb} → end ${p.endHeapMb}, heap committed peak ${p.peakHeapTotalMb}, external peak ${p.peakExternalMb}, RSS end ${p.endRssMb}; RSS peak`,
      value: p.peakRssMb,
      unit: "MiB",
    });
  }
  fs.push({ name: `${label}: load average (1 min) at start / end`, value: loadAt, unit: `/ ${load1()}` });
  return fs;
}

async function dumpCoverage(s: BenchStack, connectionId: string, file: string): Promise<void> {
  const rows = await s.prisma.coverageRow.findMany({
    where: { connectionId },
    select: {
      status: true,
      fidelity: true,
      detail: true,
      node: { select: { externalId: true } },
      guardrail: { select: { controlId: true } },
    },
  });
  const lines = rows.map((r) => [r.node.externalId, r.guardrail.controlId, r.status, r.fidelity, r.detail ?? ""].join("\t")).sort();
  writeFileSync(file, lines.join("\n") + "\n");
  console.log(`coverage table (${lines.length} rows) written to ${file}`);
}

mkdirSync(OUT, { recursive: true });
for (const accounts of COUNTS.length ? COUNTS : [10_000]) {
  const sim = await startAwsSim({ throttle: false });
  const seed0 = performance.now();
  seedAwsOrg(sim, { accounts, ous: Math.min(2_000, Math.round(accounts / 5)), depth: 3 });
  console.log(`seeded ${accounts} accounts in ${((performance.now() - seed0) / 1000).toFixed(1)} s (simulator in the bench process)`);
  const c = await connectAws(stack, sim);
  await addGuardrail(stack.prisma, c.workspaceId, "agent-no-destructive-actions", { labels: "env=prod" });
  await addGuardrail(stack.prisma, c.workspaceId, "nonprod-no-prod-secrets", { labels: "data=regulated" });
  await addGuardrail(stack.prisma, c.workspaceId, "restrict-regions", { all: true });

  const loadAt = load1();
  const first = await runChild(c.connectionId, true);
  const rows = await stack.prisma.coverageRow.count({ where: { connectionId: c.connectionId } });
  const title = `worker memory, ${accounts.toLocaleString("en")}-account AWS org from scratch${MAX_OLD ? ` (--max-old-space-size=${MAX_OLD})` : ""}${NODE_FLAGS.length ? ` (${NODE_FLAGS.join(" ")})` : ""}`;
  report(title, figures("from scratch", first, rows, loadAt));
  if (DUMP) await dumpCoverage(stack, c.connectionId, DUMP.replace("{n}", String(accounts)));
  if (STEADY) {
    const loadSteady = load1();
    const again = await runChild(c.connectionId, false);
    const rowsAgain = await stack.prisma.coverageRow.count({ where: { connectionId: c.connectionId } });
    report(`${title}, then steady state`, figures("steady state", again, rowsAgain, loadSteady));
  }
  await sim.close();
}
await stack.close();
