import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatorEgress } from "../egress/index.ts";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsDemoResult, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { describeContract } from "../contract/contract-suite.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { createAwsAdapter, type AwsAdapterConfig } from "./adapter.ts";
import type { TAwsCredentials } from "./credentials.ts";
import { AWS_OWNER_TAG_KEY, workspaceShort } from "./markers.ts";
import { packAwsPolicies, type TAwsBoundStatement } from "./packing.ts";
import { minimumPermissions } from "./permissions.ts";

const WS = "ws_aws_contract";
const FAST_RETRY = { attempts: 12, baseMs: 20, maxMs: 500 };
// Generous buckets so the suite runs quickly; the storm test swaps in tiny ones.
const RELAXED = {
  read: { burst: 500, ratePerSec: 1000 },
  write: { burst: 200, ratePerSec: 500 },
  DescribePolicy: { burst: 500, ratePerSec: 1000 },
};
const STORM = { read: { burst: 1, ratePerSec: 3 }, write: { burst: 1, ratePerSec: 3 }, DescribePolicy: { burst: 1, ratePerSec: 3 } };

const ROLE_CREDS: TAwsCredentials = {
  kind: "assume-role",
  roleArn: AWS_DEMO.role.arn,
  externalId: AWS_DEMO.role.externalId,
  sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
  sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
};

function adapterFor(sim: AwsSim, extra: Partial<AwsAdapterConfig> = {}): CloudAdapter {
  return createAwsAdapter({
    workspaceId: WS,
    egress: simulatorEgress(),
    credentials: ROLE_CREDS,
    endpoint: sim.url,
    retry: FAST_RETRY,
    rateLimits: false,
    ...extra,
  });
}

const AGENT_NO_DELETE: TAwsBoundStatement = {
  policyType: "SCP",
  guardrailId: "g-agents-no-delete",
  statement: {
    Sid: "ParapetAgentsNoDelete",
    Effect: "Deny",
    Action: ["s3:DeleteBucket", "s3:DeleteObject", "dynamodb:DeleteTable", "rds:DeleteDBInstance"],
    Resource: "*",
    Condition: {
      StringEquals: { "aws:PrincipalTag/agent": "true" },
      ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/ParapetConnector" },
    },
  },
};
const PROTECT_TRAIL: TAwsBoundStatement = {
  policyType: "SCP",
  guardrailId: "g-protect-audit",
  statement: {
    Sid: "ParapetProtectCloudTrail",
    Effect: "Deny",
    Action: ["cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"],
    Resource: "*",
    Condition: { ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/ParapetConnector" } },
  },
};
const RCP_ORG_ONLY: TAwsBoundStatement = {
  policyType: "RCP",
  guardrailId: "g-data-perimeter",
  statement: {
    Sid: "ParapetOrgPrincipalsOnly",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*", "kms:*"],
    Resource: "*",
    Condition: {
      StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-exampleorg1" },
      BoolIfExists: { "aws:PrincipalIsAWSService": "false" },
    },
  },
};

/** Desired artifacts as core's desired-state builder makes them: packed, then one artifact per policy. */
function desiredFor(demo: AwsDemoResult): DesiredArtifact[] {
  const agents = demo.ouIds["AI-Agents"]!;
  const prod = demo.ouIds["Workloads/Prod"]!;
  const packed = packAwsPolicies({
    workspaceId: WS,
    targets: [
      { targetId: agents, statements: [AGENT_NO_DELETE] },
      { targetId: prod, statements: [AGENT_NO_DELETE, PROTECT_TRAIL, RCP_ORG_ONLY] },
    ],
  });
  expect(packed.issues).toEqual([]);
  const arts = packed.policies.map((p) => ({
    kind: p.type === "SCP" ? ("aws.scp" as const) : ("aws.rcp" as const),
    name: p.name,
    body: p,
    attachments: packed.attachments.filter((a) => a.policyName === p.name).map((a) => a.targetId),
    guardrailIds: [
      ...new Set(
        p.document.Statement.map((s) =>
          s.Sid === "ParapetOrgPrincipalsOnly"
            ? "g-data-perimeter"
            : s.Sid === "ParapetProtectCloudTrail"
              ? "g-protect-audit"
              : "g-agents-no-delete",
        ),
      ),
    ],
  }));
  // SCPs first: the suite edits desired[0] and expects "weakened" from an added exclusion.
  return arts.sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : 1) : a.kind === "aws.scp" ? -1 : 1));
}

