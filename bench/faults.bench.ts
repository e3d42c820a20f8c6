/**
 * The fault suite, full form (issue 10; the reduced form is apps/worker/src/faults/faults.int.test.ts,
 * `pnpm exec vitest run --project faults`):
 *   pnpm exec tsx bench/faults.bench.ts [kills=20]
 *   pnpm exec tsx bench/faults.bench.ts --soak 10     every scenario ×10, random order and timing (lib/fault-soak.ts)
 * A worker child SIGKILLed at a random point of a large apply ×20, Redis restarted mid-run (private
 * redis-server), PostgreSQL restarted mid-run (private cluster), a throttling storm, an outage window
 * shorter and one longer than the adapter's retry budget, and OCI signing with a worker clock 10 minutes
 * ahead. Prints, for each, what survived.
 */
import {
  awsFixture,
  envOnPrivatePostgres,
  envOnPrivateRedis,
  keyringOf,
  killDuringApply,
  ociClockSkew,
  outageWindow,
  postgresRestart,
  redisRestart,
  startPrivatePostgres,
  startPrivateRedis,
  survived,
  throttlingStorm,
  type FaultEnv,
  type Survival,
} from "../apps/worker/src/faults/harness.ts";
import { ociFixture } from "../apps/worker/src/faults/oci-fixture.ts";
import { runSoak } from "./lib/fault-soak.ts";
import { report, type Figure } from "./lib/report.ts";
import { load1, startBenchStack } from "./lib/stack.ts";

const soakAt = process.argv.indexOf("--soak");
const SOAK = soakAt > 0 ? Number(process.argv[soakAt + 1] ?? 10) : 0;
const KILLS = SOAK ? 0 : Number(process.argv[2] ?? 20);
const stack = await startBenchStack({ tag: "faults" });
const env: FaultEnv = {
  prisma: stack.prisma,
  databaseUrl: stack.databaseUrl,
  redis: stack.redis,
  redisUrl: stack.redisUrl,
  redisPrefix: stack.redisPrefix,
  masterKeyB64: stack.masterKeyB64,
  keys: keyringOf(stack.masterKeyB64),
  log: (l) => console.log(`  · ${l}`),
};

function survivalFigures(s: Survival): Figure[] {
  return [
    {
      name: `converged (clean run, then a run with nothing to do): ${s.detail}`,
      value: s.converged ? 1 : 0,
      unit: "",
      goal: "1",
      ok: s.converged,
    },
    {
      name: "duplicate artifacts (same name twice in the cloud)",
      value: s.duplicates.length,
      unit: "",
      goal: "0",
      ok: s.duplicates.length === 0,
    },
    { name: "orphaned artifacts (owned, not desired)", value: s.orphans.length, unit: "", goal: "0", ok: s.orphans.length === 0 },
    {
      name: "environments of the latest guardrail edit not enforced (lost edit)",
      value: s.notEnforced,
      unit: "",
      goal: "0",
      ok: s.notEnforced === 0,
    },
    { name: "false drift findings (nobody changed the cloud)", value: s.falseDrift, unit: "", goal: "0", ok: s.falseDrift === 0 },
    {
      name: `audit chain intact (${s.auditChecked} events checked)`,
      value: s.auditChainOk ? 1 : 0,
      unit: "",
      goal: "1",
      ok: s.auditChainOk,
    },
  ];
}

if (SOAK) {
  const ok = await runSoak(env, SOAK);
  await stack.close();
  process.exit(ok ? 0 : 1);
}

const t = () => performance.now();
const fx = await awsFixture(env, { accounts: 300, latencyMs: { min: 10, max: 30 } });

{
  const t0 = t();
  const r = await killDuringApply(env, fx, KILLS, { batch: 80, maxDelayMs: 4000, leaseMs: 3000 });
  report(`fault: worker SIGKILLed during a large apply ×${KILLS} (AWS, 300 accounts, 80-account rescope each round)`, [
    { name: "kills that landed mid-apply", value: r.midApply, unit: `of ${r.kills}` },
    { name: `apply intents written before each kill: ${r.intentsAtKill.join(", ")}`, value: Math.max(...r.intentsAtKill), unit: "max" },
    ...survivalFigures(r.survival),
    { name: "survived", value: survived(r.survival) ? 1 : 0, unit: "", ok: survived(r.survival) },
    { name: "scenario wall time / load average", value: (t() - t0) / 1000, unit: `s / ${load1()}` },
  ]);
}

{
  const t0 = t();
  const r = await throttlingStorm(env, fx, 20);
  report("fault: provider throttling storm (AWS buckets of 1–2 tokens, adapter pacing off)", [
    { name: `throttled calls retried; runs: ${r.runs.join(" | ")}`, value: r.throttled, unit: "calls" },
    ...survivalFigures(r.survival),
    { name: "survived", value: survived(r.survival) ? 1 : 0, unit: "", ok: survived(r.survival) },
    { name: "scenario wall time / load average", value: (t() - t0) / 1000, unit: `s / ${load1()}` },
  ]);
}

