/**
 * The reconcile lease (reconcile/phases/lease.ts) against the real PostgreSQL: it never outlives the call
 * that took it, and its clock can be moved on, so a dead worker's lease is seen expired without sleeping;
 * a run that loses it mid-apply stops before its next write with its journal consistent; a queued job
 * that finds it held waits for it in BullMQ's delayed set instead of being dropped.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { reconcileJobId, requestReconcile } from "@parapet/core";
import { reconcileConnection, type ReconcileSummary } from "@parapet/core/reconcile/reconcile-connection";
import { awsFixture, checkSurvival, rescope, sleep, survived, workerDeps, type AwsFixture, type FaultEnv } from "../faults/harness.ts";
import { testFaultEnv } from "../faults/test-env.ts";
import { createReconcileWorker } from "./reconcile.worker.ts";

let env: FaultEnv;
let fx: AwsFixture;
/** A larger org with latency on every call, so an apply takes seconds: long enough to lose the lease in. */
let slow: AwsFixture;

beforeAll(async () => {
  env = testFaultEnv("lease");
  fx = await awsFixture(env, { accounts: 2 });
  slow = await awsFixture(env, { accounts: 16, latencyMs: { min: 100, max: 150 } });
});

afterAll(async () => {
  await fx?.sim.close();
  await slow?.sim.close();
  await env?.redis.quit();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, capMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() - t0 > capMs) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

const intents = async (connectionId: string, status: "pending" | "done") =>
  env.prisma.applyIntent.count({ where: { connectionId, status } });

/**
 * Starts a live reconcile of the slow fixture with a 1.5 s lease (renewed every 0.5 s), and once its first
 * change is recorded, calls `interfere` (what takes the lease away); returns the run's summary.
 */
async function loseLeaseMidApply(workerId: string, interfere: () => Promise<void>): Promise<{ summary: ReconcileSummary; since: Date }> {
  const since = new Date();
  const doneBefore = await intents(slow.connectionId, "done");
  const deps = workerDeps(env, { workerId, leaseMs: 1500 });
  try {
    const running = reconcileConnection(deps, slow.connectionId, { trigger: "manual" });
    await until("the first change recorded", async () => (await intents(slow.connectionId, "done")) > doneBefore);
    await interfere();
    return { summary: await running, since };
  } finally {
    await deps.reconcileQueue.close();
  }
}

/** After the interference: the run stopped early, left nothing pending, and the next runs converge. */
async function expectStoppedCleanly(r: { summary: ReconcileSummary; since: Date }, planned: number, scope: string[]) {
  const why = JSON.stringify({ ...r.summary, plan: undefined });
  expect(r.summary.status, why).toBe("failed");
  expect(r.summary.leaseLost, why).toBe(true);
  // Stopped before the end of its plan, after at least the change the test waited for; every change it
  // sent is journalled as done (it checked the lease before opening the next intent): nothing pending.
  const journal = await env.prisma.applyIntent.groupBy({ by: ["status"], where: { runId: r.summary.runId! }, _count: { _all: true } });
  expect(
    journal.map((j) => [j.status, j._count._all]),
    why,
  ).toEqual([["done", expect.any(Number)]]);
  expect(journal[0]!._count._all, why).toBeLessThan(planned);
  expect(await intents(slow.connectionId, "pending")).toBe(0);
  const run = await env.prisma.reconcileRun.findUniqueOrThrow({ where: { id: r.summary.runId! } });
  expect(run.status).toBe("failed");
  expect(run.finishedAt).not.toBeNull();
  // The connection's outcome belongs to whoever holds the lease now: this run does not overwrite it.
  const conn = await env.prisma.connection.findUniqueOrThrow({ where: { id: slow.connectionId } });
  expect(conn.lastReconcileStatus).not.toBe("failed");
  const s = await checkSurvival(env, slow, r.since, scope, "lease-check");
  expect(survived(s), s.detail).toBe(true);
  expect(s.duplicates).toEqual([]);
  expect(s.orphans).toEqual([]);
}

/** How many changes the slow fixture's next run would make. */
async function plannedChanges(): Promise<number> {
  const deps = workerDeps(env, { workerId: "lease-plan" });
  try {
    const dry = await reconcileConnection(deps, slow.connectionId, { trigger: "manual", dryRun: true });
    return dry.plan?.changes.length ?? 0;
  } finally {
    await deps.reconcileQueue.close();
  }
}

const leaseOf = async (connectionId = fx.connectionId) =>
  env.prisma.connection.findUniqueOrThrow({
    where: { id: connectionId },
    select: { reconcileLeaseOwner: true, reconcileLeaseUntil: true },
  });

async function reconcileWith(opts: { workerId: string; leaseMs?: number; leaseClock?: () => Date }) {
  const deps = workerDeps(env, opts);
  try {
    return await reconcileConnection(deps, fx.connectionId, { trigger: "manual" });
  } finally {
    await deps.reconcileQueue.close();
  }
}

describe("reconcile lease", () => {
  it("a run whose reconcile_run row cannot be written gives the lease back and stops renewing it", async () => {
    // A real refusal from the database (as a full disk or a lost connection would give), not a stub.
    await env.prisma.$executeRawUnsafe(
      `CREATE OR REPLACE FUNCTION lease_test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the lease test'; END $$ LANGUAGE plpgsql`,
    );
    await env.prisma.$executeRawUnsafe(
      `CREATE TRIGGER lease_test_refuse BEFORE INSERT ON reconcile_run FOR EACH ROW EXECUTE FUNCTION lease_test_refuse()`,
    );
    try {
      await expect(reconcileWith({ workerId: "lease-test", leaseMs: 600 })).rejects.toThrow(/refused by the lease test/);
      // Before the fix the lease stayed with "lease-test" and its timer renewed it every 200 ms for the life of
      // the process, keeping every other worker off this connection.
      expect(await leaseOf()).toEqual({ reconcileLeaseOwner: null, reconcileLeaseUntil: null });
      // Three renew periods later nothing has taken it again.
      await sleep(700);
      expect(await leaseOf()).toEqual({ reconcileLeaseOwner: null, reconcileLeaseUntil: null });
    } finally {
      await env.prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS lease_test_refuse ON reconcile_run`);
    }
    // With the database writable again, the next run goes ahead.
    expect((await reconcileWith({ workerId: "lease-test" })).status).not.toBe("skipped");
  });

  it("another worker's lease holds until it expires on the lease clock", async () => {
    await env.prisma.connection.update({
      where: { id: fx.connectionId },
      data: { reconcileLeaseOwner: "dead-worker", reconcileLeaseUntil: new Date(Date.now() + 60 * 60_000) },
    });
    const held = await reconcileWith({ workerId: "lease-test-2" });
    expect(held.status).toBe("skipped");
    expect(held.skip).toEqual({ kind: "lease-held" });
    expect((await leaseOf()).reconcileLeaseOwner).toBe("dead-worker");
    // Two hours on, the dead worker's lease has run out: this worker takes it, runs, and gives it back.
    const later = await reconcileWith({ workerId: "lease-test-2", leaseClock: () => new Date(Date.now() + 2 * 60 * 60_000) });
    expect(later.status).not.toBe("skipped");
    expect(later.runId).toBeDefined();
    expect(await leaseOf()).toEqual({ reconcileLeaseOwner: null, reconcileLeaseUntil: null });
  });

  it("a run whose lease another worker took stops before its next write; nothing is left pending and the next run converges", async () => {
    const scope = await rescope(env, slow, 0, 12);
    const planned = await plannedChanges();
    expect(planned).toBeGreaterThan(6);
    let r, owner;
    try {
      r = await loseLeaseMidApply("lease-victim", async () => {
        // What another worker's acquireLease writes once this run's lease has lapsed.
        await env.prisma.connection.update({
          where: { id: slow.connectionId },
          data: { reconcileLeaseOwner: "lease-thief", reconcileLeaseUntil: new Date(Date.now() + 60 * 60_000) },
        });
      });
      owner = (await leaseOf(slow.connectionId)).reconcileLeaseOwner;
    } finally {
      await env.prisma.connection.update({
        where: { id: slow.connectionId },
        data: { reconcileLeaseOwner: null, reconcileLeaseUntil: null },
      });
    }
    expect(r.summary.error).toMatch(/taken by another worker/);
    // Its release did not clear the lease it no longer holds.
    expect(owner).toBe("lease-thief");
    await expectStoppedCleanly(r, planned, scope);
  }, 120_000);

  it("a run whose lease the database will not renew stops once two thirds of it have passed unrenewed", async () => {
    const scope = await rescope(env, slow, 6, 10);
    const planned = await plannedChanges();
    expect(planned).toBeGreaterThan(6);
    // A real refusal of every renewal (as a database failing over would give), not a stub: the lease's
    // owner stays and its end moves. Taking and releasing still work, and so does every other update.
    await env.prisma.$executeRawUnsafe(
      `CREATE OR REPLACE FUNCTION lease_test_no_renew() RETURNS trigger AS $$ BEGIN
         IF OLD."reconcileLeaseOwner" IS NOT NULL AND NEW."reconcileLeaseOwner" = OLD."reconcileLeaseOwner"
            AND NEW."reconcileLeaseUntil" IS DISTINCT FROM OLD."reconcileLeaseUntil" THEN
           RAISE EXCEPTION 'renewal refused by the lease test';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql`,
    );
    let r;
    try {
      r = await loseLeaseMidApply("lease-unrenewed", async () => {
        await env.prisma.$executeRawUnsafe(
          `CREATE TRIGGER lease_test_no_renew BEFORE UPDATE ON connection FOR EACH ROW EXECUTE FUNCTION lease_test_no_renew()`,
        );
      });
    } finally {
      await env.prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS lease_test_no_renew ON connection`);
    }
    expect(r.summary.error).toMatch(/could not be renewed/);
    // Released on the way out (the database accepts that).
    expect(await leaseOf(slow.connectionId)).toEqual({ reconcileLeaseOwner: null, reconcileLeaseUntil: null });
    await expectStoppedCleanly(r, planned, scope);
  }, 120_000);

  it("a queued reconcile that finds the lease held waits in the delayed set until it ends, keeps its request, and runs once", async () => {
    const deps = workerDeps(env, { workerId: "lease-survivor", leaseMs: 3000 });
    const queue = deps.reconcileQueue;
    onTestFinished(() => queue.close());
    // A dead worker's lease, ending 2 s from now on the database's clock.
    const [dead] = await env.prisma.$queryRaw<{ until: Date }[]>`
      UPDATE connection SET "reconcileLeaseOwner" = 'dead-worker', "reconcileLeaseUntil" = now() + interval '2 seconds'
      WHERE id = ${fx.connectionId} RETURNING "reconcileLeaseUntil" AS until`;
    const deadUntil = dead!.until;
    const since = new Date();
    const worker = createReconcileWorker(deps, env.redis);
    onTestFinished(() => worker.close());
    const request = { connectionId: fx.connectionId, trigger: "manual" as const, reason: "requested while a dead worker held the lease" };
    await requestReconcile(queue, env.redis, env.redisPrefix, request);
    // Deferred, not dropped: the job waits in the delayed set with its request.
    const delayed = await until("the job deferred", async () => {
      const job = await queue.getJob(reconcileJobId(fx.connectionId));
      return job && (await job.isDelayed()) ? job : undefined;
    });
    expect(delayed.data).toMatchObject(request);
    // A second request meanwhile collapses into the same job (deterministic id): still one job.
    await requestReconcile(queue, env.redis, env.redisPrefix, request);
    const counts = await queue.getJobCounts("waiting", "delayed", "active");
    expect((counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0)).toBe(1);
    const runs = await until("a succeeded run", async () => {
      const rows = await env.prisma.reconcileRun.findMany({ where: { connectionId: fx.connectionId, startedAt: { gte: since } } });
      return rows.some((x) => x.status === "succeeded") ? rows : undefined;
    });
    // It ran after the dead worker's lease ended, as the request it was (not as a poll), exactly once
    // for both requests (the second's pending flag was consumed by the run it collapsed into).
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toBe("manual");
    expect(runs[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(deadUntil.getTime());
    await until("the job finished", async () => (await queue.getJob(reconcileJobId(fx.connectionId))) === undefined);
    expect(await leaseOf()).toEqual({ reconcileLeaseOwner: null, reconcileLeaseUntil: null });
  }, 120_000);
});
