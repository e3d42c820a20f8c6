/**
 * The fault suite's soak form (issue 23): every scenario N times, back to back, in random order, with
 * its timing drawn at random inside bounds (each draw printed, so a failure can be replayed). Reports
 * per scenario how many runs survived, hangs, lost edits, duplicates, orphans, false drift, the audit
 * chain, and the slowest shutdown. A single pass proves little when a hang depends on timing; this is
 * the repetition that makes "0 hangs" mean something.
 */
import {
  awsFixture,
  envOnPrivatePostgres,
  envOnPrivateRedis,
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
} from "../../apps/worker/src/faults/harness.ts";
import { ociFixture } from "../../apps/worker/src/faults/oci-fixture.ts";
import { workerProcessStop } from "../../apps/worker/src/faults/worker-shutdown.ts";
import { report, type Figure } from "./report.ts";
import { load1 } from "./stack.ts";

/** What one run of one scenario left behind; counts are summed over runs. */
interface Outcome {
  survived: boolean;
  hung: boolean;
  shutdownMs?: number;
  lostEdits: number;
  duplicates: number;
  orphans: number;
  falseDrift: number;
  auditChainOk: boolean;
  note: string;
}

const draw = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const coin = () => Math.random() < 0.5;

function fromSurvival(s: Survival, extra: Partial<Outcome> & { note: string }): Outcome {
  return {
    survived: survived(s) && !extra.hung,
    hung: false,
    lostEdits: s.notEnforced,
    duplicates: s.duplicates.length,
    orphans: s.orphans.length,
    falseDrift: s.falseDrift,
    auditChainOk: s.auditChainOk,
    ...extra,
  };
}

const clean = (note: string, ok: boolean, more: Partial<Outcome> = {}): Outcome => ({
  survived: ok,
  hung: false,
  lostEdits: 0,
  duplicates: 0,
  orphans: 0,
  falseDrift: 0,
  auditChainOk: true,
  note,
  ...more,
});

