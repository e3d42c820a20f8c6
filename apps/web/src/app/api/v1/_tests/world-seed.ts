/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked as they are read */
/**
 * Fills a workspace (one member and API token per role) with one of everything through the API: an
 * AWS connection with a small discovered hierarchy, a guardrail, a pending approval, an exemption, a
 * drift finding and an API token. Free of vitest, so the bad-input benchmark seeds the same world over
 * HTTP that the integration tests seed in-process: `call` is the harness's or an HTTP client's.
 */
import type { PrismaClient } from "@parapet/db";
import { syncHierarchy } from "@parapet/core/connections/sync-hierarchy";
import type { Role } from "@parapet/core";

/** The parts of harness.ts's types the seed needs (not imported: the benchmark compiles this without the web app's aliases). */
interface SeedCallOptions {
  key?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}
interface SeedCallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON, read field by field
  body: any;
  text: string;
}
export type CallFn = (method: "GET" | "POST" | "PATCH" | "DELETE", template: string, o?: SeedCallOptions) => Promise<SeedCallResult>;

export interface SeedMember {
  userId: string;
  memberId: string;
  email: string;
  key: string;
}
/** A workspace with one member per role, each with an API token bound to the workspace and role. */
export interface SeedWorkspace {
  id: string;
  slug: string;
  members: Record<Role, SeedMember>;
  admin2: SeedMember;
}

export interface World extends SeedWorkspace {
  connectionId: string;
  nodes: { root: string; prod: string; dev: string; p1: string; p2: string; d1: string };
  guardrailId: string;
  approvalId: string;
  exemptionId: string;
  driftId: string;
  tokenId: string;
  externalId: string;
  /** A pending invitation and the token of its link. */
  invitationId: string;
  invitationToken: string;
  /** An alert channel (generic webhook) and a rule sending drift to it. */
  channelId: string;
  ruleId: string;
  /** A real call denied by the world's guardrail in p2 (as the denials poll would store it). */
  denialId: string;
}

export const AWS_FACTS = { orgId: "o-abcdefghij", managementAccountId: "111122223333" };

