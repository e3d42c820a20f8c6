/**
 * One cloud root, one connection per workspace: a second connection of the same workspace to the same
 * AWS organization / Azure tenant / GCP organization / OCI tenancy verifies with a warning that names
 * the first, and its reconciles apply nothing (they would fight the first over the same Parapet
 * policies). Once the first is gone, the second takes over. Real SDKs against the simulators.
 */
import { describe, expect, it } from "vitest";
import { demoSims, demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processConnectionTask } from "./connections.worker.ts";

const h = reconcileHarness();
const { prisma, run, guardrail } = h;
const sims = demoSims();

describe.each(["aws", "azure", "gcp", "oci"] as const)("two connections of one workspace on one %s root", (cloud) => {
  it("the first keeps the root; the second is warned at verify and applies nothing until the first is deleted", async () => {
    const spec = demoSpec(sims(), cloud);
    const first = await h.connect(spec, `${cloud} first`);
    const second = await h.connect(spec, `${cloud} second`, first.workspaceId);
    const deps = h.deps();
    await processConnectionTask(deps, { connectionId: first.connectionId, task: "verify" });
    await processConnectionTask(deps, { connectionId: second.connectionId, task: "verify" });
    const [a, b] = await Promise.all([first, second].map((c) => prisma.connection.findUniqueOrThrow({ where: { id: c.connectionId } })));
    expect(a!.rootId).toBeTruthy();
    expect(b!.rootId).toBe(a!.rootId);
    expect(a!.verifyResult).toMatchObject({ ok: true });
    expect((a!.verifyResult as { warnings?: string[] }).warnings).toBeUndefined();
    expect(b!.verifyResult).toMatchObject({
      ok: true,
      warnings: [expect.stringContaining(`already managed by the connection "${cloud} first"`)],
    });
    expect(b!.lastError).toContain(`"${cloud} first"`);

    await guardrail(first.workspaceId, "audit-logging-locked", { all: true });
    const one = await run(first.connectionId);
    expect(one.error).toBeUndefined();
    expect(one.applied).toBeGreaterThan(0);
    const refused = await run(second.connectionId);
    expect(refused.status).toBe("failed");
    expect(refused.error).toContain(`already managed by the connection "${cloud} first"`);
    expect(refused.calls.writes).toBe(0);
    expect(await prisma.artifact.count({ where: { connectionId: second.connectionId } })).toBe(0);
    // The first stays in steady state: nothing of the second's disturbed it.
    expect((await run(first.connectionId)).calls.writes).toBe(0);

    await prisma.connection.delete({ where: { id: first.connectionId } });
    const takeover = await run(second.connectionId);
    expect(takeover.error).toBeUndefined();
    expect(takeover.status).toBe("succeeded");
    expect((await run(second.connectionId)).calls.writes).toBe(0);
  });
});
