/**
 * A person removes a connection while the worker is reconciling it (the wizard's "start" enqueues a run,
 * and people delete test connections straight away). The delete must succeed, and the run must end
 * without recreating rows for a connection that is gone.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startGcpSim, seedGcpDemo, DEMO_ORG_ID, DEMO_SA_EMAIL, DEMO_SA_TOKEN, type GcpSim } from "@parapet/cloud-sim/gcp/index";
import { bullPrefix, parseMasterKey, QUEUES, sealCredentials, type Keyring } from "@parapet/core";
import { deleteConnection } from "@parapet/core/connections/delete-connection";
import { createTestUser, createTestWorkspace, testPrisma } from "@parapet/core/testing/db";
import { adapterFor } from "../providers.ts";
import { processReconcile, type ReconcileWorkerDeps } from "./reconcile.worker.ts";

const prisma = testPrisma();
const current = parseMasterKey("t1", randomBytes(32).toString("base64"));
const keys: Keyring = { current, all: [current] };
let sim: GcpSim;
let redis: Redis;
let queue: Queue;
let deps: ReconcileWorkerDeps;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false });
  seedGcpDemo(sim);
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const prefix = inject("redisPrefix");
  queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(prefix) });
  deps = { prisma, redis, redisPrefix: prefix, bullPrefix: bullPrefix(prefix), keys, adapterFor, workerId: "test-worker", concurrency: 1, reconcileQueue: queue };
});

afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await sim?.close();
  await prisma.$disconnect();
});

it.each([0, 60, 120, 240, 480])("deleting a connection %i ms into its reconcile succeeds and leaves nothing behind", async (delayMs) => {
  const ws = await createTestWorkspace();
  const name = `gcp-${delayMs}`;
  const conn = await prisma.connection.create({
    data: {
      workspaceId: ws.id, cloud: "gcp", name, status: "active", endpoint: sim.url,
      facts: { organizationId: DEMO_ORG_ID, directoryCustomerId: "C03acme01" },
      principals: { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${DEMO_SA_EMAIL}`] },
    },
  });
  await prisma.connection.update({ where: { id: conn.id }, data: { credentialCiphertext: sealCredentials(keys, conn.id, { type: "access_token", accessToken: DEMO_SA_TOKEN }) } });
  await prisma.guardrail.create({
    data: { workspaceId: ws.id, controlId: "audit-logging-locked", name: "audit", versions: { create: { version: 1, params: {}, scope: { all: true }, mode: "audit", remediation: "auto" } } },
  });
  const user = await createTestUser(prisma, ws.id);
  const actor = { workspaceId: ws.id, userId: user.id, role: "owner" as const, kind: "user" as const, label: user.email };
  const reconcile = processReconcile(deps, { connectionId: conn.id, trigger: "manual" });
  await new Promise((r) => setTimeout(r, delayMs));
  await expect(deleteConnection({ prisma }, actor, conn.id, name)).resolves.toEqual({ id: conn.id, deleted: true });
  // The run may finish, or fail on the rows that vanished under it; either way it settles.
  await reconcile.catch(() => undefined);
  // Nothing of the connection is left behind, whatever point the run had reached.
  expect(await prisma.connection.count({ where: { id: conn.id } })).toBe(0);
  expect(await prisma.node.count({ where: { connectionId: conn.id } })).toBe(0);
  expect(await prisma.reconcileRun.count({ where: { connectionId: conn.id } })).toBe(0);
});
