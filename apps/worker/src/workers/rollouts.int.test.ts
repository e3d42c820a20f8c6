/**
 * Staged rollouts end to end: real Postgres and Redis, the OCI simulator through the real OCI SDK, the
 * product's own reconcile. A guardrail in audit is rolled out canary → wave → everywhere, each stage
 * deployed by reconcile and advanced by the rollouts step once its replay came back clean; a failed
 * reconcile and a newly denied principal halt a rollout by themselves; hold, resume and roll back.
 *
 * Replays: the per-cloud audit-log evaluators are not on this branch, so the stage replays the rollout
 * asks for are finished here with the impact repository's own markRunning/markDone, the way the impact
 * worker finishes them, carrying the summary each scenario needs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { QUEUES, sealCredentials } from "@parapet/core";
import type { Actor } from "@parapet/core/common/actor";
import { createReports, markDone, markRunning } from "@parapet/core/impact/impact.repository";
import type { TImpactSummary } from "@parapet/core/impact/replay";
import { advanceRollout } from "@parapet/core/rollouts/advance-rollouts";
import { getRollout } from "@parapet/core/rollouts/get-rollout";
import { holdRollout, resumeRollout } from "@parapet/core/rollouts/hold-rollout";
import { rollBackRollout } from "@parapet/core/rollouts/roll-back-rollout";
import { runningRollouts } from "@parapet/core/rollouts/rollouts.repository";
import { startRollout } from "@parapet/core/rollouts/start-rollout";
import { weeklyRollouts } from "@parapet/core/rollouts/weekly-rollouts";
import { createTestWorkspace } from "@parapet/core/testing/db";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { rolloutJobPort } from "./rollouts.worker.ts";

const h = reconcileHarness();
const { prisma } = h;
let sim: OciSim;
let workspaceId: string;
let connectionId: string;
let impactQueue: Queue;
let discoveryQueue: Queue;
let actor: Actor;

const deps = () => ({
  prisma,
  jobs: rolloutJobPort({
    queues: { reconcile: h.deps().reconcileQueue, discovery: discoveryQueue, impact: impactQueue },
    redis: h.deps().redis,
    redisPrefix: h.deps().redisPrefix,
  }),
});

beforeAll(async () => {
  sim = await startOciSim({ throttle: false });
  sim.seedDemo();
  ({ workspaceId, connectionId } = await h.connect(ociDemoSpec(sim), "OCI sim"));
  const opts = { connection: h.deps().redis, prefix: h.deps().bullPrefix };
  impactQueue = new Queue(QUEUES.impact, opts);
  discoveryQueue = new Queue(QUEUES.discovery, opts);
  actor = { workspaceId, userId: "user_rollout_owner", role: "owner", kind: "user", label: "owner@example.test" };
  // Discover the tenancy once, so the canary's selectors and the coverage rows have nodes to name.
  await h.run(connectionId);
});

afterAll(async () => {
  await impactQueue?.obliterate({ force: true }).catch(() => undefined);
  await impactQueue?.close();
  await discoveryQueue?.close();
  await sim?.close();
});

const summary = (principals: string[], lockouts: TImpactSummary["lockouts"] = []): TImpactSummary => {
  const sample = (principal: string) => ({
    id: `ev-${principal}`,
    time: new Date().toISOString(),
    principal,
    action: "DeleteBucket",
    resource: "ocid1.bucket.oc1..data",
    environment: "Data",
    outcome: "success" as const,
  });
  return {
    events: principals.length * 3,
    skippedByReader: {},
    outOfScope: 0,
    unknownEnvironment: 0,
    judged: principals.length * 3,
    distinctRequests: principals.length,
    denied: principals.length * 3,
    allowed: 0,
    unjudgeable: 0,
    deniedPrincipals: principals.length,
    deniedActions: principals.length ? 1 : 0,
    deniedEnvironments: principals.length ? 1 : 0,
    groups: principals.map((p) => ({
      principal: p,
      action: "DeleteBucket",
      environment: "Data",
      count: 3,
      by: ["parapet-x"],
      samples: [sample(p)],
    })),
    groupsOmitted: 0,
    unjudgeableReasons: [],
    lockouts,
  };
};

/** Finishes every queued replay of the guardrail as the impact worker would, with this summary. */
async function finishReplays(guardrailId: string, s: TImpactSummary): Promise<number> {
  const queued = await prisma.impactReport.findMany({ where: { guardrailId, status: "queued" } });
  for (const r of queued) {
    await markRunning(prisma, r.id);
    await markDone(prisma, r.id, s, s.lockouts.length > 0);
  }
  return queued.length;
}