for (const windowMs of [2_000, 45_000]) {
  const t0 = t();
  const r = await outageWindow(env, fx, windowMs, 20);
  report(`fault: AWS outage window of ${windowMs / 1000} s while a reconcile runs into it`, [
    {
      name: `run during the outage: ${r.duringOutage}`,
      value: r.destructiveDuringOutage,
      unit: "removals of wanted protection",
      goal: "0",
      ok: r.destructiveDuringOutage === 0,
    },
    ...survivalFigures(r.survival),
    { name: "survived", value: survived(r.survival) ? 1 : 0, unit: "", ok: survived(r.survival) },
    { name: "scenario wall time / load average", value: (t() - t0) / 1000, unit: `s / ${load1()}` },
  ]);
}

{
  const t0 = t();
  const redis = await startPrivateRedis();
  const renv = envOnPrivateRedis(env, redis);
  try {
    const r = await redisRestart(renv, fx, redis, 60);
    report("fault: Redis restarted mid-run (private redis-server, no persistence: queued jobs lost)", [
      { name: `in-flight run: ${r.inFlight}`, value: 0, unit: "" },
      {
        name: `clean-up (worker, connections, queue)${r.shutdown.ok ? "" : `: stuck ${r.shutdown.stuckIn}`}`,
        value: r.shutdown.ms / 1000,
        unit: "s",
        goal: "finishes",
        ok: r.shutdown.ok,
      },
      ...survivalFigures(r.survival),
      { name: "survived", value: survived(r.survival) ? 1 : 0, unit: "", ok: survived(r.survival) },
      { name: "scenario wall time / load average", value: (t() - t0) / 1000, unit: `s / ${load1()}` },
    ]);
  } finally {
    await renv.redis.quit().catch(() => undefined);
    await redis.stop();
  }
}

{
  const t0 = t();
  const postgres = await startPrivatePostgres();
  const penv = await envOnPrivatePostgres(env, postgres);
  const pfx = await awsFixture(penv, { accounts: 150, latencyMs: { min: 10, max: 30 } });
  try {
    const r = await postgresRestart(penv, pfx, postgres, 60);
    report("fault: PostgreSQL restarted mid-run (private cluster, immediate shutdown)", [
      { name: `in-flight run: ${r.inFlight}`, value: 0, unit: "" },
      {
        name: `clean-up (worker, connections, queue)${r.shutdown.ok ? "" : `: stuck ${r.shutdown.stuckIn}`}`,
        value: r.shutdown.ms / 1000,
        unit: "s",
        goal: "finishes",
        ok: r.shutdown.ok,
      },
      ...survivalFigures(r.survival),
      { name: "survived", value: survived(r.survival) ? 1 : 0, unit: "", ok: survived(r.survival) },
      { name: "scenario wall time / load average", value: (t() - t0) / 1000, unit: `s / ${load1()}` },
    ]);
  } finally {
    await pfx.sim.close();
    await penv.prisma.$disconnect();
    await postgres.stop();
  }
}

{
  const t0 = t();
  const oci = await ociFixture(env);
  try {
    const r = await ociClockSkew(env, oci.sim, oci.connectionId, 600);
    const ok = r.classifiedAuth && r.writesDuringSkew === 0 && !r.policiesChanged && r.falseDrift === 0 && r.recovered;
    report("fault: OCI request signing from a worker whose clock is 10 minutes ahead (tolerance 5 min)", [
      {
        name: `run with the skewed clock: ${r.status}; ${r.error.slice(0, 200)}`,
        value: r.classifiedAuth ? 1 : 0,
        unit: "classified as auth",
        goal: "1",
        ok: r.classifiedAuth,
      },
      { name: "writes during the skewed run", value: r.writesDuringSkew, unit: "", goal: "0", ok: r.writesDuringSkew === 0 },
      { name: "policies changed in the cloud", value: r.policiesChanged ? 1 : 0, unit: "", goal: "0", ok: !r.policiesChanged },
      { name: "false drift findings", value: r.falseDrift, unit: "", goal: "0", ok: r.falseDrift === 0 },
      { name: "clock right again: next run converged with zero writes", value: r.recovered ? 1 : 0, unit: "", goal: "1", ok: r.recovered },
      { name: "survived", value: ok ? 1 : 0, unit: "", ok },
      { name: "scenario wall time / load average", value: (t() - t0) / 1000, unit: `s / ${load1()}` },
    ]);
  } finally {
    await oci.close();
  }
}

await fx.sim.close();
await stack.close();
