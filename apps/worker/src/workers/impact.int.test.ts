/**
 * Would-have-blocked end to end: real PostgreSQL and Redis, the AWS simulator through the real SDKs
 * (Organizations for discovery, S3 for the organization trail's log files), the product's request and
 * replay use-cases. A guardrail in audit is replayed over a week of trail history: the calls enforce
 * would deny are grouped by principal, action and environment; calls outside its scope, by break-glass
 * or by the connector are not; an exemption takes its environment out; enforce is refused while the
 * newest replay shows a lockout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import type { Actor } from "@parapet/core/common/actor";
import { createGuardrail } from "@parapet/core/guardrails/create-guardrail";
import { updateGuardrail } from "@parapet/core/guardrails/update-guardrail";
import { getImpact } from "@parapet/core/impact/get-impact";
import { requestImpact } from "@parapet/core/impact/request-impact";
import { runImpactReport } from "@parapet/core/impact/run-impact";
import type { TImpactSummary } from "@parapet/core/impact/replay";
import { demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const { prisma } = h;
const BUCKET = "acme-org-trail";
let sim: AwsSim;
let workspaceId: string;
let connectionId: string;
let prod: string;
let dev: string;
let actor: Actor;
const queued: string[] = [];
const deps = () => ({
  prisma,
  jobs: {
    requestReconcile: async () => undefined,
    enqueueConnectionTask: async () => "",
    requestImpact: async (id: string) => void queued.push(id),
  },
});
const runDeps = () => ({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor, workerId: "impact-test" });

/** A management event as an organization trail logs it in a member account. */
function call(account: string, role: string, source: string, name: string, params: object, minutesAgo: number, n: number) {
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROA${role.toUpperCase().replace(/[^A-Z]/g, "")}:s${n}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/s${n}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAX",
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
      },
    },
    eventTime: new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: source,
    eventName: name,
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.9",
    userAgent: "aws-cli/2.17.0",
    requestParameters: params,
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `dddddddd-0000-4000-8000-${String(n).padStart(12, "0")}`,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
}

