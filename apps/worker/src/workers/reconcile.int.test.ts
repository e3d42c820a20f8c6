/**
 * The reconcile loop end to end: real Postgres and Redis, the OCI simulator through the real OCI SDK.
 * Guardrail → enforced in the cloud → steady state makes zero writes → out-of-band edit/delete →
 * drift opened → repaired (auto) or left and reported (notify) → a new compartment is covered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processReconcile } from "./reconcile.worker.ts";

const h = reconcileHarness();
const { prisma } = h;
let sim: OciSim;
let workspaceId: string;
let connectionId: string;
let prodId: string;

beforeAll(async () => {
  sim = await startOciSim({ throttle: false });
  prodId = sim.seedDemo().compartments["Prod"]!;
  ({ workspaceId, connectionId } = await h.connect(ociDemoSpec(sim), "OCI sim"));
});

afterAll(async () => {
  await sim?.close();
});

const addGuardrail = (controlId: string, scope: object, remediation: "auto" | "notify" = "auto") =>
  h.guardrail(workspaceId, controlId, scope, "enforce", remediation);

const run = () => h.run(connectionId);
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
    await prisma.guardrailVersion.create({
      data: { guardrailId: g.id, version: 2, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "notify" },
    });
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
    await prisma.guardrailVersion.create({
      data: { guardrailId: g.id, version: 3, params: {}, scope: { labels: "env=prod" }, mode: "enforce", remediation: "auto" },
    });
    await prisma.guardrail.update({ where: { id: g.id }, data: { currentVersion: 3 } });
    const s = await run();
    expect(s.driftResolved).toBe(1);
    expect(ownedPolicies()).toHaveLength(1);
    expect(await prisma.driftFinding.count({ where: { connectionId, status: "open" } })).toBe(0);
  });

  it("a new compartment under a covered one is covered after discovery", async () => {
    const c = sim.human.createCompartment(prodId, "NewTeam", { freeformTags: { env: "prod" } });
    await h.deps().redis.set(`${h.deps().redisPrefix}reconcile:pending:${connectionId}`, "discover");
    await processReconcile(h.deps(), { connectionId, trigger: "event", discover: true });
    const node = await prisma.node.findFirstOrThrow({ where: { connectionId, externalId: c.id } });
    const rows = await prisma.coverageRow.findMany({ where: { nodeId: node.id } });
    expect(rows.map((r) => r.status)).toEqual(["enforced"]);
  });

  it("never touches the customer's own policies", async () => {
    const customer = sim.store.listPolicies({ compartmentId: sim.tenancyId }).filter((p) => !p.name.startsWith("parapet-"));
    expect(customer.length).toBeGreaterThan(0);
    const before = JSON.stringify(customer);
    await run();
    expect(JSON.stringify(sim.store.listPolicies({ compartmentId: sim.tenancyId }).filter((p) => !p.name.startsWith("parapet-")))).toBe(
      before,
    );
  });
});
