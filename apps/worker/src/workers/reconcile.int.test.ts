/**
 * The reconcile loop end to end: real Postgres and Redis, the OCI simulator through the real OCI SDK.
 * Guardrail → enforced in the cloud → steady state makes zero writes → out-of-band edit/delete →
 * drift opened → repaired (auto) or left and reported (notify) → a new compartment is covered.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { bullPrefix, parseMasterKey, QUEUES, sealCredentials, type Keyring } from "@parapet/core";
import { createTestWorkspace, testPrisma } from "@parapet/core/testing/db";
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
let connectionId: string;
let prodId: string;

beforeAll(async () => {
  sim = await startOciSim({ throttle: false });
  const demo = sim.seedDemo();
  prodId = demo.compartments["Prod"]!;
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const prefix = inject("redisPrefix");
  queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(prefix) });
  const ws = await createTestWorkspace();
  workspaceId = ws.id;
  const conn = await prisma.connection.create({
    data: { workspaceId, cloud: "oci", name: "OCI sim", status: "active", endpoint: sim.url, facts: { tenancyOcid: demo.credentials.tenancyId } },
  });
  connectionId = conn.id;
  const { tenancyId, userId, fingerprint, privateKeyPem, region } = demo.credentials;
  await prisma.connection.update({ where: { id: conn.id }, data: { credentialCiphertext: sealCredentials(keys, conn.id, { tenancyId, userId, fingerprint, privateKeyPem, region }) } });
  deps = { prisma, redis, redisPrefix: prefix, bullPrefix: bullPrefix(prefix), keys, adapterFor, workerId: "test-worker", concurrency: 1, reconcileQueue: queue };
});

afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await sim?.close();
  await prisma.$disconnect();
});

async function addGuardrail(controlId: string, scope: object, remediation: "auto" | "notify" = "auto") {
  return prisma.guardrail.create({
    data: { workspaceId, controlId, name: controlId, versions: { create: { version: 1, params: {}, scope, mode: "enforce", remediation } } },
  });
}

const run = async () => (await processReconcile(deps, { connectionId, trigger: "manual" }))[0]!;
const ownedPolicies = () => sim.store.listPolicies({ compartmentId: prodId }).filter((p) => p.name.startsWith("parapet-"));

describe("reconcile (OCI simulator)", () => {
  it("discovers the tenancy and enforces a guardrail on the prod compartments", async () => {
    const g = await addGuardrail("agent-no-destructive-actions", { labels: "env=prod" });
    const s = await run();
    expect(s.error).toBeUndefined();
    expect(s.status).toBe("succeeded");
    expect(s.applied).toBeGreaterThan(0);
    expect(await prisma.node.count({ where: { connectionId, isEnvironment: true } })).toBeGreaterThan(3);
    expect(ownedPolicies()).toHaveLength(1);
    const rows = await prisma.coverageRow.findMany({ where: { connectionId, guardrailId: g.id } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === "enforced")).toBe(true);
    const actions = (await prisma.auditEvent.findMany({ where: { workspaceId }, select: { action: true } })).map((a) => a.action);
    expect(actions).toContain("artifact.create");
  });

  it("steady state makes zero writes", async () => {
    const s = await run();
    expect(s.status).toBe("succeeded");
    expect(s.calls.writes).toBe(0);
    expect(s.applied).toBe(0);
  });

  it("an out-of-band edit is drift, repaired automatically and resolved", async () => {
    const [p] = ownedPolicies();
    const original = [...p!.statements];
    sim.human.editPolicy(p!.id, { statements: original.slice(0, 1) });
    const s = await run();
    expect(s.driftOpened).toBe(1);
    expect(s.driftResolved).toBe(1);
    expect(ownedPolicies()[0]!.statements.sort()).toEqual(original.sort());
    const f = await prisma.driftFinding.findFirstOrThrow({ where: { connectionId }, orderBy: { openedAt: "desc" } });
    expect(f).toMatchObject({ kind: "weakened", status: "resolved", resolution: "auto_reapplied" });
  });

  it("notify mode leaves drift open and reported, coverage drifted", async () => {
    const g = await prisma.guardrail.findFirstOrThrow({ where: { workspaceId } });
    await prisma.guardrailVersion.create({ data: { guardrailId: g.id, version: 2, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "notify" } });
    await prisma.guardrail.update({ where: { id: g.id }, data: { currentVersion: 2 } });
    await run();
    sim.human.deletePolicy(ownedPolicies()[0]!.id);
    const s = await run();
    expect(s.driftOpened).toBe(1);
    expect(s.driftResolved).toBe(0);
    expect(ownedPolicies()).toHaveLength(0);
    const open = await prisma.driftFinding.findMany({ where: { connectionId, status: "open" } });
    expect(open.map((f) => f.kind)).toEqual(["missing"]);
    const rows = await prisma.coverageRow.findMany({ where: { connectionId, guardrailId: g.id } });
    expect(rows.every((r) => r.status === "drifted")).toBe(true);
    // Reported once: the next run keeps the same finding open instead of opening another.
    await run();
    expect(await prisma.driftFinding.count({ where: { connectionId, status: "open" } })).toBe(1);
  });

  it("switching back to auto repairs and resolves the open finding", async () => {
    const g = await prisma.guardrail.findFirstOrThrow({ where: { workspaceId } });
    await prisma.guardrailVersion.create({ data: { guardrailId: g.id, version: 3, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "auto" } });
    await prisma.guardrail.update({ where: { id: g.id }, data: { currentVersion: 3 } });
    const s = await run();
    expect(s.driftResolved).toBe(1);
    expect(ownedPolicies()).toHaveLength(1);
    expect(await prisma.driftFinding.count({ where: { connectionId, status: "open" } })).toBe(0);
  });

  it("a new compartment under a covered one is covered after discovery", async () => {
    const c = sim.human.createCompartment(prodId, "NewTeam", { freeformTags: { env: "prod" } });
    await redis.set(`${deps.redisPrefix}reconcile:pending:${connectionId}`, "discover");
    await processReconcile(deps, { connectionId, trigger: "event", discover: true });
    const node = await prisma.node.findFirstOrThrow({ where: { connectionId, externalId: c.id } });
    const rows = await prisma.coverageRow.findMany({ where: { nodeId: node.id } });
    expect(rows.map((r) => r.status)).toEqual(["enforced"]);
  });

  it("never touches the customer's own policies", async () => {
    const customer = sim.store.listPolicies({ compartmentId: sim.tenancyId }).filter((p) => !p.name.startsWith("parapet-"));
    expect(customer.length).toBeGreaterThan(0);
    const before = JSON.stringify(customer);
    await run();
    expect(JSON.stringify(sim.store.listPolicies({ compartmentId: sim.tenancyId }).filter((p) => !p.name.startsWith("parapet-")))).toBe(before);
  });
});