/** A finished pre-rollout replay of the guardrail's audit version (what the Would-have-blocked tab ran). */
async function baseline(guardrailId: string, principals: string[]) {
  const [r] = await createReports(prisma, [
    {
      workspaceId,
      guardrailId,
      guardrailVersion: 1,
      connectionId,
      windowStart: new Date(Date.now() - 7 * 86_400_000),
      windowEnd: new Date(),
    },
  ]);
  await markRunning(prisma, r!.id);
  await markDone(prisma, r!.id, summary(principals), false);
}

/** Coverage status per environment name. */
const coverage = async (guardrailId: string): Promise<Record<string, string>> => {
  const rows = await prisma.coverageRow.findMany({ where: { connectionId, guardrailId }, include: { node: { select: { name: true } } } });
  const out: Record<string, string> = {};
  for (const r of rows) out[r.node.name] = r.status;
  return out;
};
const parapetPolicyCompartments = () => {
  const out: string[] = [];
  for (const c of [sim.tenancyId, ...sim.store.listCompartments({ compartmentId: sim.tenancyId, subtree: true }).map((x) => x.id)])
    for (const p of sim.store.listPolicies({ compartmentId: c })) if (p.name.startsWith("parapet-")) out.push(c);
  return out;
};
const step = async (guardrailId: string) => {
  const r = (await runningRollouts(prisma)).find((x) => x.guardrailId === guardrailId);
  if (!r) throw new Error("no running rollout");
  return advanceRollout(deps(), r);
};
const AGENT = "ocid1.user.oc1..agent";
const STAGES = [
  { kind: "canary" as const, labels: "env=nonprod", soakMinutes: 0 },
  { kind: "wave" as const, percent: 50, soakMinutes: 0 },
  { kind: "everywhere" as const, soakMinutes: 0 },
];