/** More than one page (20) of OUs under one parent and of accounts, so discovery has to page. */
function grow(sim: AwsSim, demo: AwsDemoResult): void {
  const { ouId: scale } = sim.admin.createOu({ parentId: demo.rootId, name: "Scale", tags: { env: "nonprod" } });
  for (let i = 1; i <= 22; i++) {
    const { ouId } = sim.admin.createOu({ parentId: scale, name: `team-${i}`, tags: { team: `t${i}` } });
    if (i <= 3) sim.admin.createAccount({ name: `team-${i}-dev`, parentId: ouId, tags: { env: "dev", owner: `team-${i}` } });
  }
}

const policyOf = (sim: AwsSim, id: string) => {
  const p = sim.state.policies.get(id);
  if (!p) throw new Error(`no policy ${id}`);
  return p;
};

describeContract({
  cloud: "aws",
  async setup() {
    const sim = await startAwsSim({ seed: 7, throttle: RELAXED });
    const demo = seedAwsDemo(sim);
    grow(sim, demo);
    const adapter = adapterFor(sim);
    const desired = desiredFor(demo);
    return {
      adapter,
      desired,
      minNodes: 1 + sim.state.ous.size + sim.state.accounts.size,
      oob: {
        async edit(a: ObservedArtifact) {
          const p = policyOf(sim, a.externalId);
          const doc = JSON.parse(p.content) as { Statement: Array<{ Condition?: Record<string, Record<string, string | string[]>> }> };
          const s = doc.Statement[0]!;
          // The classic quiet weakening: an exclusion for a role pattern someone controls.
          s.Condition = {
            ...s.Condition,
            ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/ParapetConnector", "arn:aws:iam::*:role/ops-*"] },
          };
          sim.admin.updatePolicy({ policyId: a.externalId, content: JSON.stringify(doc, null, 2) });
          return "weakened" as const;
        },
        async detach(a: ObservedArtifact) {
          sim.admin.detachPolicy({ policyId: a.externalId, targetId: a.attachments[0]! });
        },
        async remove(a: ObservedArtifact) {
          sim.admin.deletePolicy({ policyId: a.externalId, force: true });
        },
        async createUnowned() {
          // Named with this workspace's own prefix, tagged for another workspace.
          const name = `parapet-${workspaceShort(WS)}-lookalike`;
          const { policyId } = sim.admin.createPolicy({
            name,
            description: "The customer's own policy, named like Parapet's",
            content: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Sid: "Mine", Effect: "Deny", Action: "ec2:DeleteVpc", Resource: "*" }],
            }),
            tags: { [AWS_OWNER_TAG_KEY]: "someone-else" },
          });
          sim.admin.attachPolicy({ policyId, targetId: demo.ouIds.Sandbox! });
          return { kind: "aws.scp" as const, name, externalId: policyId, body: {}, attachments: [demo.ouIds.Sandbox!], owned: false };
        },
        async readUnowned(a: ObservedArtifact) {
          const p = policyOf(sim, a.externalId);
          return {
            name: p.name,
            description: p.description,
            content: p.content,
            tags: Object.fromEntries(p.tags),
            targets: p.targets.toArray(),
          };
        },
        async throttleStorm(on: boolean) {
          sim.configure({ throttle: on ? STORM : RELAXED });
        },
      },
      async close() {
        await adapter.close();
        await sim.close();
      },
    };
  },
});

