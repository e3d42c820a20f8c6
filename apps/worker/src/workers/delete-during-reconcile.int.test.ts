/**
 * A person removes a connection while the worker is reconciling it (the wizard's "start" enqueues a run,
 * and people delete test connections straight away). The delete must succeed, and the run must end
 * without recreating rows for a connection that is gone.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startGcpSim, seedGcpDemo, type GcpSim } from "@parapet/cloud-sim/gcp/index";
import { deleteConnection } from "@parapet/core/connections/delete-connection";
import { createTestUser } from "@parapet/core/testing/db";
import { gcpDemoCredentials, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processReconcile } from "./reconcile.worker.ts";

const h = reconcileHarness();
const { prisma } = h;
let sim: GcpSim;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false });
  seedGcpDemo(sim);
});

afterAll(async () => {
  await sim?.close();
});

it.each([0, 60, 120, 240, 480])("deleting a connection %i ms into its reconcile succeeds and leaves nothing behind", async (delayMs) => {
  const name = `gcp-${delayMs}`;
  const { workspaceId, connectionId } = await h.connect({ cloud: "gcp", endpoint: sim.url, ...gcpDemoCredentials() }, name);
  await prisma.guardrail.create({
    data: {
      workspaceId,
      controlId: "audit-logging-locked",
      name: "audit",
      versions: { create: { version: 1, params: {}, scope: { all: true }, mode: "audit", remediation: "auto" } },
    },
  });
  const user = await createTestUser(prisma, workspaceId);
  const actor = { workspaceId, userId: user.id, role: "owner" as const, kind: "user" as const, label: user.email };
  const reconcile = processReconcile(h.deps(), { connectionId, trigger: "manual" });
  await new Promise((r) => setTimeout(r, delayMs));
  await expect(deleteConnection({ prisma }, actor, connectionId, name)).resolves.toEqual({ id: connectionId, deleted: true });
  // The run may finish, or fail on the rows that vanished under it; either way it settles.
  await reconcile.catch(() => undefined);
  // Nothing of the connection is left behind, whatever point the run had reached.
  expect(await prisma.connection.count({ where: { id: connectionId } })).toBe(0);
  expect(await prisma.node.count({ where: { connectionId } })).toBe(0);
  expect(await prisma.reconcileRun.count({ where: { connectionId } })).toBe(0);
});
