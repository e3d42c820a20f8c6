/**
 * Adoption end to end on the AWS simulator's demo organisation, through the worker's real provider
 * registry and the real reconciler: a customer SCP (DenyRootUser, on the Prod and Security OUs) that the
 * posture scan credits with "deny root user" is replaced by the guardrail's own SCP after a second member
 * approves. Every Organizations call the simulator serves is recorded in order, and after each attach or
 * detach the organisation is checked: no approved target is ever without a policy that denies root.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { decideApproval } from "@parapet/core/approvals/decide-approval";
import type { Actor, JobPort } from "@parapet/core/common/actor";
import { AppError } from "@parapet/core/common/errors";
import { previewAdoption, requestAdoption } from "@parapet/core/posture/adopt-foreign-policy";
import { getPosture } from "@parapet/core/posture/posture.service";
import { runPostureScan } from "@parapet/core/posture/run-posture-scan";
import { createTestUser } from "@parapet/core/testing/db";
import { reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const { prisma } = h;
const jobs: JobPort = {
  requestReconcile: async () => undefined,
  enqueueConnectionTask: async () => "task",
  requestImpact: async () => undefined,
};

let aws: AwsSim;
/** Organizations calls served (successes only), in order: "Op PolicyName TargetId". */
let calls: string[] = [];
/** Set by a scenario: checked after every served AttachPolicy/DetachPolicy. */
let invariant: (() => void) | undefined;
/** Called after each served call (a scenario injects a failure at the right moment). */
let afterCall: ((op: string, input: Record<string, unknown>) => void) | undefined;

beforeAll(async () => {
  aws = await startAwsSim({ throttle: false });
  const original = aws.sim.invoke.bind(aws.sim);
  aws.sim.invoke = (op, input, principal, meta) => {
    const out = original(op, input, principal, meta);
    const id = typeof input.PolicyId === "string" ? input.PolicyId : "";
    const name = id ? (aws.state.policies.get(id)?.name ?? id) : "";
    calls.push([op, name, typeof input.TargetId === "string" ? input.TargetId : ""].join(" ").trim());
    if (op === "AttachPolicy" || op === "DetachPolicy") invariant?.();
    afterCall?.(op, input);
    return out;
  };
}, 60_000);
afterAll(async () => {
  await aws.close();
});

/** The target and its ancestors up to the root (SCPs attached there all apply to it). */
function chain(target: string): string[] {
  const st = aws.state;
  const out = [target];
  let parent = st.ous.get(target)?.parentId ?? st.accounts.get(target)?.parentId;
  while (parent) {
    out.push(parent);
    parent = st.ous.get(parent)?.parentId;
  }
  return out;
}

/** Names of the SCPs attached directly to a target. */
function attachedNames(target: string): string[] {
  const t = aws.state.target(target);
  return [...(t?.policies ?? [])]
    .map((id) => aws.state.policies.get(id))
    .filter((p) => p?.type === "SERVICE_CONTROL_POLICY")
    .map((p) => p!.name);
}

/** No approved target ever lacks a deny on root: the customer's policy on it, or Parapet's on it or above. */
function zeroGap(targets: string[], customer: string) {
  return () => {
    for (const t of targets) {
      const own = attachedNames(t).includes(customer);
      const parapet = chain(t).some((x) => attachedNames(x).some((n) => n.startsWith("parapet-")));
      if (!own && !parapet) throw new Error(`target ${t} had no policy denying root for an instant`);
    }
  };
}

