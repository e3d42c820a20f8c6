/**
 * Demo mode's clouds: the four simulators (state under .data/sims), and one connection per cloud in
 * the demo workspace pointing at them, with credentials sealed like a real connection's and each
 * simulator's audit events posted (HMAC-signed) to Parapet's event endpoint. Idempotent: a restart
 * re-points the connections at the simulators' current addresses and re-seals their credentials.
 */
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import { startAllSims, type AllSims } from "@parapet/cloud-sim";
import { AWS_DEMO } from "@parapet/cloud-sim/aws/index";
import { DEMO_APP } from "@parapet/cloud-sim/azure/index";
import { DEMO_ORG_ID, DEMO_SA_EMAIL, DEMO_SA_TOKEN } from "@parapet/cloud-sim/gcp/index";
import { appendAudit, openEventSecret, sealCredentials, sealEventSecret, type Keyring } from "@parapet/core";

export type DemoCloud = "aws" | "azure" | "gcp" | "oci";

interface DemoConnection {
  cloud: DemoCloud;
  name: string;
  endpoint: string;
  credentials: unknown;
  facts: Record<string, string>;
  principals: Record<string, string[]>;
  hints: Record<string, string>;
}

function demoConnections(sims: AllSims): DemoConnection[] {
  const oci = sims.oci.demo?.credentials;
  const out: DemoConnection[] = [
    {
      cloud: "aws",
      name: "Acme AWS Organization",
      endpoint: sims.aws.url,
      credentials: {
        kind: "assume-role",
        roleArn: AWS_DEMO.role.arn,
        externalId: AWS_DEMO.role.externalId,
        sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
        sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
      },
      facts: { orgId: sims.aws.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
      principals: {},
      hints: { roleArn: AWS_DEMO.role.arn },
    },
    {
      cloud: "azure",
      name: "Acme Azure tenant",
      endpoint: sims.azure.url,
      credentials: {
        kind: "client-secret",
        tenantId: sims.azure.tenantId,
        clientId: DEMO_APP.appId,
        clientSecret: DEMO_APP.secret,
        authorityHost: sims.azure.authorityHost,
        caPem: sims.azure.caPem,
      },
      facts: { tenantId: sims.azure.tenantId, rootManagementGroupId: sims.azure.rootManagementGroupId },
      principals: {},
      hints: { tenantId: sims.azure.tenantId, clientId: DEMO_APP.appId },
    },
    {
      cloud: "gcp",
      name: "Acme GCP organization",
      endpoint: sims.gcp.url,
      credentials: { type: "access_token", accessToken: DEMO_SA_TOKEN },
      facts: { organizationId: DEMO_ORG_ID, directoryCustomerId: "C03acme01" },
      principals: { connector: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${DEMO_SA_EMAIL}`] },
      hints: { serviceAccount: DEMO_SA_EMAIL },
    },
  ];
  if (oci) {
    out.push({
      cloud: "oci",
      name: "Acme OCI tenancy",
      endpoint: sims.oci.url,
      credentials: {
        tenancyId: oci.tenancyId,
        userId: oci.userId,
        fingerprint: oci.fingerprint,
        privateKeyPem: oci.privateKeyPem,
        region: oci.region,
      },
      facts: { tenancyOcid: oci.tenancyId },
      principals: {},
      hints: { tenancyId: oci.tenancyId, userId: oci.userId },
    });
  }
  return out;
}

export async function startDemoClouds(opts: {
  prisma: PrismaClient;
  keys: Keyring;
  workspaceId: string;
  ownerId: string;
  baseUrl: string;
  persistDir: string;
  ports?: Partial<Record<DemoCloud, number>>;
  clouds: readonly DemoCloud[];
}): Promise<{ sims: AllSims; connections: Record<string, string> }> {
  const sims = await startAllSims({ demo: true, persistDir: opts.persistDir, ...(opts.ports ? { ports: opts.ports } : {}) });
  const { prisma, keys } = opts;
  const ids: Record<string, string> = {};
  for (const c of demoConnections(sims).filter((x) => opts.clouds.includes(x.cloud))) {
    let conn = await prisma.connection.findFirst({ where: { workspaceId: opts.workspaceId, cloud: c.cloud, name: c.name } });
    const created = !conn;
    conn ??= await prisma.connection.create({
      data: {
        workspaceId: opts.workspaceId,
        cloud: c.cloud,
        name: c.name,
        status: "active",
        facts: c.facts,
        principals: c.principals,
        credentialHints: c.hints,
        createdById: opts.ownerId,
      },
    });
    const secret = conn.eventSecretCiphertext
      ? openEventSecret(keys, conn.id, conn.eventSecretCiphertext)
      : randomBytes(24).toString("base64url");
    await prisma.connection.update({
      where: { id: conn.id },
      data: {
        endpoint: c.endpoint,
        rootId: conn.rootId,
        facts: c.facts,
        credentialCiphertext: sealCredentials(keys, conn.id, c.credentials),
        credentialKeyId: keys.current.id,
        eventSecretCiphertext: sealEventSecret(keys, conn.id, secret),
        pollIntervalSec: 60,
      },
    });
    const webhook = { url: `${opts.baseUrl}/api/v1/events/${c.cloud}/${conn.id}`, secret };
    if (c.cloud === "aws") sims.aws.configure({ webhook });
    if (c.cloud === "azure") sims.azure.configure({ webhook });
    if (c.cloud === "gcp") sims.gcp.configure({ webhook });
    if (c.cloud === "oci") sims.oci.configure({ webhook });
    if (created) {
      await appendAudit(prisma, {
        workspaceId: opts.workspaceId,
        actorType: "system",
        actorLabel: "demo setup",
        action: "connection.created",
        targetType: "connection",
        targetId: conn.id,
        data: { cloud: c.cloud, name: c.name },
      });
    }
    ids[c.cloud] = conn.id;
  }
  return { sims, connections: ids };
}

/** One guardrail already in place so a new user sees coverage and drift from the first minute. */
export async function seedDemoGuardrails(prisma: PrismaClient, workspaceId: string, ownerId: string): Promise<void> {
  if (await prisma.guardrail.count({ where: { workspaceId } })) return;
  const g = await prisma.guardrail.create({
    data: {
      workspaceId,
      controlId: "audit-logging-locked",
      name: "Audit logging cannot be turned off",
      description: "CloudTrail, Config, activity logs and sinks stay on everywhere.",
      createdById: ownerId,
      versions: {
        create: {
          version: 1,
          params: {},
          scope: { all: true },
          mode: "enforce",
          remediation: "auto",
          createdById: ownerId,
          note: "demo baseline",
        },
      },
    },
  });
  await appendAudit(prisma, {
    workspaceId,
    actorType: "system",
    actorLabel: "demo setup",
    action: "guardrail.created",
    targetType: "guardrail",
    targetId: g.id,
    data: { controlId: g.controlId },
  });
}
