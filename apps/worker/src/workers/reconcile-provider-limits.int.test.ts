/**
 * Provider limits and shared slots through the whole reconcile (worker registry, real SDKs, simulators):
 * an AWS plan that would exceed the SCPs-per-target quota is refused at plan time and changes nothing;
 * a GCP guardrail switching enforce ↔ audit moves its rule between spec and dryRunSpec, and removing it
 * takes its rules out of the shared org policy without "manual cleanup"; a guardrail that stops compiling
 * keeps what it deployed until it is really removed.
 */
import { describe, expect, it } from "vitest";
import { demoSims, demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { processReconcile } from "./reconcile.worker.ts";

const h = reconcileHarness();
const { prisma, run, guardrail, newVersion } = h;
const sims = demoSims();

describe("aws: the SCPs-per-target quota is checked at plan time", () => {
  it("refuses a guardrail whose target has no free SCP slot, names target and limit, and changes nothing else", async () => {
    const sim = sims().aws;
    const ctx = await h.connect({ ...demoSpec(sims(), "aws"), limits: { maxPoliciesPerTarget: 5 } });
    // One OU that already holds 5 SCPs (FullAWSAccess + 4 of other tools), one with room.
    const { ouId: full } = sim.admin.createOu({ parentId: sim.state.root.id, name: "Full" });
    sim.admin.createAccount({ name: "full-1", parentId: full });
    for (let i = 1; i <= 4; i++) {
      const { policyId } = sim.admin.createPolicy({
        name: `landing-zone-${i}`,
        description: "another tool's SCP",
        content: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Sid: `Lz${i}`, Effect: "Deny", Action: `ec2:DeleteVpc${i}`, Resource: "*" }],
        }),
      });
      sim.admin.attachPolicy({ policyId, targetId: full });
    }
    const { ouId: roomy } = sim.admin.createOu({ parentId: sim.state.root.id, name: "Roomy" });
    sim.admin.createAccount({ name: "roomy-1", parentId: roomy });
    await processReconcile(h.deps(), { connectionId: ctx.connectionId, trigger: "manual", discover: true });
    const nodeId = async (externalId: string) =>
      (await prisma.node.findFirstOrThrow({ where: { connectionId: ctx.connectionId, externalId } })).id;

    await guardrail(ctx.workspaceId, "deny-leave-organization", { nodeIds: [await nodeId(roomy)] });
    const first = await run(ctx.connectionId);
    expect(first.status).toBe("succeeded");
    const deployed = await prisma.artifact.findMany({ where: { connectionId: ctx.connectionId } });
    expect(deployed).toHaveLength(1);
    const scpBefore = sim.state.policies.get(deployed[0]!.externalId!)!;
    expect(scpBefore.targets.toArray()).toEqual([roomy]);

    const g = await guardrail(ctx.workspaceId, "deny-root-user", { nodeIds: [await nodeId(full)] });
    const policiesBefore = sim.state.policies.size;
    const refused = await run(ctx.connectionId);
    expect(refused.plan?.changes.map((c) => `${c.change.op} ${c.cause}`)).toEqual([]);
    expect(refused.calls.writes).toBe(0);
    expect(refused.status).toBe("partial");
    const limit = refused.problems.find((p) => p.code === "limit");
    expect(limit).toMatchObject({ target: full, guardrailIds: expect.arrayContaining([g.id]) as unknown });
    expect(limit!.message).toContain(`Target ${full}`);
    expect(limit!.message).toContain("of its 5 SCP slots");
    // Nothing created, nothing attached to the full OU, and the other guardrail's SCP is untouched.
    expect(sim.state.policies.size).toBe(policiesBefore);
    expect(
      sim.state
        .target(full)!
        .policies.toArray()
        .filter((id) => sim.state.policies.get(id)?.type === "SERVICE_CONTROL_POLICY"),
    ).toHaveLength(5);
    expect(sim.state.policies.get(deployed[0]!.externalId!)?.targets.toArray()).toEqual([roomy]);
  });
});

