/**
 * Every cloud end to end through the worker's provider registry: a guardrail is enforced, a second
 * reconcile makes zero writes, and an out-of-band change is detected and repaired.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startAllSims, type AllSims } from "@parapet/cloud-sim";
import { AWS_DEMO } from "@parapet/cloud-sim/aws/index";
import { DEMO_APP } from "@parapet/cloud-sim/azure/index";
import { DEMO_ORG_ID, DEMO_SA_EMAIL, DEMO_SA_TOKEN } from "@parapet/cloud-sim/gcp/index";
import { bullPrefix, parseMasterKey, QUEUES, sealCredentials, type Keyring } from "@parapet/core";
import { BASELINE_CONTROLS } from "@parapet/core/catalog/baseline";
import { createTestWorkspace, testPrisma } from "@parapet/core/testing/db";
import { adapterFor } from "../providers.ts";
import { processReconcile, type ReconcileWorkerDeps } from "./reconcile.worker.ts";

const prisma = testPrisma();
const current = parseMasterKey("t1", randomBytes(32).toString("base64"));
const keys: Keyring = { current, all: [current] };
let sims: AllSims;
let redis: Redis;
let queue: Queue;
let deps: ReconcileWorkerDeps;

beforeAll(async () => {
  sims = await startAllSims({ demo: true, throttle: false });
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const prefix = inject("redisPrefix");
  queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(prefix) });
  deps = { prisma, redis, redisPrefix: prefix, bullPrefix: bullPrefix(prefix), keys, adapterFor, workerId: "test-worker", concurrency: 1, reconcileQueue: queue };
});

afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await sims?.close();
  await prisma.$disconnect();
});

async function connect(cloud: "aws" | "azure" | "gcp" | "oci", endpoint: string, credentials: unknown, facts: object, principals: object = {}) {
  const ws = await createTestWorkspace();
  const conn = await prisma.connection.create({ data: { workspaceId: ws.id, cloud, name: cloud, status: "active", endpoint, facts, principals } });
  await prisma.connection.update({ where: { id: conn.id }, data: { credentialCiphertext: sealCredentials(keys, conn.id, credentials) } });
  return { workspaceId: ws.id, connectionId: conn.id };
}

async function guardrail(workspaceId: string, controlId: string, scope: object) {
  await prisma.guardrail.create({ data: { workspaceId, controlId, name: controlId, versions: { create: { version: 1, params: {}, scope, mode: "enforce", remediation: "auto" } } } });
}

const run = async (connectionId: string) => (await processReconcile(deps, { connectionId, trigger: "manual" }))[0]!;

describe.each(["azure", "gcp"] as const)("reconcile on %s", (cloud) => {
  let ctx: { workspaceId: string; connectionId: string };
  beforeAll(async () => {
    if (cloud === "azure") {
      ctx = await connect(
        "azure",
        sims.azure.url,
        { kind: "client-secret", tenantId: sims.azure.tenantId, clientId: DEMO_APP.appId, clientSecret: DEMO_APP.secret, authorityHost: sims.azure.authorityHost, caPem: sims.azure.caPem },
        { tenantId: sims.azure.tenantId, rootManagementGroupId: sims.azure.rootManagementGroupId },
      );
    } else {
      ctx = await connect(
        "gcp",
        sims.gcp.url,
        { type: "access_token", accessToken: DEMO_SA_TOKEN },
        { organizationId: DEMO_ORG_ID, directoryCustomerId: "C03acme01" },
        { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${DEMO_SA_EMAIL}`] },
      );
    }
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
    const ctx = await connect(
      "aws",
      sims.aws.url,
      { kind: "assume-role", roleArn: AWS_DEMO.role.arn, externalId: AWS_DEMO.role.externalId, sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId, sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey },
      { orgId: sims.aws.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
    );
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
    let ctx: { workspaceId: string; connectionId: string };
    if (cloud === "aws") {
      ctx = await connect(
        "aws",
        sims.aws.url,
        { kind: "assume-role", roleArn: AWS_DEMO.role.arn, externalId: AWS_DEMO.role.externalId, sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId, sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey },
        { orgId: sims.aws.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
      );
    } else if (cloud === "azure") {
      ctx = await connect(
        "azure",
        sims.azure.url,
        { kind: "client-secret", tenantId: sims.azure.tenantId, clientId: DEMO_APP.appId, clientSecret: DEMO_APP.secret, authorityHost: sims.azure.authorityHost, caPem: sims.azure.caPem },
        { tenantId: sims.azure.tenantId, rootManagementGroupId: sims.azure.rootManagementGroupId },
      );
    } else if (cloud === "gcp") {
      ctx = await connect(
        "gcp",
        sims.gcp.url,
        { type: "access_token", accessToken: DEMO_SA_TOKEN },
        { organizationId: DEMO_ORG_ID, directoryCustomerId: "C03acme01" },
        { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${DEMO_SA_EMAIL}`] },
      );
    } else {
      const c = sims.oci.demo!.credentials;
      ctx = await connect("oci", sims.oci.url, { tenancyId: c.tenancyId, userId: c.userId, fingerprint: c.fingerprint, privateKeyPem: c.privateKeyPem, region: c.region }, { tenancyOcid: c.tenancyId });
    }
    const ids: string[] = [];
    for (const controlId of BASELINE_CONTROLS) {
      const g = await prisma.guardrail.create({ data: { workspaceId: ctx.workspaceId, controlId, name: controlId, versions: { create: { version: 1, params: {}, scope: { all: true }, mode: "audit", remediation: "auto" } } } });
      ids.push(g.id);
    }
    const audit = await run(ctx.connectionId);
    expect(audit.error).toBeUndefined();
    expect(audit.status).not.toBe("failed");
    for (const guardrailId of ids) {
      await prisma.guardrailVersion.create({ data: { guardrailId, version: 2, params: {}, scope: { all: true }, mode: "enforce", remediation: "auto" } });
      await prisma.guardrail.update({ where: { id: guardrailId }, data: { currentVersion: 2 } });
    }
    const enforce = await run(ctx.connectionId);
    expect(enforce.error).toBeUndefined();
    expect(enforce.status).not.toBe("failed");
    expect(enforce.failed).toBe(0);
    const cells = () => prisma.coverageRow.findMany({ where: { connectionId: ctx.connectionId }, select: { id: true, status: true, updatedAt: true }, orderBy: { id: "asc" } });
    const before = await cells();
    expect(before.length).toBeGreaterThan(0);
    const again = await run(ctx.connectionId);
    expect(again.calls.writes).toBe(0);
    expect(again.plan?.changes).toEqual([]);
    // Steady state writes nothing to the database's coverage either: the same rows, untouched.
    expect(await cells()).toEqual(before);
  });
});
