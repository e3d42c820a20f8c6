/**
 * Every cloud end to end through the worker's provider registry: a guardrail is enforced, a second
 * reconcile makes zero writes, and the onboarding wizard's baseline pack applies on all four clouds.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BASELINE_CONTROLS } from "@parapet/core/catalog/baseline";
import { demoSims, demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const { prisma, run, guardrail, newVersion } = h;
const sims = demoSims();

describe.each(["azure", "gcp"] as const)("reconcile on %s", (cloud) => {
  let ctx: { workspaceId: string; connectionId: string };
  beforeAll(async () => {
    ctx = await h.connect(demoSpec(sims(), cloud));
    await guardrail(ctx.workspaceId, "restrict-regions", { labels: "env=prod" });
    await guardrail(ctx.workspaceId, "audit-logging-locked", { all: true });
  });

  it("enforces the guardrails", async () => {
    const s = await run(ctx.connectionId);
    expect(s.error).toBeUndefined();
    expect(s.problems).toEqual([]);
    expect(s.status).toBe("succeeded");
    expect(s.applied).toBeGreaterThan(0);
    const statuses = await prisma.coverageRow.groupBy({ by: ["status"], where: { connectionId: ctx.connectionId }, _count: true });
    expect(statuses.map((x) => x.status).sort()).toEqual(["enforced"]);
  });

  it("makes zero writes in steady state", async () => {
    const s = await run(ctx.connectionId);
    expect(s.status).toBe("succeeded");
    expect(s.calls.writes).toBe(0);
    expect(s.plan?.changes).toEqual([]);
  });
});

describe("reconcile on aws", () => {
  it("assumes the demo connector role, enforces, then makes zero writes", async () => {
    const ctx = await h.connect(demoSpec(sims(), "aws"));
    await guardrail(ctx.workspaceId, "agent-no-destructive-actions", { labels: "env=prod" });
    const s = await run(ctx.connectionId);
    expect(s.error).toBeUndefined();
    expect(s.status).toBe("succeeded");
    expect(s.applied).toBeGreaterThan(0);
    const again = await run(ctx.connectionId);
    expect(again.calls.writes).toBe(0);
  });
});

/**
 * The onboarding wizard's default pack, as a new customer gets it: every control on every cloud, in
 * audit mode (the wizard's default) and then switched to enforce. A compiled artifact the cloud refuses
 * (e.g. an org-policy constraint it does not know) fails the whole first run, so this runs them all.
 */
describe.each(["aws", "azure", "gcp", "oci"] as const)("the baseline pack on %s", (cloud) => {
  it("applies in audit mode, then in enforce mode, and then makes zero writes", async () => {
    const ctx = await h.connect(demoSpec(sims(), cloud));
    const ids: string[] = [];
    for (const controlId of BASELINE_CONTROLS) ids.push((await guardrail(ctx.workspaceId, controlId, { all: true }, "audit")).id);
    const audit = await run(ctx.connectionId);
    expect(audit.error).toBeUndefined();
    // No compile or limit problem either: e.g. OCI's tenancy-wide denies spare the connector's own user.
    expect(audit.problems).toEqual([]);
    expect(audit.status).toBe("succeeded");
    for (const guardrailId of ids) await newVersion(guardrailId, { mode: "enforce" });
    const enforce = await run(ctx.connectionId);
    expect(enforce.error).toBeUndefined();
    expect(enforce.problems).toEqual([]);
    expect(enforce.status).toBe("succeeded");
    expect(enforce.failed).toBe(0);
    const cells = () =>
      prisma.coverageRow.findMany({
        where: { connectionId: ctx.connectionId },
        select: { id: true, status: true, updatedAt: true },
        orderBy: { id: "asc" },
      });
    const before = await cells();
    expect(before.length).toBeGreaterThan(0);
    const again = await run(ctx.connectionId);
    expect(again.calls.writes).toBe(0);
    expect(again.plan?.changes).toEqual([]);
    // Steady state writes nothing to the database's coverage either: the same rows, untouched.
    expect(await cells()).toEqual(before);
  });
});
