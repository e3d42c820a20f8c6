/**
 * Alert latency and digesting (issue 17), with the production notification path: the real notifications
 * worker (createNotificationsWorker) on BullMQ, its routing tick at the production 2 s (NOTIFY_TICK_MS,
 * scheduled as main.ts schedules it), the delivery outbox in PostgreSQL, and a webhook channel whose
 * receiver is a local HTTP server that verifies the HMAC signature before answering 200.
 *
 * 1. Latency: N real drifts on the AWS demo organisation (an SCP detached, edited or deleted in the
 *    simulator, then a reconcile, as the event path runs it, finds and repairs it). Measured per drift:
 *    detected = the drift finding's openedAt (the reconcile saw it); emitted = the `drift.detected` alert
 *    event's createdAt (the run committed); delivered = the receiver got the verified request.
 * 2. Storm: 1,000 `drift.detected` events for one workspace emitted at once (in batches of 100, as ten
 *    large reconcile runs would), to a rule with a digest window: how many messages are sent, whether
 *    every event is in exactly one of them, and how long until the last one arrived.
 *   pnpm exec tsx bench/alerts.bench.ts [drifts=20] [storm=1000] [digestSec=10]
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { seedAwsDemo, startAwsSim, type AwsSim } from "@parapet/cloud-sim";
import { AWS_DEMO } from "@parapet/cloud-sim/aws/index";
import { bullPrefix, QUEUES, scheduleJob, sealCredentials } from "@parapet/core";
import { emitNotifications } from "@parapet/core/notifications/emit";
import type { NotificationEventInput } from "@parapet/core/notifications/events";
import { sealChannelSecret } from "@parapet/core/notifications/secrets";
import { EgressGuard, parseEgressAllowlist } from "@parapet/providers/egress/index";
import { createNotificationsWorker } from "../apps/worker/src/workers/notifications.worker.ts";
import { processReconcile } from "../apps/worker/src/workers/reconcile.worker.ts";
import { report } from "./lib/report.ts";
import { addGuardrail, createWorkspace, load1, percentile, sleep, startBenchStack, type BenchStack } from "./lib/stack.ts";

const DRIFTS = Number(process.argv[2] ?? 20);
const STORM = Number(process.argv[3] ?? 1000);
const DIGEST_SEC = Number(process.argv[4] ?? 10);

interface Received {
  at: number;
  type: string;
  count: number;
  eventIds: string[];
}

/** A webhook receiver that answers 401 unless the signature verifies with the channel's key. */
async function startReceiver(secret: string) {
  const got: Received[] = [];
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString("utf8");
      const ts = String(req.headers["x-parapet-timestamp"] ?? "");
      const sig = String(req.headers["x-parapet-signature"] ?? "");
      const want = `sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`;
      if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) {
        refused++;
        res.writeHead(401).end();
        return;
      }
      const p = JSON.parse(body) as { type: string; count: number; events: Array<{ id: string }> };
      got.push({ at, type: p.type, count: p.count, eventIds: p.events.map((e) => e.id) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    refused: () => refused,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function webhookChannel(stack: BenchStack, workspaceId: string, url: string, secret: string, digestWindowSec: number) {
  const id = `nch_${randomBytes(6).toString("hex")}`;
  await stack.prisma.notificationChannel.create({
    data: {
      id,
      workspaceId,
      name: "bench hook",
      kind: "webhook",
      config: { url },
      secretSealed: sealChannelSecret(stack.keys, id, secret),
    },
  });
  await stack.prisma.notificationRule.create({
    data: { workspaceId, channelId: id, name: "drift", eventTypes: ["drift.detected"], digestWindowSec, minSeverity: "info" },
  });
  return id;
}

async function connectAwsDemo(stack: BenchStack, sim: AwsSim, workspaceId: string) {
  const conn = await stack.prisma.connection.create({
    data: {
      workspaceId,
      cloud: "aws",
      name: "AWS demo",
      status: "active",
      endpoint: sim.url,
      facts: { orgId: sim.state.orgId, managementAccountId: AWS_DEMO.managementAccountId },
    },
  });
  await stack.prisma.connection.update({
    where: { id: conn.id },
    data: {
      credentialCiphertext: sealCredentials(stack.keys, conn.id, {
        kind: "assume-role",
        roleArn: AWS_DEMO.role.arn,
        externalId: AWS_DEMO.role.externalId,
        sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
        sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
      }),
    },
  });
  return conn.id;
}

const WEAK = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "Weakened", Effect: "Deny", Action: "s3:GetObject", Resource: "*" }],
});

