/**
 * The reconcile lease (reconcile/phases/lease.ts) against the real PostgreSQL: it never outlives the call
 * that took it, and its clock can be moved on, so a dead worker's lease is seen expired without sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileConnection } from "@parapet/core/reconcile/reconcile-connection";
import { awsFixture, sleep, workerDeps, type AwsFixture, type FaultEnv } from "../faults/harness.ts";
import { testFaultEnv } from "../faults/test-env.ts";

let env: FaultEnv;
let fx: AwsFixture;

beforeAll(async () => {
  env = testFaultEnv("lease");
  fx = await awsFixture(env, { accounts: 2 });
});

afterAll(async () => {
  await fx?.sim.close();
  await env?.redis.quit();
});

const leaseOf = async () =>
  env.prisma.connection.findUniqueOrThrow({
    where: { id: fx.connectionId },
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
});
