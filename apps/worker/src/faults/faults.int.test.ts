/**
 * The fault suite, reduced form (`pnpm exec vitest run --project faults`; the full form is
 * `pnpm exec tsx bench/faults.bench.ts`, the soak form `… faults.bench.ts --soak 10`): a worker
 * SIGKILLed mid-apply ×3, and twice each — with timing drawn at random inside bounds, printed so a
 * failure can be replayed — Redis and PostgreSQL restarted mid-run (private servers, never the shared
 * ones), a provider throttling storm, an outage window and a skewed clock against OCI request signing.
 * Each must end with desired == observed, no duplicate or orphaned artifacts, the latest guardrail edit
 * enforced, no drift that nobody caused, an intact audit chain, and clean-up that finishes (a close
 * that never settles is the hang issue 23 found). The worker process's own SIGTERM path after a Redis
 * blip is worker-shutdown.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  type AwsFixture,
  type FaultEnv,
  type PrivatePostgres,
  type PrivateRedis,
} from "./harness.ts";
import { ociFixture, type OciFixture } from "./oci-fixture.ts";
import { testFaultEnv } from "./test-env.ts";

let env: FaultEnv;
let fx: AwsFixture;

/** A whole number in [min, max], logged with the scenario so a failing draw can be replayed. */
const draw = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const TWICE = [1, 2] as const;

beforeAll(async () => {
  env = testFaultEnv("faults");
  fx = await awsFixture(env, { accounts: 80, latencyMs: { min: 5, max: 15 } });
});

afterAll(async () => {
  await fx?.sim.close();
  await env?.redis.quit();
});

describe("fault suite (reduced)", () => {
  it("a worker killed at random points during a large apply converges on the next run", async () => {
    const r = await killDuringApply(env, fx, 3, { batch: 20, maxDelayMs: 1000, leaseMs: 2000 });
    const why = JSON.stringify(r);
    console.log(`killed mid-apply: ${why}`);
    expect(r.midApply, why).toBeGreaterThan(0);
    expect(r.survival.duplicates, why).toEqual([]);
    expect(r.survival.orphans, why).toEqual([]);
    expect(r.survival.notEnforced, why).toBe(0);
    expect(r.survival.auditChainOk, why).toBe(true);
    expect(r.survival.converged, why).toBe(true);
    // The crashed run's own attachments must not come back as unexpected-attachment drift.
    expect(r.survival.falseDrift, why).toBe(0);
  }, 150_000);

  it.each(TWICE)("a throttling storm finishes with the desired state and no false drift (run %i)", async () => {
    const batch = draw(3, 8);
    const offset = draw(0, 79);
    const r = await throttlingStorm(env, fx, batch, { offset });
    const why = JSON.stringify({ batch, offset, ...r });
    expect(r.throttled, why).toBeGreaterThan(0);
    expect(survived(r.survival), why).toBe(true);
  });

  it.each(TWICE)("an outage window removes nothing, reports no drift, and the next run converges (run %i)", async () => {
    const windowMs = draw(800, 2500);
    const r = await outageWindow(env, fx, windowMs, 4, { offset: draw(0, 79) });
    expect(r.destructiveDuringOutage).toBe(0);
    expect(survived(r.survival), JSON.stringify({ windowMs, ...r })).toBe(true);
  });

  describe("Redis restarted mid-run", () => {
    let redis: PrivateRedis;
    let renv: FaultEnv;
    beforeAll(async () => {
      redis = await startPrivateRedis();
      renv = envOnPrivateRedis(env, redis);
    });
    afterAll(async () => {
      await renv?.redis.quit().catch(() => undefined);
      await redis?.stop();
    });
    it.each(TWICE)(
      "the worker carries on, the next request converges, and its clean-up finishes (run %i)",
      async () => {
        const downMs = draw(100, 2500);
        const r = await redisRestart(renv, fx, redis, 20, { downMs });
        const why = JSON.stringify({ downMs, ...r });
        expect(survived(r.survival), why).toBe(true);
        expect(r.shutdown.ok, why).toBe(true);
      },
      120_000,
    );
  });

  describe("PostgreSQL restarted mid-run", () => {
    let postgres: PrivatePostgres;
    let penv: FaultEnv;
    let pfx: AwsFixture;
    beforeAll(async () => {
      postgres = await startPrivatePostgres();
      penv = await envOnPrivatePostgres(env, postgres);
      pfx = await awsFixture(penv, { accounts: 40, latencyMs: { min: 5, max: 15 } });
    }, 120_000);
    afterAll(async () => {
      await pfx?.sim.close();
      await penv?.prisma.$disconnect();
      await postgres?.stop();
    });
    it.each(TWICE)(
      "the next run converges with the audit chain intact (run %i)",
      async () => {
        const downMs = draw(100, 2000);
        const r = await postgresRestart(penv, pfx, postgres, 20, { downMs });
        const why = JSON.stringify({ downMs, ...r });
        expect(r.survival.auditChainOk, why).toBe(true);
        expect(survived(r.survival), why).toBe(true);
        expect(r.shutdown.ok, why).toBe(true);
      },
      150_000,
    );
  });

  describe("OCI signing with a skewed clock", () => {
    let oci: OciFixture;
    beforeAll(async () => {
      oci = await ociFixture(env);
    }, 120_000);
    afterAll(async () => {
      await oci?.close();
    });
    it.each(TWICE)(
      "is a classified auth error, plans nothing destructive, and recovers (run %i)",
      async () => {
        expect(oci.applied).toBeGreaterThan(0);
        // OCI allows 5 minutes of skew; anything past it is refused.
        const skewSec = draw(360, 900);
        const r = await ociClockSkew(env, oci.sim, oci.connectionId, skewSec);
        const why = JSON.stringify({ skewSec, ...r });
        expect(r.classifiedAuth, why).toBe(true);
        expect(r.writesDuringSkew, why).toBe(0);
        expect(r.policiesChanged, why).toBe(false);
        expect(r.falseDrift, why).toBe(0);
        expect(r.recovered, why).toBe(true);
      },
      120_000,
    );
  });
});
