/**
 * Parapet's own actions are never drift, even when the run that did them was killed: the apply journal
 * (packages/core/src/reconcile/apply-journal.ts) against the AWS simulator through the real SDK, with
 * real Postgres and Redis. A killed worker is reproduced exactly as it leaves things: its run still
 * "running", its lease expired, an intent opened and the change sent to the cloud, nothing recorded;
 * and one worker process is really SIGKILLed mid-apply (the audit trail must hold what it did).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "@parapet/core";
import { reconcileConnection } from "@parapet/core/reconcile/reconcile-connection";
import { DEFAULT_RETRY, type Change, type CloudAdapter } from "@parapet/providers/contract";
import { AWS_SIM_DEFAULT_CREDENTIALS } from "@parapet/cloud-sim/aws/index";
import {
  awsFixture,
  childEnv,
  faultAdapterFor,
  rescope,
  sleep,
  spawnReconcileChild,
  workerDeps,
  type AwsFixture,
  type FaultEnv,
} from "../faults/harness.ts";
import { testFaultEnv } from "../faults/test-env.ts";
import { processReconcile } from "./reconcile.worker.ts";

let env: FaultEnv;
let fx: AwsFixture;
let adapter: CloudAdapter;

beforeAll(async () => {
  env = testFaultEnv("journal");
  fx = await awsFixture(env, { accounts: 24 });
  // The same adapter a worker uses, for the changes a killed worker had sent (and for an out-of-band edit).
  adapter = await faultAdapterFor(false)({
    connectionId: fx.connectionId,
    workspaceId: fx.workspaceId,
    cloud: "aws",
    endpoint: fx.sim.url,
    credentials: { kind: "access-keys", ...AWS_SIM_DEFAULT_CREDENTIALS },
    facts: { orgId: fx.sim.state.orgId, managementAccountId: fx.sim.state.managementAccountId },
    limits: {},
  });
});

afterAll(async () => {
  await adapter?.close();
  await fx?.sim.close();
  await env?.redis.quit();
});

const reconcile = async (opts: { leaseClock?: () => Date } = {}) => {
  const deps = workerDeps(env, { workerId: "journal-test", ...opts });
  try {
    return (await processReconcile(deps, { connectionId: fx.connectionId, trigger: "manual" }))[0]!;
  } finally {
    await deps.reconcileQueue.close();
  }
};

/** What the next run would do, without doing it. */
const dryPlan = async () => {
  const deps = workerDeps(env, { workerId: "journal-test-dry" });
  try {
    return (await reconcileConnection(deps, fx.connectionId, { trigger: "manual", dryRun: true })).plan!;
  } finally {
    await deps.reconcileQueue.close();
  }
};

/**
 * A worker killed right after the cloud took `changes` and before it recorded them: its run is left
 * running, its lease expired, one intent per change still pending.
 */
async function killedWorkerSent(changes: Change[]): Promise<string> {
  const run = await env.prisma.reconcileRun.create({
    data: { workspaceId: fx.workspaceId, connectionId: fx.connectionId, trigger: "guardrail-change" },
  });
  await env.prisma.connection.update({
    where: { id: fx.connectionId },
    data: { reconcileLeaseOwner: "killed-worker", reconcileLeaseUntil: new Date(Date.now() - 1000) },
  });
  for (const [seq, change] of changes.entries()) {
    await env.prisma.applyIntent.create({
      data: {
        connectionId: fx.connectionId,
        runId: run.id,
        seq,
        changeKey: `${change.op}|${seq}`,
        change: JSON.parse(JSON.stringify(change)) as object,
      },
    });
    const res = await adapter.apply(change);
    expect(res.noop ?? false).toBe(false);
  }
  return run.id;
}

const driftSince = (since: Date) =>
  env.prisma.driftFinding.findMany({
    where: { connectionId: fx.connectionId, openedAt: { gte: since } },
    select: { kind: true, summary: true },
  });