/** One out-of-band change to a Parapet-owned SCP: detach, edit or delete, in turn. */
function tamper(sim: AwsSim, workspaceId: string, i: number): void {
  const owned = [...sim.state.policies.values()].filter((p) => p.tags.get("parapet:managed") === workspaceId);
  const p = owned[i % owned.length]!;
  if (i % 3 === 0 && p.targets.size > 0) sim.admin.detachPolicy({ policyId: p.id, targetId: [...p.targets][0]! }, "alice@example.com");
  else if (i % 3 === 1) sim.admin.updatePolicy({ policyId: p.id, content: WEAK }, "alice@example.com");
  else sim.admin.deletePolicy({ policyId: p.id, force: true }, "alice@example.com");
}

const stack = await startBenchStack({ tag: "alerts" });
const workerRedis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
const prefix = bullPrefix(stack.redisPrefix);
// Receivers are reached through the worker's own egress guard: loopback only because allowlisted.
const guard = new EgressGuard({ allowlist: parseEgressAllowlist("127.0.0.1"), anyPublicHost: true });
const notifications = createNotificationsWorker({
  prisma: stack.prisma,
  connection: workerRedis,
  prefix,
  config: { mailFrom: "Parapet <alerts@parapet.bench>", baseUrl: "http://127.0.0.1:3000", secret: "x".repeat(40) },
  alerts: { keys: stack.keys, dispatcher: guard.dispatcher() },
});
const nq = new Queue(QUEUES.notifications, { connection: stack.redis, prefix });
// The production tick (NOTIFY_TICK_MS, 2 s): the catalog's repeat, as main.ts schedules it.
await scheduleJob(nq, "notifications.tick", {});

// 1. Latency over real drifts.
{
  const secret = randomBytes(24).toString("hex");
  const rx = await startReceiver(secret);
  const sim = await startAwsSim();
  seedAwsDemo(sim);
  const ws = await createWorkspace(stack.prisma, "Alerts latency bench");
  const connectionId = await connectAwsDemo(stack, sim, ws.id);
  await addGuardrail(stack.prisma, ws.id, "agent-no-destructive-actions", { labels: "env=prod" });
  await addGuardrail(stack.prisma, ws.id, "restrict-regions", { all: true });
  const [s] = await processReconcile(stack.deps(), { connectionId, trigger: "manual", discover: true });
  if (s!.status !== "succeeded") throw new Error(`setup reconcile ${s!.status}: ${s!.error ?? JSON.stringify(s!.problems)}`);
  await webhookChannel(stack, ws.id, rx.url, secret, 0);

  const detectToDelivered: number[] = [];
  const emitToDelivered: number[] = [];
  let missed = 0;
  for (let i = 0; i < DRIFTS; i++) {
    const t0 = new Date();
    tamper(sim, ws.id, i);
    await processReconcile(stack.deps(), { connectionId, trigger: "event" });
    const finding = await stack.prisma.driftFinding.findFirst({
      where: { connectionId, openedAt: { gte: t0 } },
      orderBy: { openedAt: "asc" },
    });
    const event = finding
      ? await stack.prisma.notificationEvent.findFirst({
          where: { workspaceId: ws.id, dedupKey: `drift:${finding.id}`, type: "drift.detected" },
        })
      : null;
    if (!finding || !event) {
      missed++;
      continue;
    }
    let arrived: number | undefined;
    for (let w = 0; w < 30_000 / 20 && arrived === undefined; w++) {
      arrived = rx.got.find((g) => g.eventIds.includes(event.id))?.at;
      if (arrived === undefined) await sleep(20);
    }
    if (arrived === undefined) {
      missed++;
      continue;
    }
    detectToDelivered.push(arrived - finding.openedAt.getTime());
    emitToDelivered.push(arrived - event.createdAt.getTime());
  }
  const sec = (xs: number[], p: number) => percentile(xs, p) / 1000;
  report(`alert latency, drift detected → delivered to a signed webhook (AWS demo org, ${DRIFTS} drifts, tick 2 s) (issue 17)`, [
    { name: "drifts delivered", value: detectToDelivered.length, unit: `of ${DRIFTS}; ${missed} missed` },
    {
      name: "detected → delivered p50 / p95 / max",
      value: sec(detectToDelivered, 50),
      unit: `s / ${sec(detectToDelivered, 95).toFixed(2)} s / ${(Math.max(...detectToDelivered) / 1000).toFixed(2)} s`,
    },
    {
      name: "alert emitted (run committed) → delivered p50 / p95",
      value: sec(emitToDelivered, 50),
      unit: `s / ${sec(emitToDelivered, 95).toFixed(2)} s`,
    },
    { name: "requests refused by the receiver's HMAC check", value: rx.refused(), unit: "" },
    { name: "load average (1 min) at end", value: load1(), unit: "" },
  ]);
  await rx.close();
  await sim.close();
}