describe("aws adapter against the simulator", () => {
  let sim: AwsSim;
  let demo: AwsDemoResult;
  let adapter: CloudAdapter;
  let desired: DesiredArtifact[];

  beforeAll(async () => {
    sim = await startAwsSim({ seed: 9, throttle: RELAXED });
    demo = seedAwsDemo(sim);
    grow(sim, demo);
    adapter = adapterFor(sim);
    desired = desiredFor(demo);
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  const countByName = (name: string) => [...sim.state.policies.values()].filter((p) => p.name === name).length;

  it("discovers the tree with parents and labels exactly as the organization holds them", async () => {
    adapter.resetStats();
    const h = await adapter.discover();
    expect(h.rootExternalId).toBe(demo.rootId);
    expect(h.nodes).toHaveLength(1 + sim.state.ous.size + sim.state.accounts.size);
    const byId = new Map(h.nodes.map((n) => [n.externalId, n]));
    for (const a of sim.state.accounts.values()) {
      const n = byId.get(a.id)!;
      expect(n.kind).toBe("account");
      expect(n.isEnvironment).toBe(true);
      expect(n.parentExternalId).toBe(a.parentId);
      expect(n.labels).toEqual(Object.fromEntries(a.tags));
    }
    for (const o of sim.state.ous.values()) {
      expect(byId.get(o.id)).toMatchObject({
        kind: "ou",
        name: o.name,
        parentExternalId: o.parentId,
        isEnvironment: false,
        labels: Object.fromEntries(o.tags),
      });
    }
    const s = adapter.stats();
    // One flat account scan (paged), not one listing per container.
    expect(s.byOperation.ListAccounts).toBe(Math.ceil(sim.state.accounts.size / 20));
    expect(s.byOperation.ListAccountsForParent).toBeUndefined();
    expect(s.byOperation.ListTagsForResource).toBe(h.nodes.length);
    expect(s.byOperation.ListOrganizationalUnitsForParent).toBeGreaterThan(sim.state.ous.size);
  });

  it("verifies the connector role and names nothing missing", async () => {
    const v = await adapter.verify();
    expect(v).toMatchObject({ ok: true, missing: [], rootId: demo.rootId });
    expect(v.identity).toContain("assumed-role/ParapetConnector/");
    for (const p of minimumPermissions) expect(v.checks.find((c) => c.permission === p.permission)?.ok, p.permission).toBe(true);
    // The write probes changed nothing.
    expect(countByName(`parapet-${workspaceShort(WS)}-permission-probe`)).toBe(0);
  });

  it("keeps a connector role made before targeted discovery verified, naming its three reads as optional", async () => {
    // The connector role as customers created it before issue 15: everything but the reads a cloud event's
    // targeted discovery makes. Their connections must stay verified; events then cost a full sweep.
    const older = minimumPermissions
      .map((p) => p.permission.replace(/^organizations:/, ""))
      .filter((a) => !["DescribeAccount", "DescribeOrganizationalUnit", "ListParents"].includes(a));
    const arn = `arn:aws:iam::${AWS_DEMO.managementAccountId}:role/ParapetConnectorBeforeEvents`;
    sim.addRole({ arn, externalId: AWS_DEMO.role.externalId, allowedActions: older, maxSessionSeconds: 3600 });
    const a = adapterFor(sim, { credentials: { ...ROLE_CREDS, roleArn: arn } as TAwsCredentials });
    try {
      const v = await a.verify();
      expect(v.ok, v.error).toBe(true);
      expect(v.missing).toEqual([]);
      for (const p of ["DescribeAccount", "DescribeOrganizationalUnit", "ListParents"]) {
        const c = v.checks.find((x) => x.permission === `organizations:${p}`);
        expect(c, p).toMatchObject({ ok: false });
        expect(c?.detail).toMatch(/optional: without it a cloud event costs a full discovery sweep/);
      }
    } finally {
      await a.close();
    }
  });

  it("names the missing write permissions for a read-only role", async () => {
    const ro = adapterFor(sim, { credentials: { ...ROLE_CREDS, roleArn: AWS_DEMO.readOnlyRole.arn } as TAwsCredentials });
    try {
      const v = await ro.verify();
      expect(v.ok).toBe(false);
      expect([...v.missing].sort()).toEqual(
        minimumPermissions
          .filter((p) => p.access === "write")
          .map((p) => p.permission)
          .sort(),
      );
    } finally {
      await ro.close();
    }
  });

  it("reports a wrong external id as sts:AssumeRole missing, not as a crash", async () => {
    const bad = adapterFor(sim, { credentials: { ...ROLE_CREDS, externalId: "not-the-right-one" } as TAwsCredentials });
    try {
      const v = await bad.verify();
      expect(v.ok).toBe(false);
      expect(v.missing[0]).toMatch(/^sts:AssumeRole/);
      expect(v.error).toMatch(/assume the connector role/);
      await expect(bad.discover()).rejects.toMatchObject({ kind: "auth", retryable: false });
    } finally {
      await bad.close();
    }
  });

  it("works with long-term access keys too, and checks the organization facts", async () => {
    const keys = adapterFor(sim, {
      credentials: {
        kind: "access-keys",
        accessKeyId: AWS_DEMO.credentials.accessKeyId,
        secretAccessKey: AWS_DEMO.credentials.secretAccessKey,
      },
      facts: { orgId: "o-aaaaaaaaaa", managementAccountId: AWS_DEMO.managementAccountId },
    });
    try {
      const v = await keys.verify();
      expect(v.identity).toContain(":user/parapet-bootstrap");
      expect(v.missing).toEqual([]);
      expect(v.ok).toBe(false);
      expect(v.error).toMatch(/reach organization o-.* but this connection is for o-aaaaaaaaaa/);
    } finally {
      await keys.close();
    }
  });

  it("observes a steady state with two reads per owned policy, whatever the number of accounts", async () => {
    const created = new Map<string, string>();
    for (const d of desired) {
      const r = await adapter.apply({ op: "create", artifact: d, reason: "test" });
      created.set(d.name, r.externalId!);
      for (const t of d.attachments)
        await adapter.apply({ op: "attach", kind: d.kind, name: d.name, externalId: r.externalId!, target: t, reason: "test" });
    }
    // As core asks after recording: every expected artifact carries the id Parapet recorded, and the
    // attachment targets are passed for the free-slot check.
    const fresh = adapterFor(sim);
    const expected = desired.map((d) => ({ kind: d.kind, name: d.name, externalId: created.get(d.name)!, attachments: d.attachments }));
    const targets = [...new Set(desired.flatMap((d) => d.attachments))];
    try {
      const first = await fresh.observe({ expected, targets });
      expect(first.unreadable).toEqual([]);
      expect(first.foreignSlots).toEqual({});
      for (const d of desired)
        expect(
          fresh.compare(
            d,
            first.artifacts.find((a) => a.name === d.name)!,
          ),
        ).toEqual({ equal: true });
      const calls = fresh.stats();
      // Exactly DescribePolicy + ListTargetsForPolicy per owned policy: no listing, no tag read, and no
      // per-target read where everything expected is attached already.
      expect(calls.byOperation).toEqual({ "sts:AssumeRole": 1, DescribePolicy: desired.length, ListTargetsForPolicy: desired.length });
      expect(calls.reads - 1).toBe(2 * desired.length);

      for (let i = 0; i < 60; i++)
        sim.admin.createAccount({ name: `extra-${i}`, parentId: demo.ouIds["Workloads/Prod"]!, tags: { env: "prod" } });
      fresh.resetStats();
      await fresh.observe({ expected, targets });
      const again = fresh.stats();
      expect(again.byOperation).toEqual({ DescribePolicy: desired.length, ListTargetsForPolicy: desired.length });
      expect(again.writes).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it("sees its own policies that nothing expects any more (a crash before recording) when asked to sweep, so they can be cleaned up", async () => {
    const content = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "Orphan", Effect: "Deny", Action: "ec2:DeleteVpc", Resource: "*" }],
    });
    const name = `parapet-${workspaceShort(WS)}-orphan`;
    const orphan: DesiredArtifact = {
      kind: "aws.scp",
      name,
      body: { name, description: "orphan", type: "SCP", document: JSON.parse(content) as unknown, content, tags: {} },
      attachments: [],
      guardrailIds: [],
    };
    const { externalId } = await adapter.apply({ op: "create", artifact: orphan, reason: "crashed before recording" });
    const other = adapterFor(sim);
    try {
      // Without a sweep nothing is listed (steady state reads recorded ids only)…
      expect((await other.observe({ expected: [] })).artifacts).toEqual([]);
      expect(other.stats().byOperation.ListPolicies).toBeUndefined();
      // …with one, the orphan is found by this workspace's name prefix and its tag is read.
      const state = await other.observe({ expected: [], sweep: true });
      expect(state.artifacts.find((a) => a.externalId === externalId)).toMatchObject({ name, owned: true });
      expect(other.stats().byOperation.ListTagsForResource).toBeGreaterThan(0);
      expect(await other.apply({ op: "delete", kind: "aws.scp", name, externalId: externalId!, reason: "cleanup" })).toEqual({
        externalId,
      });
    } finally {
      await other.close();
    }
  });

  it("reports a recorded policy deleted out of band as missing, without listing", async () => {
    const content = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "Gone", Effect: "Deny", Action: "ec2:DeleteVpc", Resource: "*" }],
    });
    const name = `parapet-${workspaceShort(WS)}-gone`;
    const gone: DesiredArtifact = {
      kind: "aws.scp",
      name,
      body: { name, description: "gone", type: "SCP", document: JSON.parse(content) as unknown, content, tags: {} },
      attachments: [],
      guardrailIds: [],
    };
    const { externalId } = await adapter.apply({ op: "create", artifact: gone, reason: "test" });
    sim.admin.deletePolicy({ policyId: externalId!, force: true });
    const fresh = adapterFor(sim);
    try {
      const state = await fresh.observe({ expected: [{ kind: "aws.scp", name, externalId: externalId!, attachments: [] }] });
      expect(state).toEqual({ artifacts: [], foreignSlots: {}, unreadable: [] });
      expect(fresh.stats().byOperation.ListPolicies).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it("counts the slots other policies hold only on targets where something is to be attached", async () => {
    const agents = demo.ouIds["AI-Agents"]!;
    const prod = demo.ouIds["Workloads/Prod"]!;
    const sandbox = demo.ouIds.Sandbox!;
    const ids = new Map((await adapter.observe({ expected: desired })).artifacts.map((a) => [a.name, a.externalId]));
    const expected = desired.map((d) => ({ kind: d.kind, name: d.name, externalId: ids.get(d.name)!, attachments: d.attachments }));
    const foreign = (target: string, type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY") => {
      const owned = new Set(ids.values());
      const t = sim.state.target(target)!;
      return t.policies.toArray().filter((id) => sim.state.policies.get(id)?.type === type && !owned.has(id)).length;
    };
    const scpOnProd = desired.find((d) => d.kind === "aws.scp" && d.attachments.includes(prod))!;
    // A person detaches one of Parapet's SCPs from Prod; a new guardrail wants the agents SCP on Sandbox too.
    sim.admin.detachPolicy({ policyId: ids.get(scpOnProd.name)!, targetId: prod });
    const agentsScp = expected.find((e) => e.kind === "aws.scp" && e.attachments.includes(agents))!;
    const wanted = expected.map((e) => (e === agentsScp ? { ...e, attachments: [...e.attachments, sandbox] } : e));
    adapter.resetStats();
    const state = await adapter.observe({ expected: wanted, targets: [agents, prod, sandbox] });
    // Prod (re-attach) and Sandbox (new) are read; AI-Agents, where everything is attached, is not.
    expect(Object.keys(state.foreignSlots).sort()).toEqual([prod, sandbox].sort());
    expect(state.foreignSlots[prod]).toEqual({ "aws.scp": foreign(prod, "SERVICE_CONTROL_POLICY") });
    expect(state.foreignSlots[prod]!["aws.scp"]).toBe(2); // FullAWSAccess + DenyRootUser
    expect(state.foreignSlots[sandbox]).toEqual({ "aws.scp": foreign(sandbox, "SERVICE_CONTROL_POLICY") });
    expect(adapter.stats().byOperation.ListPoliciesForTarget).toBe(2);
    await adapter.apply({
      op: "attach",
      kind: scpOnProd.kind,
      name: scpOnProd.name,
      externalId: ids.get(scpOnProd.name)!,
      target: prod,
      reason: "repair",
    });
  });

  it("refuses at plan time a plan that would exceed the SCPs-per-target limit, naming the target and the limit, and writes nothing", async () => {
    const limits = { maxPoliciesPerTarget: 5, maxPolicyChars: 500 };
    const { ouId: crowded } = sim.admin.createOu({ parentId: demo.rootId, name: "Crowded" });
    // FullAWSAccess + three other tools' SCPs: 4 of the 5 slots are taken.
    for (let i = 1; i <= 3; i++) {
      const { policyId } = sim.admin.createPolicy({
        name: `other-tool-${i}`,
        description: "not Parapet's",
        content: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Sid: `Other${i}`, Effect: "Deny", Action: `ec2:DeleteVpc${i}`, Resource: "*" }],
        }),
      });
      sim.admin.attachPolicy({ policyId, targetId: crowded });
    }
    const statements = [AGENT_NO_DELETE, PROTECT_TRAIL];
    // Desired state is computed before anything is read (one slot assumed taken): two SCPs fit then.
    const optimistic = packAwsPolicies({ workspaceId: WS, limits, targets: [{ targetId: crowded, statements }] });
    expect(optimistic.issues).toEqual([]);
    expect(optimistic.attachments.filter((a) => a.targetId === crowded)).toHaveLength(2);
    const limited = adapterFor(sim, { limits });
    try {
      const state = await limited.observe({
        expected: optimistic.policies.map((p) => ({ kind: "aws.scp" as const, name: p.name, externalId: null, attachments: [crowded] })),
        targets: [crowded],
      });
      expect(state.foreignSlots[crowded]).toEqual({ "aws.scp": 4 });
      // Repacked with what the cloud holds, as core does before planning.
      const real = packAwsPolicies({
        workspaceId: WS,
        limits,
        targets: [{ targetId: crowded, statements, slotsTaken: { SCP: state.foreignSlots[crowded]!["aws.scp"]! } }],
      });
      expect(real.issues).toHaveLength(1);
      expect(real.issues[0]).toMatchObject({
        code: "TARGET_SLOTS_EXCEEDED",
        targetId: crowded,
        limit: 5,
        free: 1,
        needed: 2,
        slotsTaken: 4,
      });
      expect(real.issues[0]!.message).toContain(`Target ${crowded} needs 2 SCPs`);
      expect(real.issues[0]!.message).toContain("only 1 of its 5 SCP slots are free");
      expect(limited.stats().writes).toBe(0);
      expect(
        sim.state
          .target(crowded)!
          .policies.toArray()
          .filter((id) => sim.state.policies.get(id)?.type === "SERVICE_CONTROL_POLICY"),
      ).toHaveLength(4);
    } finally {
      await limited.close();
    }
  });

  it("adopts its own policy when CreatePolicy is repeated after a crash, instead of duplicating it", async () => {
    const d = desired[0]!;
    const before = await adapter.observe({ expected: [d] });
    const id = before.artifacts.find((a) => a.name === d.name)!.externalId;
    // A person edited it in between: adoption also restores the content.
    sim.admin.updatePolicy({ policyId: id, description: "edited by hand" });
    const again = await adapter.apply({ op: "create", artifact: d, reason: "retry after crash" });
    expect(again.externalId).toBe(id);
    expect(countByName(d.name)).toBe(1);
    expect(policyOf(sim, id).description).toBe((d.body as { description: string }).description);
    const third = await adapter.apply({ op: "create", artifact: d, reason: "retry again" });
    expect(third).toEqual({ externalId: id, noop: true });
  });

  it("refuses to adopt a same-named policy that is not tagged for this workspace", async () => {
    const d = { ...desired[0]!, name: `parapet-${workspaceShort(WS)}-squatted` };
    d.body = { ...(d.body as object), name: d.name };
    const { policyId } = sim.admin.createPolicy({
      name: d.name,
      description: "hand-made",
      content: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "X", Effect: "Deny", Action: "ec2:DeleteVpc", Resource: "*" }] }),
    });
    const err = await adapter.apply({ op: "create", artifact: d, reason: "test" }).catch((e: unknown) => e);
    expect(isProviderError(err) && err.code).toBe("NOT_OWNED");
    expect(policyOf(sim, policyId).description).toBe("hand-made");
    const detach = await adapter
      .apply({ op: "detach", kind: "aws.scp", name: d.name, externalId: policyId, target: demo.rootId, reason: "test" })
      .catch((e: unknown) => e);
    expect(isProviderError(detach) && detach.code).toBe("NOT_OWNED");
  });

  it("treats duplicate attach, detach of a detached policy and delete of a deleted one as noops", async () => {
    const d = desired[0]!;
    const o = (await adapter.observe({ expected: [d] })).artifacts.find((a) => a.name === d.name)!;
    const target = d.attachments[0]!;
    expect(
      await adapter.apply({ op: "attach", kind: d.kind, name: d.name, externalId: o.externalId, target, reason: "dup" }),
    ).toMatchObject({ noop: true });
    const other = demo.ouIds.Sandbox!;
    expect(
      await adapter.apply({ op: "detach", kind: d.kind, name: d.name, externalId: o.externalId, target: other, reason: "not attached" }),
    ).toMatchObject({ noop: true });
    // Delete detaches what is still attached first, then deletes; a second delete is a noop.
    expect(await adapter.apply({ op: "delete", kind: d.kind, name: d.name, externalId: o.externalId, reason: "gone" })).toEqual({
      externalId: o.externalId,
    });
    expect(sim.state.policies.has(o.externalId)).toBe(false);
    expect(await adapter.apply({ op: "delete", kind: d.kind, name: d.name, externalId: o.externalId, reason: "gone again" })).toEqual({
      noop: true,
    });
  });

  it("retries ConcurrentModification and PolicyChangesInProgress until the write lands", async () => {
    const d = desired[0]!;
    sim.configure({
      injectErrors: [
        { operation: "CreatePolicy", code: "ConcurrentModificationException", count: 2 },
        { operation: "AttachPolicy", code: "PolicyChangesInProgressException", count: 2 },
      ],
    });
    adapter.resetStats();
    const r = await adapter.apply({ op: "create", artifact: d, reason: "recreate" });
    await adapter.apply({
      op: "attach",
      kind: d.kind,
      name: d.name,
      externalId: r.externalId!,
      target: d.attachments[0]!,
      reason: "attach",
    });
    const s = adapter.stats();
    expect(s.byOperation.CreatePolicy).toBe(3);
    expect(s.byOperation.AttachPolicy).toBe(3);
    expect(s.errors).toBe(4);
    expect(sim.state.target(d.attachments[0]!)!.policies.has(r.externalId!)).toBe(true);
  });

  it("assumes the role again when AWS says the session expired, and carries on", async () => {
    sim.configure({
      injectErrors: [
        { operation: "ListRoots", code: "ExpiredTokenException", message: "The security token included in the request is expired" },
      ],
    });
    const fresh = adapterFor(sim);
    try {
      const h = await fresh.discover();
      expect(h.rootExternalId).toBe(demo.rootId);
      const s = fresh.stats().byOperation;
      expect(s["sts:AssumeRole"]).toBe(2);
      expect(s.ListRoots).toBe(2);
    } finally {
      await fresh.close();
    }
  });

  it("reports a failed read as unreadable, never as missing", async () => {
    sim.configure({ injectErrors: [{ operation: "DescribePolicy", code: "AccessDeniedException", count: 1 }] });
    const state = await adapter.observe({ expected: desired });
    expect(state.unreadable).toHaveLength(1);
    const u = state.unreadable[0]!;
    expect(u.name).toBeDefined();
    expect(state.artifacts.some((a) => a.name === u.name)).toBe(false);
  });

  it("classifies a throttling storm as throttles it retries through, and counts them", async () => {
    sim.configure({ throttle: STORM });
    try {
      adapter.resetStats();
      const state = await adapter.observe({ expected: desired });
      expect(state.unreadable).toEqual([]);
      expect(adapter.stats().throttled).toBeGreaterThan(0);
    } finally {
      sim.configure({ throttle: RELAXED });
    }
  });
});