describe("gcp: shared org-policy slots", () => {
  it("takes the rule out of spec in audit mode (gcp.resourceLocations takes no dry run), puts it back, and removes it on disable without manual cleanup", async () => {
    const gcp = sims().gcp;
    const ctx = await h.connect(demoSpec(sims(), "gcp"));
    const g = await guardrail(ctx.workspaceId, "restrict-regions", { labels: "env=prod" });
    const enforced = await run(ctx.connectionId);
    expect(enforced.error).toBeUndefined();
    expect(enforced.status).toBe("succeeded");
    const rows = await prisma.artifact.findMany({ where: { connectionId: ctx.connectionId, kind: "gcp.org-policy" } });
    expect(rows.length).toBeGreaterThan(0);
    const policyAt = (name: string) => {
      const [resource, constraint] = name.split("/policies/") as [string, string];
      return gcp.core.state.getPolicy(resource, constraint);
    };
    const ourRules = (name: string, which: "spec" | "dryRunSpec") => JSON.stringify(policyAt(name)?.[which]?.rules ?? []);
    const before = new Map(rows.map((r) => [r.name, ourRules(r.name, "spec")]));
    for (const r of rows) expect(policyAt(r.name)?.spec).toBeDefined();

    await newVersion(g.id, { mode: "audit" });
    const audit = await run(ctx.connectionId);
    expect(audit.status).toBe("succeeded");
    for (const r of rows) {
      const p = policyAt(r.name);
      // Audit mode on a legacy constraint: GCP refuses a dry-run policy there (catalog/compilers/
      // gcp-dry-run.ts), so Parapet's rule is compiled, not attached: it leaves spec and no dryRunSpec
      // appears. These nodes held nothing else, so the policy is gone.
      expect(p?.dryRunSpec).toBeUndefined();
      expect(JSON.stringify(p?.spec?.rules ?? [])).not.toBe(before.get(r.name));
    }
    expect((await run(ctx.connectionId)).calls.writes).toBe(0);

    await newVersion(g.id, { mode: "enforce" });
    expect((await run(ctx.connectionId)).status).toBe("succeeded");
    for (const r of rows) {
      expect(ourRules(r.name, "spec")).toBe(before.get(r.name));
      expect(policyAt(r.name)?.dryRunSpec).toBeUndefined();
    }

    await prisma.guardrail.update({ where: { id: g.id }, data: { status: "disabled" } });
    const removed = await run(ctx.connectionId);
    expect(removed.problems.filter((p) => p.message.includes("manual cleanup"))).toEqual([]);
    expect(removed.status).toBe("succeeded");
    // The demo org holds no customer policy on these nodes and constraint: nothing else remained, so deleted.
    for (const r of rows) expect(policyAt(r.name)).toBeUndefined();
    expect(await prisma.artifact.count({ where: { connectionId: ctx.connectionId, kind: "gcp.org-policy" } })).toBe(0);
  });
});

describe("aws: a guardrail that fails to compile keeps what it deployed", () => {
  it("removes and rewrites nothing while the compile problem stands, and cleans up once the guardrail is deleted", async () => {
    const sim = sims().aws;
    const ctx = await h.connect(demoSpec(sims(), "aws"));
    const kept = await guardrail(ctx.workspaceId, "agent-no-destructive-actions", { all: true });
    const broken = await guardrail(ctx.workspaceId, "restrict-regions", { all: true });
    const first = await run(ctx.connectionId);
    expect(first.status).toBe("succeeded");
    const owned = () =>
      [...sim.state.policies.values()]
        .filter((p) => p.name.startsWith("parapet-"))
        .map((p) => ({ name: p.name, content: p.content, targets: [...p.targets.toArray()].sort() }))
        .sort((a, b) => a.name.localeCompare(b.name));
    const before = owned();
    const carrying = (id: string) => prisma.artifact.count({ where: { connectionId: ctx.connectionId, guardrailIds: { has: id } } });
    expect(await carrying(broken.id)).toBeGreaterThan(0);

    // After an upgrade the control is gone from the catalog (or its parameters no longer compile).
    await prisma.guardrail.update({ where: { id: broken.id }, data: { controlId: "retired-control" } });
    const held = await run(ctx.connectionId);
    expect(held.status).toBe("partial");
    expect(held.problems).toEqual([expect.objectContaining({ code: "compile", guardrailIds: [broken.id] })]);
    // SCPs are packed by content, so the kept guardrail may get a new SCP of its own; but nothing that
    // carries the broken guardrail is detached, deleted or rewritten without it.
    expect(held.plan?.changes.filter((c) => c.change.op !== "create" && c.change.op !== "attach")).toEqual([]);
    const now = owned();
    for (const p of before) expect(now).toContainEqual(p);
    // And that holds run after run, with zero writes once the constructive part is in place.
    const heldAgain = await run(ctx.connectionId);
    expect(heldAgain.status).toBe("partial");
    expect(heldAgain.calls.writes).toBe(0);
    expect(owned()).toEqual(now);
    const conn = await prisma.connection.findUniqueOrThrow({ where: { id: ctx.connectionId } });
    expect(conn.lastError).toContain("retired-control");

    // Deleting the guardrail is a real removal: its statements go, the other guardrail's stay.
    await prisma.guardrail.update({ where: { id: broken.id }, data: { status: "deleted" } });
    const cleaned = await run(ctx.connectionId);
    expect(cleaned.status).toBe("succeeded");
    expect(cleaned.calls.writes).toBeGreaterThan(0);
    const after = owned();
    expect(after).not.toEqual(before);
    expect(await carrying(broken.id)).toBe(0);
    expect(await carrying(kept.id)).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    const again = await run(ctx.connectionId);
    expect(again.calls.writes).toBe(0);
  });
});
