/**
 * "Re-apply now" on a drift finding: a person's repair request puts back drift of a guardrail set to
 * notify (which a scheduled run only reports), even when the request collapses into a run already
 * queued. Real Postgres and Redis, the OCI simulator through the real OCI SDK.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { bullPrefix, parseMasterKey, QUEUES, reconcileJobId, requestReconcile, sealCredentials, type Keyring } from "@parapet/core";
import { reapplyDrift } from "@parapet/core/drift/reapply-drift";
import { createTestUser, createTestWorkspace, testPrisma } from "@parapet/core/testing/db";
import { adapterFor } from "../providers.ts";
import { processReconcile, type ReconcileWorkerDeps } from "./reconcile.worker.ts";

const prisma = testPrisma();
const current = parseMasterKey("t1", randomBytes(32).toString("base64"));
const keys: Keyring = { current, all: [current] };
let sim: OciSim;
let redis: Redis;
let queue: Queue;
let deps: ReconcileWorkerDeps;
let workspaceId: string;
let userId: string;
let connectionId: string;
let prodId: string;

beforeAll(async () => {
  sim = await startOciSim({ throttle: false });
  const demo = sim.seedDemo();
  prodId = demo.compartments["Prod"]!;
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const prefix = `${inject("redisPrefix")}repair-${randomBytes(3).toString("hex")}:`;
  queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(prefix) });
  const ws = await createTestWorkspace();
  workspaceId = ws.id;
  userId = (await createTestUser(prisma, workspaceId, "admin")).id;
  const conn = await prisma.connection.create({
    data: { workspaceId, cloud: "oci", name: "OCI sim", status: "active", endpoint: sim.url, facts: { tenancyOcid: demo.credentials.tenancyId } },
  });
  connectionId = conn.id;
  const { tenancyId, userId: ociUser, fingerprint, privateKeyPem, region } = demo.credentials;
  await prisma.connection.update({ where: { id: conn.id }, data: { credentialCiphertext: sealCredentials(keys, conn.id, { tenancyId, userId: ociUser, fingerprint, privateKeyPem, region }) } });
  deps = { prisma, redis, redisPrefix: prefix, bullPrefix: bullPrefix(prefix), keys, adapterFor, workerId: "test-worker", concurrency: 1, reconcileQueue: queue };
  await prisma.guardrail.create({
    data: { workspaceId, controlId: "agent-no-destructive-actions", name: "agents", versions: { create: { version: 1, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "notify" } } },
  });
});

afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await redis?.quit();
  await sim?.close();
  await prisma.$disconnect();
});

const poll = async () => (await processReconcile(deps, { connectionId, trigger: "poll" }))[0]!;
const ownedPolicies = () => sim.store.listPolicies({ compartmentId: prodId }).filter((p) => p.name.startsWith("parapet-"));

describe("re-apply now", () => {
  it("repairs notify-mode drift when a person asks, and only then", async () => {
    await poll();
    expect(ownedPolicies()).toHaveLength(1);
    sim.human.deletePolicy(ownedPolicies()[0]!.id);
    const seen = await poll();
    expect(seen.driftOpened).toBe(1);
    expect(ownedPolicies()).toHaveLength(0);
    const finding = await prisma.driftFinding.findFirstOrThrow({ where: { connectionId, status: "open" } });

    // The request goes through the real queue; a run already queued for the connection picks it up.
    const jobs = { requestReconcile: (job: Parameters<typeof requestReconcile>[3]) => requestReconcile(queue, redis, deps.redisPrefix, job), enqueueConnectionTask: () => Promise.resolve("") };
    const actor = { workspaceId, userId, role: "admin" as const, kind: "user" as const, label: "admin@example.test" };
    expect(await reapplyDrift({ prisma, jobs }, actor, finding.id)).toEqual({ queued: true, connectionId });
    // The queued job, as the worker would receive it.
    const queued = await queue.getJob(reconcileJobId(connectionId));
    expect(queued?.data).toMatchObject({ connectionId, trigger: "manual", repair: true });
    await queued!.remove();
    const repaired = (await processReconcile(deps, queued!.data))[0]!;
    expect(repaired.driftResolved).toBe(1);
    expect(ownedPolicies()).toHaveLength(1);
    expect(await prisma.driftFinding.findUniqueOrThrow({ where: { id: finding.id } })).toMatchObject({ status: "resolved", resolution: "auto_reapplied" });
    const audit = await prisma.auditEvent.findMany({ where: { workspaceId, targetType: "drift", targetId: finding.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toContain("drift.reapply_requested");

    // A request that collapsed into a run already queued (here a poll) is honoured too.
    sim.human.deletePolicy(ownedPolicies()[0]!.id);
    const reported = await poll();
    expect(reported.driftOpened).toBe(1);
    const second = await prisma.driftFinding.findFirstOrThrow({ where: { connectionId, status: "open" } });
    await reapplyDrift({ prisma, jobs }, actor, second.id);
    await (await queue.getJob(reconcileJobId(connectionId)))?.remove();
    expect((await poll()).driftResolved).toBe(1);
    expect(ownedPolicies()).toHaveLength(1);

    // Each request is used up: the next deletion is reported again, not silently repaired.
    sim.human.deletePolicy(ownedPolicies()[0]!.id);
    const again = await poll();
    expect(again.driftOpened).toBe(1);
    expect(ownedPolicies()).toHaveLength(0);
  });
});