async function admin(path: string, body: unknown) {
  const r = await fetch(`${sim.url}/_admin/cloudtrail/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(200);
  return r.json();
}

async function replay(guardrailId: string, days = 7) {
  queued.length = 0;
  const r = await requestImpact(deps(), actor, guardrailId, { days });
  expect(queued).toHaveLength(1);
  const done = await runImpactReport(runDeps(), queued[0]!);
  expect(done.status, JSON.stringify(await prisma.impactReport.findUnique({ where: { id: queued[0]! } }))).toBe("done");
  return { request: r, summary: done.summary! };
}

const groups = (s: TImpactSummary) => s.groups.map((g) => [g.principal.split(":role/")[1], g.action, g.environment, g.count]);

beforeAll(async () => {
  sim = await startAwsSim({ seed: 16, throttle: false });
  const demo = seedAwsDemo(sim);
  ({ workspaceId, connectionId } = await h.connect(demoSpec({ aws: sim } as never, "aws"), "AWS org"));
  actor = { workspaceId, userId: "user_impact_author", role: "author", kind: "user", label: "author@example.test" };
  await h.run(connectionId); // discovery: the accounts become environments
  const accounts = await prisma.node.findMany({ where: { connectionId, isEnvironment: true }, select: { externalId: true, name: true } });
  const member = accounts.filter((a) => a.externalId !== AWS_DEMO.managementAccountId);
  prod = member.find((a) => /prod/i.test(a.name))?.externalId ?? member[0]!.externalId;
  dev = member.find((a) => a.externalId !== prod)!.externalId;
  expect(Object.values(demo.accountIds)).toContain(prod);
  await prisma.connection.update({
    where: { id: connectionId },
    data: { auditSource: { orgTrail: { bucket: BUCKET, regions: ["eu-west-1"] } } },
  });
  await admin("trail", { bucket: BUCKET });
  await admin("events", {
    Records: [
      call(prod, "Developer", "cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }, 90, 1),
      call(prod, "Developer", "cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }, 80, 2),
      call(dev, "ci-deploy", "cloudtrail.amazonaws.com", "DeleteTrail", { name: "dev-trail" }, 70, 3),
      call(prod, "BreakGlassAdmin", "cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }, 60, 4),
      call(prod, "ParapetConnector", "cloudtrail.amazonaws.com", "UpdateTrail", { name: "org-trail" }, 50, 5),
      call(prod, "Developer", "cloudtrail.amazonaws.com", "DescribeTrails", {}, 40, 6),
      // Ten days ago: outside a 7-day window.
      call(prod, "Developer", "cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }, 10 * 24 * 60, 7),
    ],
  });
  await admin("deliver", {});
});

afterAll(async () => {
  await sim?.close();
});

describe("impact replay over an organization trail", () => {
  let guardrailId: string;

  it("groups what enforce would deny; break-glass, the connector, reads and older calls are not denied", async () => {
    const g = await createGuardrail(deps(), actor, {
      controlId: "audit-logging-locked",
      name: "Audit logging stays on",
      params: {},
      scope: { all: true },
      mode: "audit",
      remediation: "auto",
    });
    guardrailId = g.id;
    const { summary: s, request } = await replay(guardrailId);
    expect(request.version).toBe(1);
    expect(groups(s)).toEqual([
      ["Developer", "cloudtrail:StopLogging", expect.any(String), 2],
      ["ci-deploy", "cloudtrail:DeleteTrail", expect.any(String), 1],
    ]);
    expect(s.denied).toBe(3);
    expect(s.deniedPrincipals).toBe(2);
    expect(s.deniedEnvironments).toBe(2);
    expect(s.lockouts).toEqual([]);
    // Every group names the statement that would deny it, and says where with the environment's node id.
    for (const x of s.groups) {
      expect(x.by.length).toBeGreaterThan(0);
      expect(x.environmentId).toBeTruthy();
    }
    // The view the console reads.
    const view = await getImpact(deps(), actor, guardrailId);
    expect(view.reports).toHaveLength(1);
    expect(view.reports[0]).toMatchObject({ status: "done", lockout: false, version: 1 });
  });

  it("an environment exempted from the guardrail drops out of the next replay", async () => {
    const node = await prisma.node.findFirstOrThrow({ where: { connectionId, externalId: dev } });
    await prisma.exemption.create({
      data: {
        workspaceId,
        guardrailId,
        nodeId: node.id,
        reason: "dev trail is rebuilt nightly",
        ownerEmail: "owner@example.test",
        expiresAt: new Date(Date.now() + 7 * 86_400_000),
        status: "active",
      },
    });
    const { summary: s } = await replay(guardrailId);
    expect(groups(s).map((g) => g[1])).toEqual(["cloudtrail:StopLogging"]);
    // The reader was asked for the environments in scope only, so the exempted account's log was not even read.
    expect(s.events).toBeGreaterThan(0);
  });

  it("a principal exempted from the guardrail is spared in the next replay; revoking it brings its calls back", async () => {
    const e = await prisma.exemption.create({
      data: {
        workspaceId,
        guardrailId,
        principalCloud: "aws",
        principal: `arn:aws:iam::${prod}:role/Developer`,
        reason: "the trail migration runbook stops logging once",
        ownerEmail: "owner@example.test",
        expiresAt: new Date(Date.now() + 7 * 86_400_000),
        status: "active",
      },
    });
    const spared = (await replay(guardrailId)).summary;
    expect(groups(spared)).toEqual([]);
    expect(spared.denied).toBe(0);
    // Only this guardrail's artifacts spare it, and only while the exemption is active.
    await prisma.exemption.update({ where: { id: e.id }, data: { status: "revoked" } });
    expect(groups((await replay(guardrailId)).summary)).toEqual([["Developer", "cloudtrail:StopLogging", expect.any(String), 2]]);
  });

  it("a connector class that misses the connector's real role is a lockout, and enforce is refused until a clean replay", async () => {
    // The connection declares another connector role: the compiled deny no longer spares ParapetConnector.
    await prisma.connection.update({
      where: { id: connectionId },
      data: {
        principals: { connector: { roleArnPatterns: ["arn:aws:iam::*:role/parapet-deployer"] } },
        credentialHints: { kind: "assume-role", roleArn: "arn:aws:iam::111111111111:role/ParapetConnector" },
      },
    });
    const { summary: s } = await replay(guardrailId);
    expect(s.lockouts.map((l) => [l.class, l.principal.split(":role/")[1], l.action])).toEqual([
      ["connector", "ParapetConnector", "cloudtrail:UpdateTrail"],
    ]);
    const refused = await updateGuardrail(deps(), actor, guardrailId, { mode: "enforce" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "conflict" });
    expect((refused as Error).message).toMatch(/^mode: enforcing would deny the connector or a break-glass principal on AWS org/);
    // Corrected classes (the credentials name the connector role again): a clean replay lifts the stop.
    await prisma.connection.update({ where: { id: connectionId }, data: { principals: {} } });
    const clean = await replay(guardrailId);
    expect(clean.summary.lockouts).toEqual([]);
    const out = await updateGuardrail(deps(), actor, guardrailId, { mode: "enforce" });
    expect(out.kind).toBe("applied");
  });

  it("a second request while one waits is collapsed into it; another workspace's guardrail is not found", async () => {
    queued.length = 0;
    const a = await requestImpact(deps(), actor, guardrailId, { days: 3 });
    const b = await requestImpact(deps(), actor, guardrailId, { days: 3 });
    expect(queued).toHaveLength(1);
    expect(b.reports).toEqual([{ id: a.reports[0]!.id, connectionId, queued: false }]);
    const other = { ...actor, workspaceId: "ws_someone_else" };
    await expect(requestImpact(deps(), other, guardrailId, {})).rejects.toMatchObject({ code: "not_found" });
    await expect(getImpact(deps(), other, guardrailId)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("impact replay with principal tags from an AWS Config aggregator", () => {
  it("an agent guardrail cannot judge the agent's calls without the role's tags, and denies exactly the agent's with them", async () => {
    await admin("events", {
      Records: [
        call(prod, "agent-runner", "dynamodb.amazonaws.com", "DeleteTable", { tableName: "orders-copy" }, 30, 20),
        call(prod, "Developer", "dynamodb.amazonaws.com", "DeleteTable", { tableName: "scratch" }, 25, 21),
      ],
    });
    await admin("deliver", {});
    const g = await createGuardrail(deps(), actor, {
      controlId: "agent-no-destructive-actions",
      name: "Agents cannot destroy data",
      params: {},
      scope: { all: true },
      mode: "audit",
      remediation: "auto",
    });
    const blind = (await replay(g.id)).summary;
    expect(blind.denied).toBe(0);
    expect(blind.unjudgeable).toBeGreaterThan(0);
    expect(blind.unjudgeableReasons.map((r) => r.reason)).toContain("missing-context");

    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("/_admin/config/aggregator", { name: "org-aggregator" })).status).toBe(200);
    const items = ["agent-runner", "Developer", "ci-deploy", "BreakGlassAdmin", "ParapetConnector"].flatMap((role) =>
      [prod, dev].map((account) => ({
        arn: `arn:aws:iam::${account}:role/${role}`,
        tags: role === "agent-runner" ? { agent: "true" } : {},
      })),
    );
    expect((await post("/_admin/config/items", { items })).status).toBe(200);
    await prisma.connection.update({
      where: { id: connectionId },
      data: {
        auditSource: {
          orgTrail: { bucket: BUCKET, regions: ["eu-west-1"] },
          configAggregator: { name: "org-aggregator", region: "us-east-1" },
        },
      },
    });
    const seen = (await replay(g.id)).summary;
    expect(groups(seen)).toEqual([["agent-runner", "dynamodb:DeleteTable", expect.any(String), 1]]);
    // The Developer's delete is judged too: not an agent, so allowed rather than "cannot judge".
    expect(seen.unjudgeable).toBeLessThan(blind.unjudgeable);
  });
});

describe("a principal exemption in the deployed SCPs", () => {
  it("approved, the reconcile writes the principal into that guardrail's exceptions in the cloud; revoked, it is taken out", async () => {
    const g = await createGuardrail(deps(), actor, {
      controlId: "audit-logging-locked",
      name: "Audit logging stays on (enforced)",
      params: {},
      scope: { all: true },
      mode: "enforce",
      remediation: "auto",
    });
    const arn = `arn:aws:iam::${prod}:role/trail-migrator`;
    const mentions = () =>
      [...sim.state.policies.values()].filter((p) => p.tags.get("parapet:managed") === workspaceId && p.content.includes(arn));
    await h.run(connectionId);
    expect(mentions()).toEqual([]);
    const e = await prisma.exemption.create({
      data: {
        workspaceId,
        guardrailId: g.id,
        principalCloud: "aws",
        principal: arn,
        reason: "migrates the trail once",
        ownerEmail: "owner@example.test",
        expiresAt: new Date(Date.now() + 86_400_000),
        status: "active",
      },
    });
    await h.run(connectionId);
    expect(mentions().length).toBeGreaterThan(0);
    // Only as an exception (ArnNotLike aws:PrincipalARN, beside the connector and break-glass), never as a subject.
    for (const p of mentions()) {
      const doc = JSON.parse(p.content) as { Statement: Array<{ Condition?: { ArnNotLike?: Record<string, string[]> } }> };
      const withArn = doc.Statement.filter((s) => JSON.stringify(s).includes(arn));
      expect(withArn.every((s) => s.Condition?.ArnNotLike?.["aws:PrincipalARN"]?.includes(arn))).toBe(true);
    }
    await prisma.exemption.update({ where: { id: e.id }, data: { status: "revoked" } });
    await h.run(connectionId);
    expect(mentions()).toEqual([]);
  });
});
