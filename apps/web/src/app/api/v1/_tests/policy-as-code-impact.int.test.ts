/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 20's `plan --impact`: the file's version of each added or changed guardrail, never saved, is
 * replayed over each connection's audit log (issue 16's evaluators) by the worker, and the plan shows what
 * it would have denied. Real parts end to end: the CLI against the web app's route handlers over HTTP,
 * the web's own queue producer, the worker's real discovery-queue worker (BullMQ on this run's Redis
 * prefix) with its provider registry, and the AWS simulator's organization trail read through the real
 * SDK. The plan writes nothing: no impact report, no audit entry, no row of the workspace.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { getPrisma } from "@parapet/db";
import { bullPrefix, parseMasterKey, sealCredentials, type Keyring } from "@parapet/core";
import { testRedisPrefix } from "@parapet/core/testing/db";
import type { TPlanImpact } from "@parapet/core/code/code.schema";
import type { AdapterFactory } from "@parapet/core/reconcile/reconcile-connection";
// The worker's own composition (tests may share the apps' harnesses): the discovery-queue worker that
// answers `impact.preview`, and (below) its provider registry; and the AWS simulator, which the web app
// does not depend on (so by path).
import { createConnectionWorker, processConnectionTask } from "../../../../../../worker/src/workers/connections.worker.ts";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsSim } from "../../../../../../../packages/cloud-sim/src/aws/index.ts";
import { call, createWorkspace, MASTER_KEY, snapshot, type TestWorkspace } from "./harness.ts";
import { cliAgainst, serveApi } from "./cli-server.ts";

const prisma = getPrisma();
const BUCKET = "acme-org-trail";
const dir = mkdtempSync(join(tmpdir(), "parapet-pac-impact-"));
let w: TestWorkspace;
let sim: AwsSim;
let server: Awaited<ReturnType<typeof serveApi>>;
let redis: Redis;
let worker: Worker;
let connectionId: string;
let planToken = "";
let trailGuardrail = "";
let prod = "";
let dev = "";
const keys: Keyring = (() => {
  const current = parseMasterKey("test-k1", MASTER_KEY);
  return { current, all: [current] };
})();
/**
 * The worker's provider registry, imported at run time: type-checked with the worker (its cloud SDKs are
 * not the web app's), so the web's type check does not compile the providers with the web's DOM types.
 */
let adapterFor: AdapterFactory;
const workerDeps = () => ({ prisma, keys, adapterFor, workerId: "pac-impact-test", bullPrefix: bullPrefix(testRedisPrefix()) });

/** A management event as an organization trail logs it in a member account (as impact.int.test.ts). */
function trailCall(account: string, role: string, name: string, minutesAgo: number, n: number) {
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
    eventSource: "cloudtrail.amazonaws.com",
    eventName: name,
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.9",
    userAgent: "aws-cli/2.17.0",
    requestParameters: name === "DescribeTrails" ? {} : { name: "org-trail" },
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `eeeeeeee-0000-4000-8000-${String(n).padStart(12, "0")}`,
    readOnly: name === "DescribeTrails",
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
}

const plan = (argv: string[]) => cliAgainst(server.url, planToken, ["plan", ...argv]);
const file = (name: string, doc: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
};
/** Everything a plan could have written: the workspace's rows and audit log, and any impact report. */
const state = async () => ({
  workspace: await snapshot(prisma, w.id),
  reports: await prisma.impactReport.count({ where: { workspaceId: w.id } }),
  audit: await prisma.auditEvent.count({ where: { workspaceId: w.id } }),
});