describe("staged rollout (OCI simulator)", () => {
  let g: { id: string };

  it("canary → wave → everywhere: each stage deployed by reconcile, advanced after a clean replay, every step audited", async () => {
    g = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await h.run(connectionId);
    expect(Object.values(await coverage(g.id)).every((s) => s === "audit")).toBe(true);
    expect(parapetPolicyCompartments()).toEqual([]);
    await baseline(g.id, [AGENT]);

    const started = await startRollout(deps(), actor, g.id, { stages: STAGES });
    expect(started.rollout).toMatchObject({ status: "running", currentStage: 0, baseVersion: 1, targetVersion: 2 });
    // A replay of the target version was asked for at the stage's start, on the real impact queue.
    const queued = await prisma.impactReport.findMany({ where: { guardrailId: g.id, guardrailVersion: 2, status: "queued" } });
    expect(queued).toHaveLength(1);
    expect(await impactQueue.getJob(`impact__${queued[0]!.id}`)).toBeTruthy();

    // Stage 1, the canary: the NonProd compartments enforce, attached once at NonProd; the rest stays audit.
    let s = await h.run(connectionId);
    expect(s.status).toBe("succeeded");
    const canary = await coverage(g.id);
    expect(canary).toMatchObject({ Dev: "enforced", Test: "enforced" });
    expect(
      Object.entries(canary)
        .filter(([, v]) => v === "enforced")
        .map(([k]) => k)
        .sort(),
    ).toEqual(["Dev", "Test"]);
    const nonprod = await prisma.node.findFirstOrThrow({ where: { connectionId, name: "NonProd" } });
    expect(parapetPolicyCompartments()).toEqual([nonprod.externalId]);
    // Steady state with a rollout in progress: zero writes.
    s = await h.run(connectionId);
    expect(s.calls.writes).toBe(0);

    // The replay has not come back: the stage waits, it does not advance blind.
    expect((await step(g.id)).kind).toBe("waiting-replay");
    expect(await finishReplays(g.id, summary([AGENT]))).toBe(1);
    expect(await step(g.id)).toEqual({ kind: "advanced", stage: 1 });

    // Stage 2, a 50 % wave on top of the canary.
    await h.run(connectionId);
    const wave = Object.values(await coverage(g.id));
    const enforced = wave.filter((v) => v === "enforced").length;
    expect(enforced).toBeGreaterThanOrEqual(Math.ceil(wave.length / 2));
    expect(enforced).toBeLessThan(wave.length);
    expect(Object.entries(await coverage(g.id))).toEqual(
      expect.arrayContaining([
        ["Dev", "enforced"],
        ["Test", "enforced"],
      ]),
    );
    await finishReplays(g.id, summary([AGENT]));
    expect(await step(g.id)).toEqual({ kind: "advanced", stage: 2 });

    // Stage 3, everywhere: one policy at the tenancy, every environment enforced.
    await h.run(connectionId);
    expect(Object.values(await coverage(g.id)).every((v) => v === "enforced")).toBe(true);
    expect(parapetPolicyCompartments()).toEqual([sim.tenancyId]);
    await finishReplays(g.id, summary([AGENT]));
    expect(await step(g.id)).toEqual({ kind: "completed" });
    expect((await getRollout({ prisma }, actor, g.id)).rollout).toMatchObject({
      status: "completed",
      finishedAt: expect.any(String) as unknown,
    });
    // Completing writes nothing: everywhere already deployed it.
    expect((await h.run(connectionId)).calls.writes).toBe(0);

    const actions = (
      await prisma.auditEvent.findMany({ where: { workspaceId, action: { startsWith: "rollout." } }, orderBy: { seq: "asc" } })
    ).map((e) => e.action);
    expect(actions).toEqual(["rollout.started", "rollout.stage_advanced", "rollout.stage_advanced", "rollout.completed"]);
    const week = await weeklyRollouts(prisma, workspaceId, {
      start: new Date(Date.now() - 86_400_000),
      end: new Date(Date.now() + 60_000),
    });
    expect(week).toEqual([expect.objectContaining({ guardrailId: g.id, status: "completed", stage: "3 of 3 (everywhere)" })]);
    expect(week[0]!.events.map((e) => e.action)).toEqual(actions);
  });

  it("halts by itself when a stage's replay denies a principal the baseline did not, and never advances after", async () => {
    const g2 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await baseline(g2.id, [AGENT]);
    await startRollout(deps(), actor, g2.id, { stages: STAGES });
    await h.run(connectionId);
    await finishReplays(g2.id, summary([AGENT, "ocid1.user.oc1..billing-batch"]));
    const halted = await step(g2.id);
    expect(halted).toMatchObject({ kind: "halted", reason: expect.stringContaining("ocid1.user.oc1..billing-batch") as unknown });
    const view = (await getRollout({ prisma }, actor, g2.id)).rollout!;
    expect(view).toMatchObject({ status: "halted", currentStage: 0, haltPrincipals: ["ocid1.user.oc1..billing-batch"] });
    // Not in the step's work list any more: a halted rollout never advances by itself.
    expect((await runningRollouts(prisma)).some((r) => r.guardrailId === g2.id)).toBe(false);
    // Still deployed where it stood: the canary stays enforced while people look.
    expect(await coverage(g2.id)).toMatchObject({ Dev: "enforced", Test: "enforced" });

    // Resume accepts the principal the halt named; the same replay result then passes.
    const resumed = await resumeRollout(deps(), actor, g2.id, { reason: "billing-batch is expected" });
    expect(resumed.rollout).toMatchObject({ status: "running", haltReason: null, acceptedPrincipals: ["ocid1.user.oc1..billing-batch"] });
    await finishReplays(g2.id, summary([AGENT, "ocid1.user.oc1..billing-batch"]));
    expect(await step(g2.id)).toEqual({ kind: "advanced", stage: 1 });

    // Roll back: a new version with the audit spec, reconciled back to audit everywhere, no approval asked.
    const back = await rollBackRollout(deps(), actor, g2.id, { reason: "trying again next week" });
    expect(back.rollout.status).toBe("rolled-back");
    const gr = await prisma.guardrail.findUniqueOrThrow({
      where: { id: g2.id },
      include: { versions: { orderBy: { version: "desc" }, take: 1 } },
    });
    expect(gr.currentVersion).toBe(3);
    expect(gr.versions[0]!.mode).toBe("audit");
    expect(await prisma.approval.count({ where: { subjectId: g2.id } })).toBe(0);
    await h.run(connectionId);
    expect(Object.values(await coverage(g2.id)).every((v) => v === "audit")).toBe(true);
    const acts = (
      await prisma.auditEvent.findMany({
        where: { workspaceId, targetId: g2.id, action: { startsWith: "rollout." } },
        orderBy: { seq: "asc" },
      })
    ).map((e) => e.action);
    expect(acts).toEqual(["rollout.started", "rollout.halted", "rollout.resumed", "rollout.stage_advanced", "rollout.rolled_back"]);
  });

  it("halts on a lockout in the stage's replay", async () => {
    const g3 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await baseline(g3.id, []);
    await startRollout(deps(), actor, g3.id, { stages: STAGES });
    const lock = summary(
      [],
      [
        {
          class: "connector",
          principal: "ocid1.user.oc1..parapet",
          action: "DeletePolicy",
          count: 1,
          sample: summary(["x"]).groups[0]!.samples[0]!,
        },
      ],
    );
    await finishReplays(g3.id, lock);
    expect(await step(g3.id)).toMatchObject({
      kind: "halted",
      reason: expect.stringContaining("lock out connector ocid1.user.oc1..parapet") as unknown,
    });
    await rollBackRollout(deps(), actor, g3.id);
  });

  it("halts on a reconcile run that could not carry out its plan (the connector's key revoked), naming it", async () => {
    const g4 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await baseline(g4.id, []);
    await startRollout(deps(), actor, g4.id, { stages: STAGES });
    // The connector's key is replaced by one the cloud does not know.
    const spec = ociDemoSpec(sim);
    const wrong = { ...(spec.credentials as Record<string, unknown>), fingerprint: "11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00" };
    await prisma.connection.update({
      where: { id: connectionId },
      data: { credentialCiphertext: sealCredentials(h.keys, connectionId, wrong) },
    });
    // The connector can no longer read the tenancy: the run writes nothing there and ends partial.
    expect((await h.run(connectionId)).status).toBe("partial");
    const failed = await prisma.reconcileRun.findFirst({ where: { connectionId, status: "partial" }, orderBy: { startedAt: "desc" } });
    expect(failed).toBeTruthy();
    const r = await step(g4.id);
    expect(r).toMatchObject({
      kind: "halted",
      reason: expect.stringContaining(`reconcile run ${failed!.id} on OCI sim ended partial`) as unknown,
    });
    await prisma.connection.update({
      where: { id: connectionId },
      data: { credentialCiphertext: sealCredentials(h.keys, connectionId, spec.credentials) },
    });
  });

  it("hold stops a running rollout where it stands; only a held or halted one resumes; a finished one cannot be held", async () => {
    const g5 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await startRollout(deps(), actor, g5.id, { stages: STAGES });
    await expect(startRollout(deps(), actor, g5.id, { stages: STAGES })).rejects.toThrow(/already/);
    await expect(resumeRollout(deps(), actor, g5.id)).rejects.toThrow(/only a held or halted rollout can be resumed/);
    expect((await holdRollout(deps(), actor, g5.id, { reason: "change freeze" })).rollout.status).toBe("held");
    expect((await runningRollouts(prisma)).some((r) => r.guardrailId === g5.id)).toBe(false);
    await expect(holdRollout(deps(), actor, g5.id)).rejects.toThrow(/only a running rollout can be held/);
    expect((await resumeRollout(deps(), actor, g5.id)).rollout.status).toBe("running");
    await rollBackRollout(deps(), actor, g5.id);
    await expect(holdRollout(deps(), actor, g5.id)).rejects.toThrow(/rolled-back/);
    const held = (await prisma.auditEvent.findFirstOrThrow({ where: { workspaceId, targetId: g5.id, action: "rollout.held" } })).data;
    expect(held).toMatchObject({ reason: "change freeze" });
  });

  it("halts when the guardrail is edited under it; resumes with the new enforce version, never with an audit one", async () => {
    const g9 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await startRollout(deps(), actor, g9.id, { stages: STAGES });
    await h.newVersion(g9.id, { mode: "enforce" });
    expect(await step(g9.id)).toMatchObject({ kind: "halted", reason: expect.stringContaining("edited to v3 (enforce)") as unknown });
    const resumed = await resumeRollout(deps(), actor, g9.id);
    expect(resumed.rollout).toMatchObject({ status: "running", targetVersion: 3 });
    await h.newVersion(g9.id, { mode: "audit" });
    expect(await step(g9.id)).toMatchObject({ kind: "halted", reason: expect.stringContaining("edited to v4 (audit)") as unknown });
    await expect(resumeRollout(deps(), actor, g9.id)).rejects.toThrow(/in audit now; roll this rollout back/);
    expect((await rollBackRollout(deps(), actor, g9.id)).rollout.status).toBe("rolled-back");
  });

  it("halts on a drift spike: the canary's policy deleted out of band opens drift above the rollout's threshold", async () => {
    const g10 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    const sandbox = await prisma.node.findFirstOrThrow({ where: { connectionId, name: "Sandbox" } });
    await startRollout(deps(), actor, g10.id, {
      stages: [
        { kind: "canary", nodeIds: [sandbox.id], soakMinutes: 0 },
        { kind: "everywhere", soakMinutes: 0 },
      ],
      driftThreshold: 0,
    });
    await h.run(connectionId);
    expect((await coverage(g10.id))["Sandbox"]).toBe("enforced");
    const mine = sim.store.listPolicies({ compartmentId: sandbox.externalId }).filter((p) => p.name.startsWith("parapet-"));
    expect(mine).toHaveLength(1);
    // Someone deletes the canary's policy in the console: the next reconcile sees it missing (and puts it back).
    sim.human.deletePolicy(mine[0]!.id);
    expect((await h.run(connectionId)).driftOpened).toBe(1);
    await finishReplays(g10.id, summary([]));
    expect(await step(g10.id)).toMatchObject({
      kind: "halted",
      reason: "drift spike: 1 drift findings opened for this guardrail during the stage (threshold 0)",
    });
  });

  it("another workspace's guardrail answers 404 for every rollout action", async () => {
    const other = await createTestWorkspace();
    const stranger: Actor = { workspaceId: other.id, userId: "user_other", role: "owner", kind: "user", label: "x@other.test" };
    const g6 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await startRollout(deps(), actor, g6.id, { stages: STAGES });
    for (const call of [
      () => getRollout({ prisma }, stranger, g6.id),
      () => holdRollout(deps(), stranger, g6.id),
      () => resumeRollout(deps(), stranger, g6.id),
      () => rollBackRollout(deps(), stranger, g6.id),
      () => startRollout(deps(), stranger, g6.id, { stages: STAGES }),
    ])
      await expect(call()).rejects.toMatchObject({ code: "not_found" });
    expect((await getRollout({ prisma }, actor, g6.id)).rollout?.status).toBe("running");
  });

  it("refuses to start on a guardrail already in enforce, or with a canary node of another workspace, naming the field", async () => {
    const g7 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "enforce");
    await expect(startRollout(deps(), actor, g7.id, { stages: STAGES })).rejects.toThrow(/mode: .*already in enforce/);
    const g8 = await h.guardrail(workspaceId, "agent-no-destructive-actions", { all: true }, "audit");
    await expect(
      startRollout(deps(), actor, g8.id, {
        stages: [
          { kind: "canary", nodeIds: ["node_nope"], soakMinutes: 0 },
          { kind: "everywhere", soakMinutes: 0 },
        ],
      }),
    ).rejects.toMatchObject({ code: "validation", issues: [{ field: "stages.0.nodeIds.0" }] });
  });
});
