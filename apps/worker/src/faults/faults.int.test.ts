/**
 * The fault suite, reduced form (`pnpm exec vitest run --project faults`; the full form is
 * `pnpm exec tsx bench/faults.bench.ts`): a worker
 * SIGKILLed mid-apply ×3, Redis and PostgreSQL restarted mid-run (private servers, never the shared
 * ones), a provider throttling storm, an outage window and a skewed clock against OCI request signing.
 * Each must end with desired == observed, no duplicate or orphaned artifacts, the latest guardrail edit
 * enforced, no drift that nobody caused, and an intact audit chain.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { sealCredentials } from "@parapet/core";
import { processReconcile } from "../workers/reconcile.worker.ts";
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
  workerDeps,
  type AwsFixture,
  type FaultEnv,
} from "./harness.ts";
import { testFaultEnv } from "./test-env.ts";

let env: FaultEnv;
let fx: AwsFixture;

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

  it("a throttling storm finishes with the desired state and no false drift", async () => {
    const r = await throttlingStorm(env, fx, 4);
    expect(r.throttled).toBeGreaterThan(0);
    expect(survived(r.survival), JSON.stringify(r)).toBe(true);
  });

  it("an outage window removes nothing, reports no drift, and the next run converges", async () => {
    const r = await outageWindow(env, fx, 1500, 4);
    expect(r.destructiveDuringOutage).toBe(0);
    expect(survived(r.survival), JSON.stringify(r)).toBe(true);
  });

  it("Redis restarted mid-run: the worker carries on and the next request converges", async () => {
    const redis = await startPrivateRedis();
    const renv = envOnPrivateRedis(env, redis);
    try {
      const r = await redisRestart(renv, fx, redis, 20);
      expect(survived(r.survival), JSON.stringify(r)).toBe(true);
    } finally {
      await renv.redis.quit().catch(() => undefined);
      await redis.stop();
    }
  });

  it("PostgreSQL restarted mid-run: the next run converges with the audit chain intact", async () => {
    const postgres = await startPrivatePostgres();
    const penv = await envOnPrivatePostgres(env, postgres);
    const pfx = await awsFixture(penv, { accounts: 40, latencyMs: { min: 5, max: 15 } });
    try {
      const r = await postgresRestart(penv, pfx, postgres, 20);
      expect(r.survival.auditChainOk).toBe(true);
      expect(survived(r.survival), JSON.stringify(r)).toBe(true);
    } finally {
      await pfx.sim.close();
      await penv.prisma.$disconnect();
      await postgres.stop();
    }
  }, 150_000);

  it("OCI signing with a skewed clock is a classified auth error and plans nothing destructive", async () => {
    let sim: OciSim | undefined;
    try {
      sim = await startOciSim({ throttle: false });
      const demo = sim.seedDemo();
      const ws = await env.prisma.workspace.create({ data: { id: `ws_skew_${randomBytes(4).toString("hex")}`, name: "Skew", slug: `ws-skew-${randomBytes(4).toString("hex")}`, createdAt: new Date() } });
      const conn = await env.prisma.connection.create({ data: { workspaceId: ws.id, cloud: "oci", name: "OCI", status: "active", endpoint: sim.url, facts: { tenancyOcid: demo.credentials.tenancyId } } });
      const { tenancyId, userId, fingerprint, privateKeyPem, region } = demo.credentials;
      await env.prisma.connection.update({ where: { id: conn.id }, data: { credentialCiphertext: sealCredentials(env.keys, conn.id, { tenancyId, userId, fingerprint, privateKeyPem, region }) } });
      await env.prisma.guardrail.create({ data: { workspaceId: ws.id, controlId: "agent-no-destructive-actions", name: "agents", versions: { create: { version: 1, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "auto" } } } });
      const deps = workerDeps(env);
      const [first] = await processReconcile(deps, { connectionId: conn.id, trigger: "manual" });
      await deps.reconcileQueue.close();
      expect(first!.applied).toBeGreaterThan(0);
      const r = await ociClockSkew(env, sim, conn.id, 600);
      expect(r.classifiedAuth, JSON.stringify(r)).toBe(true);
      expect(r.writesDuringSkew).toBe(0);
      expect(r.policiesChanged).toBe(false);
      expect(r.falseDrift).toBe(0);
      expect(r.recovered).toBe(true);
    } finally {
      await sim?.close();
    }
  }, 120_000);
});