beforeAll(async () => {
  const registry = join(import.meta.dirname, "..", "..", "..", "..", "..", "..", "worker", "src", "providers.ts");
  ({ adapterFor } = (await import(/* @vite-ignore */ registry)) as { adapterFor: AdapterFactory });
  sim = await startAwsSim({ seed: 20, throttle: false });
  seedAwsDemo(sim);
  // The worker's outbound policy (read on its first adapter) lets this run's simulator port through too.
  process.env.PARAPET_ENDPOINT_ALLOWLIST = `${process.env.PARAPET_ENDPOINT_ALLOWLIST ?? ""},${new URL(sim.url).host}`;
  w = await createWorkspace(prisma, "Policy as code impact");
  const conn = await prisma.connection.create({
    data: {
      workspaceId: w.id,
      cloud: "aws",
      name: "AWS org",
      status: "active",
      endpoint: sim.url,
      facts: { orgId: sim.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
      principals: {},
      auditSource: { orgTrail: { bucket: BUCKET, regions: ["eu-west-1"] } },
    },
  });
  connectionId = conn.id;
  const credentials = {
    kind: "assume-role",
    roleArn: AWS_DEMO.role.arn,
    externalId: AWS_DEMO.role.externalId,
    sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
    sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
  };
  await prisma.connection.update({ where: { id: conn.id }, data: { credentialCiphertext: sealCredentials(keys, conn.id, credentials) } });
  // Discovery, as the worker's job runs it: the accounts become environments.
  await processConnectionTask(workerDeps(), { connectionId, task: "discover" });
  const accounts = await prisma.node.findMany({ where: { connectionId, isEnvironment: true }, select: { externalId: true, name: true } });
  const member = accounts.filter((a) => a.externalId !== AWS_DEMO.managementAccountId);
  prod = member.find((a) => /prod/i.test(a.name))?.externalId ?? member[0]!.externalId;
  dev = member.find((a) => a.externalId !== prod)!.externalId;
  await admin("trail", { bucket: BUCKET });
  await admin("events", {
    Records: [
      trailCall(prod, "Developer", "StopLogging", 90, 1),
      trailCall(prod, "Developer", "StopLogging", 80, 2),
      trailCall(dev, "ci-deploy", "DeleteTrail", 70, 3),
      trailCall(prod, "Developer", "DescribeTrails", 40, 4),
      // Ten days ago: outside a 7-day window.
      trailCall(prod, "Developer", "StopLogging", 10 * 24 * 60, 5),
      // Reads enough to pass the smallest event cap (100).
      ...Array.from({ length: 120 }, (_, i) => trailCall(dev, "ci-deploy", "DescribeTrails", 30, 100 + i)),
    ],
  });
  await admin("deliver", {});

  const t = await call("POST", "/tokens", {
    key: w.members.admin.key,
    body: { name: "ci plan", role: "author", scope: "plan", type: "ci", expiresInDays: 30 },
  });
  if (t.status !== 201) throw new Error(t.text);
  planToken = t.body.token;
  const g = await call("POST", "/guardrails", {
    key: w.members.owner.key,
    body: { controlId: "deny-root-user", name: "No root", params: {}, scope: { all: true }, mode: "enforce", remediation: "notify" },
  });
  if (g.status !== 201) throw new Error(g.text);
  const trail = await call("POST", "/guardrails", {
    key: w.members.owner.key,
    body: {
      controlId: "audit-logging-locked",
      name: "Audit logging stays on",
      params: {},
      scope: { all: true },
      mode: "audit",
      remediation: "notify",
    },
  });
  if (trail.status !== 201) throw new Error(trail.text);
  trailGuardrail = trail.body.id;
  // The Developer role is exempted from it (approved by a second member): its calls are spared.
  const ex = await call("POST", "/exemptions", {
    key: w.members.author.key,
    body: {
      guardrailId: trailGuardrail,
      principal: { cloud: "aws", id: `arn:aws:iam::${prod}:role/Developer` },
      reason: "the trail migration runbook stops logging once",
      ownerEmail: "owner@example.test",
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
  });
  if (ex.status !== 202) throw new Error(ex.text);
  const ok = await call("POST", "/approvals/{id}/approve", { key: w.members.approver.key, params: { id: ex.body.approval.id }, body: {} });
  if (ok.status !== 200) throw new Error(ok.text);

  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  worker = createConnectionWorker(workerDeps(), redis);
  server = await serveApi();
}, 180_000);

afterAll(async () => {
  await server?.close();
  await worker?.close();
  await redis?.quit();
  await sim?.close();
  await prisma.$disconnect();
});

/** The workspace as exported, with `change` applied to the trail guardrail and `extra` guardrails added. */
async function documentWith(change: Record<string, unknown>, extra: Record<string, unknown>[] = []) {
  const exp = await call("GET", "/code/export", { key: planToken });
  expect(exp.status, exp.text).toBe(200);
  const doc = exp.body.document;
  doc.guardrails = doc.guardrails.map((g: { key: string }) => (g.key === trailGuardrail ? { ...g, ...change } : g));
  doc.guardrails.push(...extra);
  return doc;
}

const impactOf = (p: { entries: { key: string; impact?: TPlanImpact[] }[] }, key: string) => p.entries.find((e) => e.key === key)!.impact;

describe("plan --impact previews the file's version on each connection's audit log", () => {
  it("a proposed new guardrail: the calls it would have denied, by principal and action, and nothing is written", async () => {
    const before = await state();
    const doc = await documentWith({}, [
      {
        key: "trail-locked-dev",
        control: "audit-logging-locked",
        name: "Audit logging stays on (everywhere)",
        mode: "enforce",
        remediation: "notify",
        scope: { all: true },
      },
    ]);
    const r = await plan([file("new.json", doc), "--format", "json", "--no-compiled", "--impact"]);
    expect(r.code, r.err).toBe(3);
    const p = JSON.parse(r.out);
    const [x, ...rest] = impactOf(p, "trail-locked-dev")!;
    if (!x) throw new Error("no preview for trail-locked-dev");
    expect(rest).toEqual([]);
    expect(x).toMatchObject({
      connectionId,
      connection: "AWS org",
      cloud: "aws",
      status: "done",
      truncated: null,
      denied: 3,
      deniedPrincipals: 2,
      lockout: false,
      exemptionsInForce: 0,
      sparedByExemptions: 0,
    });
    expect(x.topActions).toEqual([
      { action: "cloudtrail:StopLogging", count: 2 },
      { action: "cloudtrail:DeleteTrail", count: 1 },
    ]);
    expect(x.topPrincipals.map((t: { principal: string }) => t.principal.split(":role/")[1])).toEqual(["Developer", "ci-deploy"]);
    expect(p.impact).toMatchObject({ maxEvents: 20000, maxConnections: 10, budgetSeconds: 30, connections: 1, truncated: false });
    // The unchanged guardrails are not replayed.
    expect(impactOf(p, trailGuardrail)).toBeUndefined();
    // Nothing written: no impact report, no audit entry, no row of the workspace.
    expect(await state()).toEqual(before);

    const md = await plan([file("new.json", doc), "--format", "markdown", "--no-compiled", "--impact"]);
    expect(md.out).toContain("#### Would have blocked (this file's version");
    expect(md.out).toMatch(
      /- `trail-locked-dev` on AWS org \(aws\): 3 of \d+ calls would have been denied, 2 principals; top actions: cloudtrail:StopLogging ×2/,
    );
    const human = await plan([file("new.json", doc), "--no-compiled", "--impact"]);
    expect(human.out).toMatch(/would have blocked on AWS org \(aws\): 3 of \d+ calls would have been denied/);
  });

  it("a changed guardrail: exemptions in force apply, and the plan says what they spared", async () => {
    const before = await state();
    const r = await plan([file("enforce.json", await documentWith({ mode: "enforce" })), "--format", "json", "--no-compiled", "--impact"]);
    expect(r.code, r.err).toBe(3);
    const [x] = impactOf(JSON.parse(r.out), trailGuardrail)!;
    if (!x) throw new Error("no preview");
    // Developer's two StopLogging calls are spared by its exemption; ci-deploy's DeleteTrail is not.
    expect(x).toMatchObject({ status: "done", denied: 1, deniedPrincipals: 1, exemptionsInForce: 1, sparedByExemptions: 2 });
    expect(x.topActions).toEqual([{ action: "cloudtrail:DeleteTrail", count: 1 }]);
    expect(await state()).toEqual(before);
  });

  it("a scope that leaves the connection out is not replayed there", async () => {
    const r = await plan([
      file("none.json", await documentWith({ mode: "enforce", scope: { labels: "env=nowhere" } })),
      "--format",
      "json",
      "--no-compiled",
      "--impact",
    ]);
    const p = JSON.parse(r.out);
    expect(impactOf(p, trailGuardrail)).toEqual([]);
    expect(p.impact.connections).toBe(0);
  });

  it("bounded: the event cap stops reading and the plan says it was truncated", async () => {
    const doc = await documentWith({ mode: "enforce" });
    const r = await plan([file("cap.json", doc), "--format", "json", "--no-compiled", "--impact", "--impact-max-events", "100"]);
    const p = JSON.parse(r.out);
    const [x] = impactOf(p, trailGuardrail)!;
    if (!x) throw new Error("no preview");
    expect(x).toMatchObject({ status: "done", events: 100, truncated: "events" });
    expect(p.impact).toMatchObject({ maxEvents: 100, truncated: true });
    const human = await plan([file("cap.json", doc), "--no-compiled", "--impact", "--impact-max-events", "100"]);
    expect(human.out).toContain("truncated at the event cap (100 events read)");
    expect(human.out).toMatch(/Impact preview: .*TRUNCATED/);
  });

  it("no worker answering within the time budget: each connection says timeout, the plan says truncated", async () => {
    await worker.pause();
    try {
      const before = await state();
      const started = Date.now();
      const r = await plan([
        file("wait.json", await documentWith({ mode: "enforce" })),
        "--format",
        "json",
        "--no-compiled",
        "--impact",
        "--impact-budget",
        "5",
      ]);
      expect(Date.now() - started).toBeLessThan(15_000);
      const p = JSON.parse(r.out);
      expect(impactOf(p, trailGuardrail)![0]).toMatchObject({ status: "timeout", error: "no answer within the plan's 5 s budget" });
      expect(p.impact.truncated).toBe(true);
      expect(await state()).toEqual(before);
    } finally {
      void worker.resume();
    }
  });

  it("a role that cannot request a replay cannot preview one either (403), even with a plan token", async () => {
    const v = await call("POST", "/tokens", {
      key: w.members.admin.key,
      body: { name: "viewer plan", role: "viewer", scope: "plan", type: "ci", expiresInDays: 30 },
    });
    expect(v.status, v.text).toBe(201);
    const before = await state();
    const doc = file("viewer.json", await documentWith({ mode: "enforce" }));
    const denied = await cliAgainst(server.url, v.body.token, ["plan", doc, "--impact"]);
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/403 impact: previewing what would have been blocked needs the guardrail write permission/);
    // The plan itself stays open to the role.
    expect((await cliAgainst(server.url, v.body.token, ["plan", doc])).code).toBe(3);
    expect(await state()).toEqual(before);
  });

  it("refuses bounds past their limits, naming the field, before reading anything", async () => {
    const doc = await documentWith({});
    for (const [limits, field] of [
      [{ days: 0 }, "impactLimits.days"],
      [{ days: 31 }, "impactLimits.days"],
      [{ maxEvents: 100_001 }, "impactLimits.maxEvents"],
      [{ maxConnections: 0 }, "impactLimits.maxConnections"],
      [{ budgetSeconds: 600 }, "impactLimits.budgetSeconds"],
      [{ budgetSeconds: 5.5 }, "impactLimits.budgetSeconds"],
      [{ window: 3 }, "impactLimits"],
    ] as const) {
      const res = await call("POST", "/code/plan", { key: planToken, body: { document: doc, impact: true, impactLimits: limits } });
      expect(res.status, `${JSON.stringify(limits)}: ${res.text}`).toBe(422);
      expect(res.body.error.message.startsWith(field), res.body.error.message).toBe(true);
    }
  });
});