async function setup() {
  seedAwsDemo(aws);
  calls = [];
  invariant = undefined;
  afterCall = undefined;
  const ctx = await h.connect({
    cloud: "aws",
    endpoint: aws.url,
    credentials: {
      kind: "assume-role",
      roleArn: AWS_DEMO.role.arn,
      externalId: AWS_DEMO.role.externalId,
      sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
      sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
    },
    facts: { orgId: aws.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
  });
  const actor = async (role: "admin" | "approver"): Promise<Actor> => {
    const u = await createTestUser(prisma, ctx.workspaceId, role);
    return { workspaceId: ctx.workspaceId, userId: u.id, role, kind: "user", label: u.email };
  };
  const admin = await actor("admin");
  const approver = await actor("approver");
  const g = await h.guardrail(ctx.workspaceId, "deny-root-user", { all: true });
  // Discovers the organisation and deploys the guardrail's own SCP (at the root: the whole tree is in scope).
  expect((await h.run(ctx.connectionId)).status).toBe("succeeded");
  const scan = await prisma.postureScan.create({ data: { workspaceId: ctx.workspaceId, connectionId: ctx.connectionId } });
  expect((await runPostureScan(h.deps(), scan.id)).status).toBe("done");
  const fp = await prisma.foreignPolicy.findFirstOrThrow({ where: { connectionId: ctx.connectionId, name: "DenyRootUser" } });
  expect(fp.attachments).toHaveLength(2);
  const input = { policyId: fp.id, guardrailId: g.id, bodyHash: fp.bodyHash };
  return { ...ctx, admin, approver, guardrailId: g.id, fp, input };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function requestedAndApproved(s: Setup) {
  const { approval } = await requestAdoption({ prisma }, s.admin, s.connectionId, s.input);
  expect(approval.status).toBe("pending");
  await decideApproval({ prisma, jobs }, s.approver, approval.id, "approve", undefined);
  return approval.id;
}

const adoptionOf = (approvalId: string) => prisma.postureAdoption.findUniqueOrThrow({ where: { approvalId } });

describe("adopting a customer SCP on AWS", () => {
  it("two people: the requester cannot approve; nothing is written until a second member approves", async () => {
    const s = await setup();
    const plan = await previewAdoption({ prisma }, s.admin, s.connectionId, s.input);
    expect(plan.targets.map((t) => t.name).sort()).toEqual(["Prod", "Security"]);
    expect(plan.steps[2]).toContain("Only then detach DenyRootUser");
    const { approval } = await requestAdoption({ prisma }, s.admin, s.connectionId, s.input);
    expect(approval.action).toBe("posture.adopt");
    const own = await decideApproval({ prisma, jobs }, s.admin, approval.id, "approve", undefined).catch((e: unknown) => e);
    expect(own).toBeInstanceOf(AppError);
    expect((own as AppError).code).toBe("forbidden");
    // A second request for the same policy while one is pending is refused.
    await expect(requestAdoption({ prisma }, s.admin, s.connectionId, s.input)).rejects.toMatchObject({ code: "conflict" });
    // Reconciles while the request waits leave the customer's policy where it is.
    const before = calls.length;
    await h.run(s.connectionId);
    expect(calls.slice(before).filter((c) => c.startsWith("DetachPolicy"))).toEqual([]);
    for (const t of s.fp.attachments) expect(attachedNames(t)).toContain("DenyRootUser");
    expect((await adoptionOf(approval.id)).state).toBe("pending");
    // Rejected: the adoption is closed, nothing changes.
    await decideApproval({ prisma, jobs }, s.approver, approval.id, "reject", "not now");
    expect((await adoptionOf(approval.id)).state).toBe("rejected");
  });

  it("replaces it with zero gap: Parapet's SCP is attached and read back before the customer's is detached, target by target", async () => {
    const s = await setup();
    const targets = s.fp.attachments;
    invariant = zeroGap(targets, "DenyRootUser");
    const approvalId = await requestedAndApproved(s);
    const mark = calls.length;
    const run = await h.run(s.connectionId);
    expect(run.status).toBe("succeeded");

    const a = await adoptionOf(approvalId);
    expect(a.error).toBeNull();
    expect(a.state).toBe("done");
    expect([...a.detached].sort()).toEqual([...targets].sort());
    for (const t of targets) expect(attachedNames(t)).not.toContain("DenyRootUser");
    // Detached, never deleted or edited: the customer's object is still there, as it was.
    const still = aws.state.policies.get(s.fp.externalId)!;
    expect(still.content).toBe((s.fp.body as { content: string }).content);

    // Ordering: Parapet's SCP was attached (setup run) before anything; in the adoption run its read-back
    // (DescribePolicy + ListTargetsForPolicy of parapet-…) comes before the first DetachPolicy.
    const parapetAttach = calls.findIndex((c) => /^AttachPolicy parapet-/.test(c));
    const firstDetach = calls.findIndex((c) => c.startsWith("DetachPolicy DenyRootUser"));
    expect(parapetAttach).toBeGreaterThanOrEqual(0);
    expect(parapetAttach).toBeLessThan(firstDetach);
    const adoptionRun = calls.slice(mark);
    const readBack = adoptionRun.findIndex((c) => /^ListTargetsForPolicy parapet-/.test(c));
    const detachAt = adoptionRun.findIndex((c) => c.startsWith("DetachPolicy DenyRootUser"));
    expect(readBack).toBeGreaterThanOrEqual(0);
    expect(readBack).toBeLessThan(detachAt);
    expect(adoptionRun.filter((c) => c.startsWith("DetachPolicy"))).toHaveLength(2);
    // Only the customer's policy was detached, only from the approved targets; nothing else was written to it.
    expect(adoptionRun.filter((c) => /^(UpdatePolicy|DeletePolicy|TagResource|UntagResource)/.test(c))).toEqual([]);

    const fp = await prisma.foreignPolicy.findUniqueOrThrow({ where: { id: s.fp.id } });
    expect(fp.stance).toBe("adopted");
    expect(fp.attachments).toEqual([]);
    const view = await getPosture({ prisma }, s.admin, s.connectionId);
    expect(view.policies.find((p) => p.id === s.fp.id)!.adoption).toMatchObject({ state: "done", approvalId });
    const audit = await prisma.auditEvent.findMany({ where: { workspaceId: s.workspaceId }, orderBy: { seq: "asc" } });
    const actions = audit.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["posture.adoption_requested", "approval.approved", "posture.foreign_detached", "posture.adopted"]),
    );
    expect(actions.indexOf("posture.adopted")).toBeGreaterThan(actions.lastIndexOf("posture.foreign_detached"));

    // Steady state afterwards: another reconcile writes nothing and touches the adoption no more.
    const again = await h.run(s.connectionId);
    expect(again.calls.writes).toBe(0);
    expect((await adoptionOf(approvalId)).updatedAt).toEqual(a.updatedAt);
  });

  it("refuses when the customer's policy changed after approval (body hash): nothing is detached", async () => {
    const s = await setup();
    const approvalId = await requestedAndApproved(s);
    const doc = JSON.parse(aws.state.policies.get(s.fp.externalId)!.content) as { Statement: Array<{ Sid?: string }> };
    doc.Statement[0]!.Sid = "EditedByAPerson";
    aws.state.updatePolicy(s.fp.externalId, { content: JSON.stringify(doc) });
    const mark = calls.length;
    await h.run(s.connectionId);
    const a = await adoptionOf(approvalId);
    expect(a.state).toBe("failed");
    expect(a.error).toContain("changed since the adoption was approved");
    expect(calls.slice(mark).filter((c) => c.startsWith("DetachPolicy"))).toEqual([]);
    for (const t of s.fp.attachments) expect(attachedNames(t)).toContain("DenyRootUser");
    expect((await prisma.foreignPolicy.findUniqueOrThrow({ where: { id: s.fp.id } })).stance).toBe("unset");
  });

  it("refuses at approval when a scan read another body since the request", async () => {
    const s = await setup();
    const { approval } = await requestAdoption({ prisma }, s.admin, s.connectionId, s.input);
    aws.state.updatePolicy(s.fp.externalId, { description: "edited" });
    const scan = await prisma.postureScan.create({ data: { workspaceId: s.workspaceId, connectionId: s.connectionId } });
    await runPostureScan(h.deps(), scan.id);
    await expect(decideApproval({ prisma, jobs }, s.approver, approval.id, "approve", undefined)).rejects.toMatchObject({
      code: "conflict",
    });
    expect((await adoptionOf(approval.id)).state).toBe("pending");
    // And a new request must quote the new hash.
    await expect(requestAdoption({ prisma }, s.admin, s.connectionId, s.input)).rejects.toMatchObject({ code: "conflict" });
  });

  it("rolls back when the cloud refuses a detach: the customer's policy is attached again where it had been detached", async () => {
    const s = await setup();
    const targets = s.fp.attachments;
    invariant = zeroGap(targets, "DenyRootUser");
    const approvalId = await requestedAndApproved(s);
    // The second DetachPolicy is refused by the simulator (the constraint error AWS gives), after the first succeeded.
    let detaches = 0;
    afterCall = (op) => {
      if (op === "DetachPolicy" && ++detaches === 1)
        aws.configure({
          injectErrors: [
            { operation: "DetachPolicy", code: "ConstraintViolationException", reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" },
          ],
        });
    };
    const mark = calls.length;
    await h.run(s.connectionId);
    const a = await adoptionOf(approvalId);
    expect(a.state).toBe("rolled-back");
    expect(a.error).toContain("failed");
    expect(a.detached).toEqual([]);
    for (const t of targets) expect(attachedNames(t)).toContain("DenyRootUser");
    const seq = calls.slice(mark).filter((c) => /^(Attach|Detach)Policy DenyRootUser/.test(c));
    expect(seq).toHaveLength(2);
    expect(seq[0]).toMatch(/^DetachPolicy DenyRootUser /);
    expect(seq[1]).toBe(seq[0]!.replace("DetachPolicy", "AttachPolicy"));
    expect((await prisma.foreignPolicy.findUniqueOrThrow({ where: { id: s.fp.id } })).stance).toBe("unset");
    const actions = (await prisma.auditEvent.findMany({ where: { workspaceId: s.workspaceId } })).map((e) => e.action);
    expect(actions).toContain("posture.adoption_rolled_back");
  });

  it("never leaves a target without an SCP: where the customer's policy is the last one attached, it is not detached", async () => {
    const s = await setup();
    const security = aws.state.ous.get(s.fp.attachments.find((t) => aws.state.ous.get(t)?.name === "Security")!)!;
    // Out of band, someone leaves DenyRootUser as the only SCP attached directly to Security.
    for (const id of [...aws.state.target(security.id)!.policies]) {
      if (id !== s.fp.externalId && aws.state.policies.get(id)?.type === "SERVICE_CONTROL_POLICY") aws.state.detachPolicy(id, security.id);
    }
    expect(attachedNames(security.id)).toEqual(["DenyRootUser"]);
    const approvalId = await requestedAndApproved(s);
    await h.run(s.connectionId);
    const a = await adoptionOf(approvalId);
    expect(a.state).toBe("rolled-back");
    expect(a.error).toContain("only SCP attached directly");
    expect(attachedNames(security.id)).toEqual(["DenyRootUser"]);
    for (const t of s.fp.attachments) expect(attachedNames(t)).toContain("DenyRootUser");
    // Parapet refused before asking AWS: no DetachPolicy was sent for Security.
    expect(calls.filter((c) => c === `DetachPolicy DenyRootUser ${security.id}`)).toEqual([]);
  });

  it("converges after a crash between a DetachPolicy and its record: the next run carries on from the journal", async () => {
    const s = await setup();
    const targets = s.fp.attachments;
    invariant = zeroGap(targets, "DenyRootUser");
    const approvalId = await requestedAndApproved(s);
    const a0 = await adoptionOf(approvalId);
    // A worker wrote the intent (inFlight), AWS detached the policy, then the worker died before recording it.
    await prisma.postureAdoption.update({ where: { id: a0.id }, data: { state: "detaching", inFlight: targets[0]! } });
    aws.state.detachPolicy(s.fp.externalId, targets[0]!);
    const mark = calls.length;
    await h.run(s.connectionId);
    const a = await adoptionOf(approvalId);
    expect(a.state).toBe("done");
    expect([...a.detached].sort()).toEqual([...targets].sort());
    expect(a.inFlight).toBeNull();
    // Only the one target left was detached by this run.
    expect(calls.slice(mark).filter((c) => c.startsWith("DetachPolicy"))).toEqual([`DetachPolicy DenyRootUser ${targets[1]}`]);
  });

  it("refuses what it cannot adopt with a clear 422: AWS-managed and allow policies, and a guardrail in audit mode", async () => {
    const s = await setup();
    const full = await prisma.foreignPolicy.findFirstOrThrow({ where: { connectionId: s.connectionId, name: "FullAWSAccess" } });
    await expect(
      requestAdoption({ prisma }, s.admin, s.connectionId, { ...s.input, policyId: full.id, bodyHash: full.bodyHash }),
    ).rejects.toMatchObject({ code: "validation" });
    const g = await h.guardrail(s.workspaceId, "deny-root-user", { all: true }, "audit");
    await expect(requestAdoption({ prisma }, s.admin, s.connectionId, { ...s.input, guardrailId: g.id })).rejects.toThrow(/audit mode/);
    // Azure (likewise GCP and OCI): replacing would delete or rewrite the customer's object, so it is refused.
    const az = await h.connect({ cloud: "azure", endpoint: "https://127.0.0.1:1", credentials: {}, facts: {} }, "azure", s.workspaceId);
    const assignment = await prisma.foreignPolicy.create({
      data: {
        workspaceId: s.workspaceId,
        connectionId: az.connectionId,
        kind: "azure.policy-assignment",
        externalId: "/providers/Microsoft.Management/managementGroups/corp/providers/Microsoft.Authorization/policyAssignments/a1",
        name: "Allowed locations",
        attachments: ["corp"],
        body: {},
        size: 0,
        bodyHash: "a".repeat(64),
      },
    });
    await expect(
      requestAdoption({ prisma }, s.admin, az.connectionId, { ...s.input, policyId: assignment.id, bodyHash: assignment.bodyHash }),
    ).rejects.toThrow(/not on azure/);
    expect(await prisma.approval.count({ where: { workspaceId: s.workspaceId } })).toBe(0);
    const other = await h.guardrail(s.workspaceId, "restrict-regions", { all: true });
    await expect(requestAdoption({ prisma }, s.admin, s.connectionId, { ...s.input, guardrailId: other.id })).rejects.toThrow(
      /does not credit DenyRootUser/,
    );
  });
});