export async function runSoak(env: FaultEnv, n: number): Promise<boolean> {
  const fx = await awsFixture(env, { accounts: 80, latencyMs: { min: 5, max: 15 } });
  const redis = await startPrivateRedis();
  const renv = envOnPrivateRedis(env, redis);
  const postgres = await startPrivatePostgres();
  const penv = await envOnPrivatePostgres(env, postgres);
  const pfx = await awsFixture(penv, { accounts: 40, latencyMs: { min: 5, max: 15 } });
  const oci = await ociFixture(env);

  const scenarios: Record<string, () => Promise<Outcome>> = {
    "worker SIGKILLed mid-apply": async () => {
      const batch = draw(10, 40);
      const maxDelayMs = draw(0, 2000);
      const r = await killDuringApply(env, fx, 1, { batch, maxDelayMs, leaseMs: 2000 });
      return fromSurvival(r.survival, { note: `batch ${batch}, kill within ${maxDelayMs} ms, mid-apply ${r.midApply}` });
    },
    "throttling storm": async () => {
      const batch = draw(3, 20);
      const offset = draw(0, 79);
      const r = await throttlingStorm(env, fx, batch, { offset });
      return fromSurvival(r.survival, { note: `batch ${batch} at ${offset}, ${r.throttled} throttled` });
    },
    "outage window": async () => {
      const windowMs = draw(500, 5000);
      const r = await outageWindow(env, fx, windowMs, draw(4, 20), { offset: draw(0, 79) });
      return fromSurvival(r.survival, { note: `window ${windowMs} ms`, ...(r.destructiveDuringOutage ? { survived: false } : {}) });
    },
    "Redis restarted mid-run": async () => {
      const downMs = draw(100, 3000);
      const r = await redisRestart(renv, fx, redis, draw(10, 40), { downMs });
      return fromSurvival(r.survival, {
        note: `down ${downMs} ms${r.shutdown.ok ? "" : `, clean-up stuck ${r.shutdown.stuckIn}`}`,
        hung: !r.shutdown.ok,
        shutdownMs: r.shutdown.ms,
      });
    },
    "PostgreSQL restarted mid-run": async () => {
      const downMs = draw(100, 2000);
      const r = await postgresRestart(penv, pfx, postgres, draw(10, 30), { downMs });
      return fromSurvival(r.survival, { note: `down ${downMs} ms`, hung: !r.shutdown.ok, shutdownMs: r.shutdown.ms });
    },
    "OCI clock skew": async () => {
      const skewSec = draw(360, 900);
      const r = await ociClockSkew(env, oci.sim, oci.connectionId, skewSec);
      const ok = r.classifiedAuth && r.writesDuringSkew === 0 && !r.policiesChanged && r.recovered;
      return clean(`skew ${skewSec} s`, ok && r.falseDrift === 0, { falseDrift: r.falseDrift });
    },
    "worker process SIGTERM after a Redis blip": async () => {
      const redisAway = coin();
      const downMs = draw(100, 3000);
      const delayMs = draw(0, 2000);
      const deadlineMs = 8000;
      const r = await workerProcessStop(env, redis, { redisAway, downMs, delayMs, deadlineMs });
      const ok = redisAway
        ? r.code === 1 &&
          r.leaseReleased &&
          r.lines.filter((l) => /shutdown did not finish within .*exiting with status 1$/.test(l)).length === 1
        : r.code === 0 && r.lines.some((l) => /stopped in \d+ ms$/.test(l));
      const note = redisAway
        ? `Redis away, SIGTERM after ${delayMs} ms: exit ${r.code}`
        : `Redis down ${downMs} ms, SIGTERM ${delayMs} ms after it came back: exit ${r.code}`;
      return clean(note, ok && !r.hung, { hung: r.hung, shutdownMs: r.ms });
    },
  };

  const order = Object.keys(scenarios).flatMap((name) => Array.from({ length: n }, () => name));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }

  const results = new Map<string, { outcomes: Outcome[]; slowestRunMs: number }>();
  const t0 = performance.now();
  try {
    for (const [i, name] of order.entries()) {
      const start = performance.now();
      let o: Outcome;
      try {
        o = await scenarios[name]!();
      } catch (e) {
        o = clean(`threw: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200)}`, false);
      }
      const ms = performance.now() - start;
      const entry = results.get(name) ?? { outcomes: [], slowestRunMs: 0 };
      entry.outcomes.push(o);
      entry.slowestRunMs = Math.max(entry.slowestRunMs, ms);
      results.set(name, entry);
      console.log(
        `  ${String(i + 1).padStart(3)}/${order.length} ${o.survived ? "ok  " : "FAIL"} ${name} (${o.note}) ${(ms / 1000).toFixed(1)} s, load ${load1()}`,
      );
    }
  } finally {
    await oci.close();
    await pfx.sim.close();
    await penv.prisma.$disconnect();
    await postgres.stop();
    await renv.redis.quit().catch(() => undefined);
    await redis.stop();
    await fx.sim.close();
  }

  let all = true;
  const sum = (os: Outcome[], k: "lostEdits" | "duplicates" | "orphans" | "falseDrift") => os.reduce((a, o) => a + o[k], 0);
  for (const [name, { outcomes, slowestRunMs }] of results) {
    const ok = outcomes.filter((o) => o.survived).length;
    const hangs = outcomes.filter((o) => o.hung).length;
    const shutdowns = outcomes.flatMap((o) => (o.shutdownMs === undefined ? [] : [o.shutdownMs]));
    const chainOk = outcomes.every((o) => o.auditChainOk);
    all &&= ok === outcomes.length && hangs === 0 && chainOk;
    const figures: Figure[] = [
      { name: "runs survived", value: ok, unit: `of ${outcomes.length}`, goal: `${outcomes.length}`, ok: ok === outcomes.length },
      { name: "hangs (a close or stop that overran its deadline)", value: hangs, unit: "", goal: "0", ok: hangs === 0 },
      {
        name: "lost edits (environments of the latest edit not enforced)",
        value: sum(outcomes, "lostEdits"),
        unit: "",
        goal: "0",
        ok: sum(outcomes, "lostEdits") === 0,
      },
      { name: "duplicate artifacts", value: sum(outcomes, "duplicates"), unit: "", goal: "0", ok: sum(outcomes, "duplicates") === 0 },
      { name: "orphaned artifacts", value: sum(outcomes, "orphans"), unit: "", goal: "0", ok: sum(outcomes, "orphans") === 0 },
      { name: "false drift findings", value: sum(outcomes, "falseDrift"), unit: "", goal: "0", ok: sum(outcomes, "falseDrift") === 0 },
      { name: "audit chain intact after every run", value: chainOk ? 1 : 0, unit: "", goal: "1", ok: chainOk },
      ...(shutdowns.length ? [{ name: "slowest shutdown", value: Math.max(...shutdowns) / 1000, unit: "s" }] : []),
      { name: "slowest run", value: slowestRunMs / 1000, unit: "s" },
    ];
    report(`fault soak: ${name} ×${outcomes.length}`, figures);
  }
  report(`fault soak: ${Object.keys(scenarios).length} scenarios ×${n}, random order and timing`, [
    { name: "every run of every scenario survived, no hang", value: all ? 1 : 0, unit: "", goal: "1", ok: all },
    { name: "wall time / load average at the end", value: (performance.now() - t0) / 60_000, unit: `min / ${load1()}` },
  ]);
  return all;
}
