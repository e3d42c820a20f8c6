/**
 * "Re-apply now" on a drift finding: a person's repair request puts back drift of a guardrail set to
 * notify (which a scheduled run only reports), even when the request collapses into a run already
 * queued. Real Postgres and Redis, the OCI simulator through the real OCI SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { reconcileJobId, requestReconcile } from "@parapet/core";
import { reapplyDrift } from "@parapet/core/drift/reapply-drift";
import { createTestUser } from "@parapet/core/testing/db";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processReconcile } from "./reconcile.worker.ts";

// The test reads the jobs it queued, so its reconcile queue is its own.
const h = reconcileHarness({ privateQueue: true });
const { prisma } = h;
let sim: OciSim;
let workspaceId: string;
let userId: string;
let connectionId: string;
let prodId: string;

beforeAll(async () => {
  sim = await startOciSim({ throttle: false });
  prodId = sim.seedDemo().compartments["Prod"]!;
  ({ workspaceId, connectionId } = await h.connect(ociDemoSpec(sim), "OCI sim"));
  userId = (await createTestUser(prisma, workspaceId, "admin")).id;
  await h.guardrail(workspaceId, "agent-no-destructive-actions", { labels: "env=prod" }, "enforce", "notify");
});

afterAll(async () => {
  await sim?.close();
});

const poll = () => h.run(connectionId, "poll");
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
    const { reconcileQueue: queue, redis, redisPrefix } = h.deps();
    const jobs = {
      requestReconcile: (job: Parameters<typeof requestReconcile>[3]) => requestReconcile(queue, redis, redisPrefix, job),
      enqueueConnectionTask: () => Promise.resolve(""),
      requestImpact: () => Promise.resolve(),
    };
    const actor = { workspaceId, userId, role: "admin" as const, kind: "user" as const, label: "admin@example.test" };
    expect(await reapplyDrift({ prisma, jobs }, actor, finding.id)).toEqual({ queued: true, connectionId });
    // The queued job, as the worker would receive it.
    const queued = await queue.getJob(reconcileJobId(connectionId));
    expect(queued?.data).toMatchObject({ connectionId, trigger: "manual", repair: true });
    await queued!.remove();
    const repaired = (await processReconcile(h.deps(), queued!.data))[0]!;
    expect(repaired.driftResolved).toBe(1);
    expect(ownedPolicies()).toHaveLength(1);
    expect(await prisma.driftFinding.findUniqueOrThrow({ where: { id: finding.id } })).toMatchObject({
      status: "resolved",
      resolution: "auto_reapplied",
    });
    const audit = await prisma.auditEvent.findMany({
      where: { workspaceId, targetType: "drift", targetId: finding.id },
      select: { action: true },
    });
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