// 2. A storm, digested.
{
  const secret = randomBytes(24).toString("hex");
  const rx = await startReceiver(secret);
  const ws = await createWorkspace(stack.prisma, "Alerts storm bench");
  await webhookChannel(stack, ws.id, rx.url, secret, DIGEST_SEC);
  const t0 = Date.now();
  for (let b = 0; b < STORM; b += 100) {
    const batch: NotificationEventInput[] = [];
    for (let i = b; i < Math.min(STORM, b + 100); i++)
      batch.push({
        workspaceId: ws.id,
        type: "drift.detected",
        severity: "warning",
        title: `Drift on env-${i}: SCP detached`,
        connectionId: "conn-storm",
        guardrailId: "gr-storm",
        labels: { env: "prod" },
        detail: { environment: `env-${i}`, kind: "detached" },
        dedupKey: `drift:storm-${i}`,
      });
    await emitNotifications(stack.prisma, batch);
  }
  const emitted = Date.now() - t0;
  const ids = new Set(
    (await stack.prisma.notificationEvent.findMany({ where: { workspaceId: ws.id }, select: { id: true } })).map((e) => e.id),
  );
  // A digest lists a sample of its events and counts them all (`count`): every event must be counted once.
  const counted = () => rx.got.reduce((n, g) => n + g.count, 0);
  const deadline = Date.now() + DIGEST_SEC * 1000 * 6 + 120_000;
  while (counted() < ids.size && Date.now() < deadline) await sleep(100);
  await sleep(3_000); // a late duplicate would show here
  const last = Math.max(...rx.got.map((g) => g.at));
  const sampled = rx.got.flatMap((g) => g.eventIds);
  const distinct = new Set(sampled).size === sampled.length && sampled.every((id) => ids.has(id));
  report(`alert storm: ${STORM} drift events to one webhook rule, digest window ${DIGEST_SEC} s (issue 17)`, [
    { name: "messages sent", value: rx.got.length, unit: `for ${ids.size} events` },
    { name: "events counted by the messages", value: counted(), unit: `of ${ids.size}; sampled ids distinct and known: ${distinct}` },
    { name: `emitting the ${STORM} events`, value: emitted / 1000, unit: "s" },
    { name: "first event emitted → last message delivered", value: (last - t0) / 1000, unit: `s (digest window ${DIGEST_SEC} s)` },
    { name: "requests refused by the receiver's HMAC check", value: rx.refused(), unit: "" },
    { name: "load average (1 min) at end", value: load1(), unit: "" },
  ]);
  await rx.close();
}

await nq.removeJobScheduler("notifications-tick").catch(() => undefined);
await notifications.close();
await nq.close();
await workerRedis.quit();
await stack.close();
