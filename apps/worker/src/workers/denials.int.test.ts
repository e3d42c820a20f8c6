/**
 * Denial attribution (issue 17) on the simulators through the real SDKs: a call the cloud refused is
 * appended to the simulator's audit log (its admin API, as the cloud would log it), the denials poll
 * reads the log through the connection's adapter, and the same evaluator as "would have blocked"
 * decides whether an enforcing guardrail's compiled artifact denies that call there. A refusal by the
 * customer's own policy is stored as not Parapet's; a Parapet one becomes a `denial.detected` alert.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { pollDenials } from "@parapet/core/denials/attribute-denials";
import { listDenials } from "@parapet/core/denials/list-denials";
import { requestDenialExemption } from "@parapet/core/denials/request-denial-exemption";
import { decideApproval } from "@parapet/core/approvals/decide-approval";
import { notificationTick, sendDelivery } from "@parapet/core/notifications/deliver";
import { sealChannelSecret } from "@parapet/core/notifications/secrets";
import { createTestUser, uid } from "@parapet/core/testing/db";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";

const h = reconcileHarness();
const { prisma } = h;
let AGENT: string;
let HUMAN: string;
let oci: OciSim;
let workspaceId: string;
let connectionId: string;
let guardrailId: string;
let prod: string;

const deps = () => ({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor });

async function ociAdmin(body: object) {
  const r = await fetch(`${oci.url}/_admin/audit-events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  oci = await startOciSim({ throttle: false });
  prod = oci.seedDemo().compartments["Prod"]!;
  // Agents are the members of the group "Agents" (OCI deny policies name groups); the poll reads the
  // caller's memberships through the adapter, as the impact replay does.
  AGENT = oci.createUser({ name: "agent-bot", groups: ["Agents"] }).userId;
  HUMAN = oci.createUser({ name: "operator", groups: ["Operators"] }).userId;
  ({ workspaceId, connectionId } = await h.connect({ ...ociDemoSpec(oci), principals: { agents: { groups: ["Agents"] } } }, "OCI sim"));
  guardrailId = (await h.guardrail(workspaceId, "agent-no-destructive-actions", { labels: "env=prod" }, "enforce", "auto")).id;
  await h.run(connectionId, "poll");
});

afterAll(async () => {
  await oci?.close();
});

describe("denials on OCI", () => {
  it("attributes an agent's refused bucket deletion in prod to the guardrail; a customer policy's refusal is not Parapet's", async () => {
    await ociAdmin({
      eventName: "DeleteBucket",
      service: "objectstorage",
      compartmentId: prod,
      principalId: AGENT,
      principalName: "agent-bot",
      method: "DELETE",
      path: "/n/acme/b/invoices",
      status: 404,
      message: "Either the bucket does not exist or you are NotAuthorizedOrNotFound",
      resourceId: "/n/acme/b/invoices",
    });
    await ociAdmin({
      eventName: "DeleteBucket",
      service: "objectstorage",
      compartmentId: prod,
      principalId: HUMAN,
      principalName: "operator",
      method: "DELETE",
      path: "/n/acme/b/ledger",
      status: 403,
      message: "NotAuthorized",
      resourceId: "/n/acme/b/ledger",
    });
    const r = await pollDenials(deps(), connectionId);
    expect(r.denied).toBeGreaterThanOrEqual(2);
    const rows = await prisma.denial.findMany({ where: { connectionId } });
    const agent = rows.find((d) => d.principal === AGENT)!;
    expect(agent).toMatchObject({ parapet: true, guardrailId, action: "DeleteBucket", environment: "Prod" });
    expect(agent.statement).toBeTruthy();
    expect(rows.find((d) => d.principal === HUMAN)).toMatchObject({ parapet: false, guardrailId: null });
    // The Denials page's read: by guardrail, and what is not Parapet's.
    const actor = { workspaceId, userId: "u", role: "viewer" as const, kind: "user" as const, label: "v@example.test" };
    const byGuardrail = await listDenials({ prisma }, actor, { limit: 50, guardrailId });
    expect(byGuardrail.items.map((d) => d.principal)).toEqual([AGENT]);
    const notOurs = await listDenials({ prisma }, actor, { limit: 50, parapet: "false" });
    expect(notOurs.items.map((d) => d.principal)).toContain(HUMAN);
    // The alert: one event for the Parapet denial, none for the customer's own.
    const events = await prisma.notificationEvent.findMany({ where: { workspaceId, type: "denial.detected" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.title).toMatch(/agent-bot was denied DeleteBucket in Prod by "agent-no-destructive-actions"/);
    // Read again: nothing is stored or told twice.
    await pollDenials(deps(), connectionId);
    expect(await prisma.denial.count({ where: { connectionId } })).toBe(rows.length);
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "denial.detected" } })).toBe(1);
  });
});

describe("exemption requested from a denial", () => {
  it("goes through the two-person approval, bounded by the workspace maximum, and the outcome is told on the alert's channel", async () => {
    // The channel the denial alert went to: a webhook receiver started here.
    const got: Array<{ type: string; title: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        got.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as { type: string; title: string });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const channelId = uid("nch_");
      await prisma.notificationChannel.create({
        data: {
          id: channelId,
          workspaceId,
          name: "sec hook",
          kind: "webhook",
          config: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
          secretSealed: sealChannelSecret(h.keys, channelId, "whsec_denials_0123456789abcdef"),
        },
      });
      await prisma.notificationRule.create({
        data: { workspaceId, channelId, name: "denials", eventTypes: ["denial.detected"], digestWindowSec: 0 },
      });
      const cfg = { keys: h.keys, baseUrl: "http://127.0.0.1:3999", mailFrom: "p@parapet.test", transport: null };
      const sendDue = async () => {
        const { due } = await notificationTick(prisma);
        for (const d of due) await sendDelivery(prisma, cfg, d.id);
      };
      await sendDue();
      expect(got.map((m) => m.type)).toEqual(["denial.detected"]);

      const requester = await createTestUser(prisma, workspaceId, "author");
      const approver = await createTestUser(prisma, workspaceId, "approver");
      const as = (u: { id: string; email: string }, role: "author" | "approver") => ({
        workspaceId,
        userId: u.id,
        role,
        kind: "user" as const,
        label: u.email,
      });
      const denial = await prisma.denial.findFirstOrThrow({ where: { connectionId, parapet: true } });
      // Longer than the workspace's maximum (30 days by default): refused, naming the field.
      await expect(
        requestDenialExemption({ prisma }, as(requester, "author"), denial.id, {
          reason: "deploy window",
          ownerEmail: requester.email,
          expiresAt: new Date(Date.now() + 45 * 86_400_000).toISOString(),
        }),
      ).rejects.toMatchObject({ code: "validation", issues: [{ field: "expiresAt" }] });
      // A denial that is not Parapet's has nothing to exempt.
      const other = await prisma.denial.findFirstOrThrow({ where: { connectionId, parapet: false } });
      await expect(
        requestDenialExemption({ prisma }, as(requester, "author"), other.id, {
          reason: "x".repeat(5),
          ownerEmail: requester.email,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        }),
      ).rejects.toMatchObject({ code: "conflict" });
      const { exemption, approval } = await requestDenialExemption({ prisma }, as(requester, "author"), denial.id, {
        reason: "the agent's cleanup job must run tonight",
        ownerEmail: requester.email,
        expiresAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      });
      expect(exemption).toMatchObject({ guardrail: { id: guardrailId }, node: { id: denial.nodeId }, status: "pending_approval" });
      // The requester cannot approve it; a second member does.
      const jobs = {
        requestReconcile: () => Promise.resolve(),
        enqueueConnectionTask: () => Promise.resolve(""),
        requestImpact: () => Promise.resolve(),
      };
      await expect(
        decideApproval({ prisma, jobs }, { ...as(requester, "author"), role: "admin" }, approval.id, "approve", undefined),
      ).rejects.toMatchObject({
        code: "forbidden",
      });
      await decideApproval({ prisma, jobs }, as(approver, "approver"), approval.id, "approve", "tonight only");
      await sendDue();
      // Told on the channel that delivered the denial, though no rule sends approvals there.
      expect(got.map((m) => m.type)).toEqual(["denial.detected", "exemption.requested", "approval.decided"]);
      expect(got[2]!.title).toMatch(/^Approved by .*: Exempt Prod from "agent-no-destructive-actions"/);
      expect(await prisma.exemption.findUniqueOrThrow({ where: { id: exemption.id } })).toMatchObject({ status: "active" });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
