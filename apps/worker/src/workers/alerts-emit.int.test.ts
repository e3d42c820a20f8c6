/**
 * Alerts emitted where things happen (issue 17): a real reconcile against the OCI simulator (real OCI
 * SDK) finds drift and repairs it, an exemption is requested and approved by a second member, time
 * passes for exemptions and coverage — each leaves alert events behind (rows in the reconcile's own
 * writes, no network call in the engine), and the notifications worker delivers them to a webhook
 * receiver started here, signed like inbound events.
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { startOciSim, type OciSim } from "@parapet/cloud-sim/oci/index";
import { QUEUES, scheduleJob } from "@parapet/core";
import { decideApproval } from "@parapet/core/approvals/decide-approval";
import { requestExemption } from "@parapet/core/exemptions/request-exemption";
import { sealChannelSecret } from "@parapet/core/notifications/secrets";
import { scanNotifications } from "@parapet/core/notifications/scan";
import { createTestUser, uid } from "@parapet/core/testing/db";
import { EgressGuard, parseEgressAllowlist } from "@parapet/providers/egress/index";
import { ociDemoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { createNotificationsWorker } from "./notifications.worker.ts";

const h = reconcileHarness({ privateQueue: true });
const { prisma } = h;
const SECRET = "whsec_emit_0123456789abcdef0123456789";
let sim: OciSim;
let workspaceId: string;
let connectionId: string;
let prodId: string;
let guardrailId: string;
let server: Server;
const got: Array<{
  type: string;
  title: string;
  count: number;
  events: Array<{ type: string; labels: Record<string, string>; dedupKey: string }>;
}> = [];
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  sim = await startOciSim({ throttle: false });
  prodId = sim.seedDemo().compartments["Prod"]!;
  ({ workspaceId, connectionId } = await h.connect(ociDemoSpec(sim), "OCI sim"));
  guardrailId = (await h.guardrail(workspaceId, "agent-no-destructive-actions", { labels: "env=prod" }, "enforce", "notify")).id;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const ts = String(req.headers["x-parapet-timestamp"]);
      const ok = req.headers["x-parapet-signature"] === `sha256=${createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex")}`;
      // A receiver that checks the signature refuses anything else (and the test would time out).
      if (ok) got.push(JSON.parse(body) as (typeof got)[number]);
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const channelId = uid("nch_");
  await prisma.notificationChannel.create({
    data: {
      id: channelId,
      workspaceId,
      name: "ops hook",
      kind: "webhook",
      config: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
      secretSealed: sealChannelSecret(h.keys, channelId, SECRET),
    },
  });
  await prisma.notificationRule.create({
    data: {
      workspaceId,
      channelId,
      name: "everything",
      eventTypes: [
        "drift.detected",
        "drift.left_open",
        "drift.repaired",
        "approval.requested",
        "approval.decided",
        "exemption.requested",
        "exemption.expiring",
        "exemption.expired",
        "coverage.below_threshold",
      ],
      digestWindowSec: 0,
    },
  });
  const { redis, bullPrefix: prefix } = h.deps();
  const worker = createNotificationsWorker({
    prisma,
    connection: redis,
    prefix,
    config: { mailFrom: "Parapet <a@parapet.test>", baseUrl: "http://127.0.0.1:3999", secret: "x".repeat(40) },
    alerts: {
      keys: h.keys,
      dispatcher: new EgressGuard({ allowlist: parseEgressAllowlist("127.0.0.1"), anyPublicHost: true }).dispatcher(),
    },
  });
  const queue = new Queue(QUEUES.notifications, { connection: redis, prefix });
  await scheduleJob(queue, "notifications.tick", {}, { every: 200 });
  closers.push(
    () => worker.close(),
    async () => {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    },
  );
});

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await sim?.close();
});

async function until<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const received = (type: string) => got.filter((m) => m.type === type);
const ownedPolicies = () => sim.store.listPolicies({ compartmentId: prodId }).filter((p) => p.name.startsWith("parapet-"));

describe("alerts from where things happen", () => {
  it("drift found by a reconcile is told (detected, left open in notify mode), then its repair", async () => {
    await h.run(connectionId, "poll");
    sim.human.deletePolicy(ownedPolicies()[0]!.id);
    const seen = await h.run(connectionId, "poll");
    expect(seen.driftOpened).toBe(1);
    const finding = await prisma.driftFinding.findFirstOrThrow({ where: { connectionId, status: "open" } });
    const [detected] = await until("drift.detected", () => received("drift.detected").length >= 1 && received("drift.detected"));
    expect(detected!.title).toMatch(/^Drift detected in Prod: /);
    expect(detected!.events[0]).toMatchObject({ dedupKey: `drift:${finding.id}`, labels: { env: "prod" } });
    await until("drift.left_open", () => received("drift.left_open").length >= 1);

    // Notify mode: a person asks for the repair (as "re-apply now" does), and the repair is told with the same key.
    await h.deps().reconcileQueue.obliterate({ force: true });
    const { processReconcile } = await import("./reconcile.worker.ts");
    await h.deps().redis.set(`${h.deps().redisPrefix}reconcile:repair:${connectionId}`, "1");
    const repaired = (await processReconcile(h.deps(), { connectionId, trigger: "manual", repair: true }))[0]!;
    expect(repaired.driftResolved).toBe(1);
    const [fixed] = await until("drift.repaired", () => received("drift.repaired").length >= 1 && received("drift.repaired"));
    expect(fixed!.events[0]!.dedupKey).toBe(`drift:${finding.id}`);
  });

  it("an exemption request and its approval by a second member are told", async () => {
    const requester = await createTestUser(prisma, workspaceId, "author");
    const approver = await createTestUser(prisma, workspaceId, "approver");
    const actor = (u: { id: string; email: string }, role: "author" | "approver") => ({
      workspaceId,
      userId: u.id,
      role,
      kind: "user" as const,
      label: u.email,
    });
    const { approval } = await requestExemption({ prisma }, actor(requester, "author"), {
      guardrailId,
      nodeId: (await prisma.node.findFirstOrThrow({ where: { connectionId, name: "Prod" } })).id,
      reason: "migration window",
      ownerEmail: requester.email,
      expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
    });
    await until("requested", () => received("exemption.requested").length >= 1 && received("approval.requested").length >= 1);
    const jobs = {
      requestReconcile: () => Promise.resolve(),
      enqueueConnectionTask: () => Promise.resolve(""),
      requestImpact: () => Promise.resolve(),
    };
    await decideApproval({ prisma, jobs }, actor(approver, "approver"), approval.id, "approve", "ok for a week");
    const [decided] = await until("approval.decided", () => received("approval.decided").length >= 1 && received("approval.decided"));
    expect(decided!.title).toMatch(/^Approved by /);
    expect(decided!.events[0]!.dedupKey).toBe(`approval:${approval.id}`);
  });

  it("exemptions running out are told at T-15 d once, then expired once; coverage below the threshold once", async () => {
    const ex = await prisma.exemption.findFirstOrThrow({ where: { workspaceId, status: "active" } });
    const first = await scanNotifications(prisma);
    expect(first.emitted).toBeGreaterThanOrEqual(1);
    expect((await scanNotifications(prisma)).emitted).toBe(0);
    const [expiring] = await until("expiring", () => received("exemption.expiring").length >= 1 && received("exemption.expiring"));
    expect(expiring!.events[0]!.dedupKey).toBe(`exemption-expiring:${ex.id}:15`);
    // A day before the end: the T-1 d warning, once.
    await prisma.exemption.update({ where: { id: ex.id }, data: { expiresAt: new Date(Date.now() + 12 * 3_600_000) } });
    await scanNotifications(prisma);
    await until("T-1", () => received("exemption.expiring").some((m) => m.events[0]!.dedupKey.endsWith(":1")));
    await prisma.exemption.update({ where: { id: ex.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    await scanNotifications(prisma);
    await scanNotifications(prisma);
    await until("expired", () => received("exemption.expired").length >= 1);
    // Coverage: drift left open (notify mode) makes a drifted cell, so enforced falls below a 100 % threshold.
    await prisma.notificationSettings.create({ data: { workspaceId, coverageThreshold: 100 } });
    await scanNotifications(prisma);
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "coverage.below_threshold" } })).toBe(0);
    sim.human.deletePolicy(ownedPolicies()[0]!.id);
    await h.run(connectionId, "poll");
    await scanNotifications(prisma);
    await scanNotifications(prisma);
    const [cov] = await until("coverage", () => received("coverage.below_threshold").length >= 1 && received("coverage.below_threshold"));
    expect(cov!.title).toMatch(/below the 100 % threshold/);
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "coverage.below_threshold" } })).toBe(1);
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "exemption.expired" } })).toBe(1);
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "exemption.expiring" } })).toBe(2);
  });
});
