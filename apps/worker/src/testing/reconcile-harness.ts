/**
 * What the worker's integration tests share: the test database's Prisma client, a keyring, a Redis
 * connection and reconcile queue on the run's own key prefix, the worker's real provider registry, and
 * connections to the simulators made the way the product makes them (sealed credentials). Call
 * `reconcileHarness()` at the top of a test file: it registers its own setup and teardown.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { startAllSims, type AllSims } from "@parapet/cloud-sim";
import type { OciSim } from "@parapet/cloud-sim/oci/index";
import { AWS_DEMO } from "@parapet/cloud-sim/aws/index";
import { DEMO_APP, type AzureSim } from "@parapet/cloud-sim/azure/index";
import { DEMO_ORG_ID, DEMO_SA_EMAIL, DEMO_SA_TOKEN } from "@parapet/cloud-sim/gcp/index";
import { bullPrefix, parseMasterKey, QUEUES, sealCredentials, type Keyring } from "@parapet/core";
import { createTestWorkspace, testPrisma, testRedisPrefix } from "@parapet/core/testing/db";
import { adapterFor } from "../providers.ts";
import type { ReconcileSummary } from "@parapet/core/reconcile/reconcile-connection";
import { processReconcile, type ReconcileWorkerDeps } from "../workers/reconcile.worker.ts";

export type Cloud = "aws" | "azure" | "gcp" | "oci";

export interface ConnectionSpec {
  cloud: Cloud;
  endpoint: string;
  credentials: unknown;
  facts: object;
  principals?: object;
  limits?: object;
}

/** How Parapet connects to each simulator's demo organisation (the demo stack connects the same way). */
export function demoSpec(sims: AllSims, cloud: Cloud): ConnectionSpec {
  switch (cloud) {
    case "aws":
      return {
        cloud,
        endpoint: sims.aws.url,
        credentials: {
          kind: "assume-role",
          roleArn: AWS_DEMO.role.arn,
          externalId: AWS_DEMO.role.externalId,
          sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
          sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
        },
        facts: { orgId: sims.aws.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
      };
    case "azure":
      return azureDemoSpec(sims.azure);
    case "gcp":
      return { cloud, endpoint: sims.gcp.url, ...gcpDemoCredentials() };
    case "oci":
      return ociDemoSpec(sims.oci);
  }
}

/** The Azure demo tenant's app registration (the simulator's own tenant, root group and CA). */
export function azureDemoSpec(sim: AzureSim): ConnectionSpec {
  return {
    cloud: "azure",
    endpoint: sim.url,
    credentials: {
      kind: "client-secret",
      tenantId: sim.tenantId,
      clientId: DEMO_APP.appId,
      clientSecret: DEMO_APP.secret,
      authorityHost: sim.authorityHost,
      caPem: sim.caPem,
    },
    facts: { tenantId: sim.tenantId, rootManagementGroupId: sim.rootManagementGroupId },
  };
}

/** The OCI demo tenancy's connector (for tests that start the OCI simulator alone, after `seedDemo()`). */
export function ociDemoSpec(sim: OciSim): ConnectionSpec {
  const c = sim.demo!.credentials;
  return {
    cloud: "oci",
    endpoint: sim.url,
    credentials: { tenancyId: c.tenancyId, userId: c.userId, fingerprint: c.fingerprint, privateKeyPem: c.privateKeyPem, region: c.region },
    facts: { tenancyOcid: c.tenancyId },
  };
}

/** The GCP demo organisation's connector (for tests that start the GCP simulator alone). */
export function gcpDemoCredentials(): Omit<ConnectionSpec, "cloud" | "endpoint"> {
  return {
    credentials: { type: "access_token", accessToken: DEMO_SA_TOKEN },
    facts: { organizationId: DEMO_ORG_ID, directoryCustomerId: "C03acme01" },
    principals: { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${DEMO_SA_EMAIL}`] },
  };
}

/** The four simulators with their demo organisations, unthrottled, for the test file (started once). */
export function demoSims(): () => AllSims {
  let sims: AllSims | undefined;
  beforeAll(async () => {
    sims = await startAllSims({ demo: true, throttle: false });
  });
  afterAll(async () => {
    await sims?.close();
  });
  return () => {
    if (!sims) throw new Error("demoSims: used before beforeAll ran");
    return sims;
  };
}

export interface ReconcileHarness {
  prisma: ReturnType<typeof testPrisma>;
  keys: Keyring;
  /** Available once the file's beforeAll hooks ran. */
  deps: () => ReconcileWorkerDeps;
  /** An active connection (credentials sealed as the API seals them), in a new workspace unless one is given. */
  connect: (spec: ConnectionSpec, name?: string, workspaceId?: string) => Promise<{ workspaceId: string; connectionId: string }>;
  /** One reconcile of the connection, as the worker's job would run it. */
  run: (connectionId: string, trigger?: "manual" | "poll") => Promise<ReconcileSummary>;
  /** An active guardrail at version 1 (enforce, remediation auto unless given). */
  guardrail: (
    workspaceId: string,
    controlId: string,
    scope: object,
    mode?: "audit" | "enforce",
    remediation?: "auto" | "notify",
  ) => Promise<{ id: string }>;
  /** A new current version of a guardrail, as an edit through the API makes it (only the mode changed). */
  newVersion: (guardrailId: string, change: { mode: "audit" | "enforce" }) => Promise<void>;
}

/**
 * `privateQueue`: the reconcile queue gets a key prefix of its own (emptied at the end), for a file
 * that inspects the jobs it queued.
 */
export function reconcileHarness(opts: { privateQueue?: boolean } = {}): ReconcileHarness {
  const prisma = testPrisma();
  const current = parseMasterKey("t1", randomBytes(32).toString("base64"));
  const keys: Keyring = { current, all: [current] };
  let redis: Redis | undefined;
  let queue: Queue | undefined;
  let deps: ReconcileWorkerDeps | undefined;

  beforeAll(() => {
    redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
    const prefix = opts.privateQueue ? `${testRedisPrefix()}q-${randomBytes(3).toString("hex")}:` : testRedisPrefix();
    queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(prefix) });
    deps = {
      prisma,
      redis,
      redisPrefix: prefix,
      bullPrefix: bullPrefix(prefix),
      keys,
      adapterFor,
      workerId: "test-worker",
      concurrency: 1,
      reconcileQueue: queue,
    };
  });

  afterAll(async () => {
    if (opts.privateQueue) await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await redis?.quit();
    await prisma.$disconnect();
  });

  const getDeps = () => {
    if (!deps) throw new Error("reconcileHarness: deps() used before beforeAll ran");
    return deps;
  };

  return {
    prisma,
    keys,
    deps: getDeps,
    connect: async (spec, name = spec.cloud, workspaceId) => {
      const ws = workspaceId ? { id: workspaceId } : await createTestWorkspace();
      const conn = await prisma.connection.create({
        data: {
          workspaceId: ws.id,
          cloud: spec.cloud,
          name,
          status: "active",
          endpoint: spec.endpoint,
          facts: spec.facts,
          principals: spec.principals ?? {},
          ...(spec.limits ? { limits: spec.limits } : {}),
        },
      });
      await prisma.connection.update({
        where: { id: conn.id },
        data: { credentialCiphertext: sealCredentials(keys, conn.id, spec.credentials) },
      });
      return { workspaceId: ws.id, connectionId: conn.id };
    },
    run: async (connectionId, trigger = "manual") => (await processReconcile(getDeps(), { connectionId, trigger }))[0]!,
    guardrail: (workspaceId, controlId, scope, mode = "enforce", remediation = "auto") =>
      prisma.guardrail.create({
        data: { workspaceId, controlId, name: controlId, versions: { create: { version: 1, params: {}, scope, mode, remediation } } },
      }),
    newVersion: async (guardrailId, change) => {
      const g = await prisma.guardrail.findUniqueOrThrow({ where: { id: guardrailId }, include: { versions: true } });
      const v = g.versions.find((x) => x.version === g.currentVersion)!;
      const version = g.currentVersion + 1;
      await prisma.guardrailVersion.create({
        data: { guardrailId, version, params: v.params as object, scope: v.scope as object, mode: change.mode, remediation: v.remediation },
      });
      await prisma.guardrail.update({ where: { id: guardrailId }, data: { currentVersion: version } });
    },
  };
}