describe("reconcile journal: Parapet's own changes are not drift", () => {
  it("scope changes move attachments without opening drift (Parapet's own detachments are not 'detached')", async () => {
    const since = new Date();
    for (const offset of [0, 4, 8, 2]) {
      await rescope(env, fx, offset, 6);
      const s = await reconcile();
      expect(s.error).toBeUndefined();
      expect(s.status).toBe("succeeded");
      expect(s.applied).toBeGreaterThan(0);
      expect(s.driftOpened).toBe(0);
    }
    expect(await driftSince(since)).toEqual([]);
    const steady = await reconcile();
    expect(steady.calls.writes).toBe(0);
    expect((await verifyAuditChain(env.prisma, fx.workspaceId)).ok).toBe(true);
  });

  it("still reports a real out-of-band detach as drift and repairs it", async () => {
    const row = await env.prisma.artifact.findFirstOrThrow({ where: { connectionId: fx.connectionId, state: "applied" } });
    const target = (row.attachments as string[])[0]!;
    await adapter.apply({ op: "detach", kind: "aws.scp", name: row.name, externalId: row.externalId!, target, reason: "someone else" });
    const since = new Date();
    const s = await reconcile();
    expect(s.driftOpened).toBe(1);
    expect((await driftSince(since)).map((d) => d.kind)).toEqual(["detached"]);
    expect((await reconcile()).calls.writes).toBe(0);
  });

  it("a worker killed after attaching and before recording: its attachments are Parapet's own on the next run", async () => {
    await rescope(env, fx, 12, 6);
    const plan = await dryPlan();
    const attaches = plan.changes.filter((c) => c.change.op === "attach").map((c) => c.change);
    expect(attaches.length).toBeGreaterThan(0);
    // The killed run got its attaches through (constructive changes come first) and no further.
    const killedRun = await killedWorkerSent(attaches);
    const since = new Date();
    const s = await reconcile();
    expect(s.error).toBeUndefined();
    expect(s.driftOpened).toBe(0);
    expect(await driftSince(since)).toEqual([]);
    // It finished the killed run's work (the detaches), and did not repeat its attaches.
    expect(s.plan!.changes.map((c) => c.change.op).filter((op) => op === "attach")).toEqual([]);
    expect(s.applied).toBe(plan.changes.length - attaches.length);
    const intents = await env.prisma.applyIntent.findMany({ where: { runId: killedRun } });
    expect(intents.map((i) => i.status)).toEqual(attaches.map(() => "done"));
    expect(intents.every((i) => (i.result as { recovered?: boolean }).recovered === true)).toBe(true);
    expect((await env.prisma.reconcileRun.findUniqueOrThrow({ where: { id: killedRun } })).status).toBe("failed");
    // Its changes are in the audit trail (written by the run that settled them), the chain intact.
    const recovered = await env.prisma.auditEvent.count({
      where: { workspaceId: fx.workspaceId, action: "artifact.attach", data: { path: ["recovered"], equals: true } },
    });
    expect(recovered).toBe(attaches.length);
    expect((await verifyAuditChain(env.prisma, fx.workspaceId)).ok).toBe(true);
    const again = await reconcile();
    expect(again.calls.writes).toBe(0);
    expect(again.plan!.changes).toEqual([]);
  });

  it("a killed worker's change that never reached the cloud is closed as not applied and redone once", async () => {
    await rescope(env, fx, 16, 6);
    const plan = await dryPlan();
    const attach = plan.changes.find((c) => c.change.op === "attach")!.change;
    const run = await env.prisma.reconcileRun.create({
      data: { workspaceId: fx.workspaceId, connectionId: fx.connectionId, trigger: "guardrail-change" },
    });
    const intent = await env.prisma.applyIntent.create({
      data: {
        connectionId: fx.connectionId,
        runId: run.id,
        seq: 0,
        changeKey: "attach|0",
        change: JSON.parse(JSON.stringify(attach)) as object,
      },
    });
    const s = await reconcile();
    expect(s.driftOpened).toBe(0);
    expect(s.applied).toBe(plan.changes.length);
    expect((await env.prisma.applyIntent.findUniqueOrThrow({ where: { id: intent.id } })).status).toBe("failed");
    expect((await reconcile()).calls.writes).toBe(0);
  });

  it("an attach whose answer was lost stays open, and the next run settles it from the cloud without drift", async () => {
    await rescope(env, fx, 20, 4);
    // AttachPolicy answers 500 ServiceException (unavailable) on every attempt the adapter makes, then recovers.
    fx.sim.configure({
      injectErrors: [{ operation: "AttachPolicy", code: "ServiceException", status: 500, count: DEFAULT_RETRY.attempts }],
    });
    const first = await reconcile();
    expect(first.failed).toBe(1);
    const open = await env.prisma.applyIntent.findMany({ where: { runId: first.runId!, status: "pending" } });
    expect(open.map((i) => i.changeKey.split("|")[0])).toEqual(["attach"]);
    expect(open[0]!.error).toMatch(/^outcome unknown: /);
    const since = new Date();
    const next = await reconcile();
    expect(next.error).toBeUndefined();
    expect(next.driftOpened).toBe(0);
    expect(await driftSince(since)).toEqual([]);
    expect((await env.prisma.applyIntent.findUniqueOrThrow({ where: { id: open[0]!.id } })).status).toBe("failed");
    expect((await reconcile()).calls.writes).toBe(0);
  });

  it("a policy a killed worker created and never recorded is adopted, then removed when no longer desired: no duplicate, no orphan", async () => {
    // A second guardrail changes the packed content: a new policy replaces the old one.
    const g2 = await env.prisma.guardrail.create({
      data: {
        workspaceId: fx.workspaceId,
        controlId: "deny-leave-organization",
        name: "stay",
        versions: { create: { version: 1, params: {}, scope: { all: true }, mode: "enforce", remediation: "auto" } },
      },
    });
    const plan = await dryPlan();
    const creates = plan.changes.filter((c) => c.change.op === "create").map((c) => c.change);
    expect(creates.length).toBeGreaterThan(0);
    await killedWorkerSent(creates);
    const names = creates.map((c) => (c.op === "create" ? c.artifact.name : ""));
    expect(await env.prisma.artifact.count({ where: { connectionId: fx.connectionId, name: { in: names } } })).toBe(0);
    // Before the next run, the guardrail goes away: what the killed run created is no longer desired.
    await env.prisma.guardrail.update({ where: { id: g2.id }, data: { status: "disabled" } });
    const since = new Date();
    const s = await reconcile();
    expect(s.error).toBeUndefined();
    expect(s.driftOpened).toBe(0);
    expect(await driftSince(since)).toEqual([]);
    expect(s.plan!.changes.filter((c) => c.change.op === "delete").length).toBe(creates.length);
    const owned = [...fx.sim.state.policies.values()].filter((p) => p.tags.get("parapet:managed") === fx.workspaceId);
    expect(owned.filter((p) => names.includes(p.name))).toEqual([]);
    const recorded = new Set(
      (await env.prisma.artifact.findMany({ where: { connectionId: fx.connectionId }, select: { name: true } })).map((a) => a.name),
    );
    expect(owned.filter((p) => !recorded.has(p.name)).map((p) => p.name)).toEqual([]);
    expect(new Set(owned.map((p) => p.name)).size).toBe(owned.length);
    expect((await reconcile()).calls.writes).toBe(0);
    expect((await verifyAuditChain(env.prisma, fx.workspaceId)).ok).toBe(true);
  });

  it("a worker SIGKILLed mid-apply loses no audit event of a change the cloud took; the chain verifies", async () => {
    const since = new Date();
    await rescope(env, fx, 0, 20);
    // Slow the cloud down so the kill lands inside the apply.
    fx.sim.configure({ faults: { latencyMs: { min: 40, max: 80 } } });
    try {
      const c = spawnReconcileChild(
        childEnv(env, { FAULT_CONNECTION_ID: fx.connectionId, FAULT_LEASE_MS: "2000", FAULT_WORKER_ID: "journal-killed" }),
      );
      let exited = false;
      void c.done.then(() => (exited = true));
      const doneSince = () =>
        env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId, status: "done", createdAt: { gte: since } } });
      for (let i = 0; i < 600 && !exited && (await doneSince()) < 3; i++) await sleep(50);
      expect(exited).toBe(false);
      c.kill();
      await c.done;
    } finally {
      fx.sim.configure({ faults: {} });
    }
    const killed = await env.prisma.reconcileRun.findFirstOrThrow({
      where: { connectionId: fx.connectionId, startedAt: { gte: since } },
      orderBy: { startedAt: "asc" },
    });
    expect(killed.status).toBe("running");
    const done = await env.prisma.applyIntent.findMany({ where: { runId: killed.id, status: "done" }, select: { changeKey: true } });
    expect(done.length).toBeGreaterThanOrEqual(3);
    const artifactEvents = () =>
      env.prisma.auditEvent.count({
        where: { workspaceId: fx.workspaceId, action: { startsWith: "artifact." }, createdAt: { gte: since } },
      });
    // Every change the killed run got recorded is already in the audit trail.
    expect(await artifactEvents()).toBe(done.length);
    expect((await verifyAuditChain(env.prisma, fx.workspaceId)).ok).toBe(true);
    // The next run finishes the apply without drift; every change either run made, the in-flight one it
    // settled included, has exactly one audit event. The dead worker's lease (2 s) is still held in real
    // time: the run takes it on a clock moved past its expiry instead of sleeping until then.
    const s = await reconcile({ leaseClock: () => new Date(Date.now() + 10_000) });
    expect(s.error).toBeUndefined();
    expect(s.driftOpened).toBe(0);
    expect(await driftSince(since)).toEqual([]);
    const allDone = await env.prisma.applyIntent.count({
      where: { connectionId: fx.connectionId, status: "done", createdAt: { gte: since } },
    });
    expect(await artifactEvents()).toBe(allDone);
    expect(await env.prisma.applyIntent.count({ where: { connectionId: fx.connectionId, status: "pending" } })).toBe(0);
    expect((await verifyAuditChain(env.prisma, fx.workspaceId)).ok).toBe(true);
    expect((await reconcile()).calls.writes).toBe(0);
  });
});