function ok(r: SeedCallResult, status: number, what: string): void {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status}: ${r.text.slice(0, 500)}`);
}

export async function awsCredentialsVia(call: CallFn, key: string) {
  const b = await call("GET", "/connections/bootstrap", { key, query: { cloud: "aws" } });
  ok(b, 200, "bootstrap");
  return { kind: "assume-role", roleArn: "arn:aws:iam::111122223333:role/ParapetConnector", externalId: b.body.externalId as string };
}

export async function populateWorld(prisma: PrismaClient, ws: SeedWorkspace, call: CallFn, name: string): Promise<World> {
  const owner = ws.members.owner.key;
  const credentials = await awsCredentialsVia(call, owner);
  const c = await call("POST", "/connections", { key: owner, body: { cloud: "aws", name: `${name} org`, credentials, facts: AWS_FACTS } });
  ok(c, 201, "create connection");
  const connectionId = c.body.id as string;
  // What discovery would write (the worker does this from the cloud).
  await syncHierarchy(prisma, ws.id, connectionId, {
    rootExternalId: "r-abcd",
    nodes: [
      { externalId: "r-abcd", kind: "root", name: "Root", parentExternalId: null, isEnvironment: false, labels: {} },
      {
        externalId: "ou-abcd-prod0001",
        kind: "ou",
        name: "Prod",
        parentExternalId: "r-abcd",
        isEnvironment: false,
        labels: { env: "prod" },
      },
      { externalId: "ou-abcd-dev00001", kind: "ou", name: "Dev", parentExternalId: "r-abcd", isEnvironment: false, labels: { env: "dev" } },
      {
        externalId: "222233334444",
        kind: "account",
        name: "payments-prod",
        parentExternalId: "ou-abcd-prod0001",
        isEnvironment: true,
        labels: { data: "regulated" },
      },
      {
        externalId: "222233335555",
        kind: "account",
        name: "web-prod",
        parentExternalId: "ou-abcd-prod0001",
        isEnvironment: true,
        labels: {},
      },
      {
        externalId: "222233336666",
        kind: "account",
        name: "sandbox",
        parentExternalId: "ou-abcd-dev00001",
        isEnvironment: true,
        labels: {},
      },
    ],
  });
  await prisma.connection.update({ where: { id: connectionId }, data: { status: "active", lastDiscoveredAt: new Date() } });
  const rows = await prisma.node.findMany({ where: { connectionId }, select: { id: true, externalId: true } });
  const n = (ext: string) => rows.find((r) => r.externalId === ext)!.id;
  const nodes = {
    root: n("r-abcd"),
    prod: n("ou-abcd-prod0001"),
    dev: n("ou-abcd-dev00001"),
    p1: n("222233334444"),
    p2: n("222233335555"),
    d1: n("222233336666"),
  };

  const g = await call("POST", "/guardrails", {
    key: ws.members.author.key,
    body: {
      controlId: "deny-leave-organization",
      name: "No leaving the org",
      params: {},
      scope: { all: true },
      mode: "enforce",
      remediation: "auto",
    },
  });
  ok(g, 201, "create guardrail");
  const guardrailId = g.body.id as string;
  const d = await call("POST", `/guardrails/{id}/disable`, { key: ws.members.author.key, params: { id: guardrailId } });
  ok(d, 202, "request disable");
  const ex = await call("POST", "/exemptions", {
    key: ws.members.author.key,
    body: {
      guardrailId,
      nodeId: nodes.d1,
      reason: "migration in progress",
      ownerEmail: "owner@example.test",
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    },
  });
  ok(ex, 202, "request exemption");
  const drift = await prisma.driftFinding.create({
    data: {
      workspaceId: ws.id,
      connectionId,
      guardrailId,
      nodeId: nodes.p1,
      kind: "detached",
      fingerprint: `detached|aws.scp|p-1|${nodes.p1}`,
      summary: "SCP detached from payments-prod",
    },
  });
  const t = await call("POST", "/tokens", { key: owner, body: { name: "ci", role: "viewer" } });
  ok(t, 201, "create token");
  const inv = await call("POST", "/invitations", {
    key: owner,
    body: { email: `invited-${ws.id.toLowerCase()}@example.test`, role: "author" },
  });
  ok(inv, 201, "invite");
  const invitationToken = new URL(inv.body.inviteUrl as string).searchParams.get("token")!;
  const ch = await call("POST", "/notifications/channels", {
    key: owner,
    body: { name: "ops webhook", kind: "webhook", url: "https://hooks.example.test/parapet" },
  });
  ok(ch, 201, "create channel");
  const rule = await call("POST", "/notifications/rules", {
    key: owner,
    body: { name: "drift to ops", channelId: ch.body.id as string, eventTypes: ["drift.detected"], connectionIds: [connectionId] },
  });
  ok(rule, 201, "create rule");
  const denial = await prisma.denial.create({
    data: {
      workspaceId: ws.id,
      connectionId,
      cloud: "aws",
      eventId: `evt-${ws.id}`,
      time: new Date(),
      principal: "arn:aws:iam::222233335555:role/agent",
      action: "organizations:LeaveOrganization",
      resource: "",
      nodeId: nodes.p2,
      environment: "web-prod",
      parapet: true,
      guardrailId,
      guardrailName: "No leaving the org",
      statement: "DenyLeaveOrganization",
    },
  });
  return {
    ...ws,
    connectionId,
    nodes,
    guardrailId,
    approvalId: d.body.approval.id as string,
    exemptionId: ex.body.exemption.id as string,
    driftId: drift.id,
    tokenId: t.body.id as string,
    externalId: credentials.externalId,
    invitationId: inv.body.id as string,
    invitationToken,
    channelId: ch.body.id as string,
    ruleId: rule.body.id as string,
    denialId: denial.id,
  };
}
