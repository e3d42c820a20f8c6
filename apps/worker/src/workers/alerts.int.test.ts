/**
 * Alerts end to end (issue 17): events inserted as emitters do → the notifications worker's tick
 * routes them by rules into deliveries → one send job each → REAL HTTP receivers started here (Slack,
 * Teams, PagerDuty, a generic webhook) and the real SMTP mail catcher. Each receiver checks the shape
 * its service documents (sources cited in core/notifications/render.ts): Slack incoming webhooks take
 * `{ text, blocks }` with Block Kit blocks; a Teams workflow takes a message with one Adaptive Card
 * attachment; PagerDuty Events API v2 takes `{ routing_key, event_action, dedup_key, payload }`; the
 * generic webhook's HMAC is recomputed. Also: 429 + Retry-After, a receiver outage then recovery,
 * lost queue jobs, a failing channel e-mailing the admins, and a 500-drift storm digested to one message.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { bullPrefix, parseMasterKey, QUEUES, scheduleJob, type Keyring } from "@parapet/core";
import { createTestUser, createTestWorkspace, testPrisma, testRedisPrefix, uid } from "@parapet/core/testing/db";
import { startMailCatcher, type TMailCatcher } from "@parapet/core/reports/mail-catcher";
import { emitNotifications } from "@parapet/core/notifications/emit";
import type { NotificationEventInput, NotificationEventType } from "@parapet/core/notifications/events";
import { sealChannelSecret } from "@parapet/core/notifications/secrets";
import { EgressGuard, parseEgressAllowlist } from "@parapet/providers/egress/index";
import { createNotificationsWorker } from "./notifications.worker.ts";

const prisma = testPrisma();
const BASE_URL = "http://127.0.0.1:3999";
const keys: Keyring = (() => {
  const k = parseMasterKey("k1", randomBytes(32).toString("base64"));
  return { current: k, all: [k] };
})();
const WEBHOOK_SECRET = "whsec_0123456789abcdef0123456789abcdef";
const PD_KEY = "R0123456789ABCDEF0123456789ABCDE"; // 32 characters, as PagerDuty's integration keys

interface Received {
  path: string;
  at: number;
  headers: IncomingMessage["headers"];
  body: string;
  json: Record<string, unknown>;
}

/** A receiver on a port of its own; `script` answers the next requests per path (then 200/202). */
class Receiver {
  server!: Server;
  port = 0;
  received: Received[] = [];
  script = new Map<string, Array<{ status: number; headers?: Record<string, string> }>>();

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const path = req.url ?? "/";
        const next = this.script.get(path)?.shift();
        if (!next)
          this.received.push({ path, at: Date.now(), headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> });
        const status = next?.status ?? (path === "/pd" || path === "/teams" ? 202 : 200);
        res.writeHead(status, { "content-type": path === "/pd" ? "application/json" : "text/plain", ...next?.headers });
        // PagerDuty answers 202 with status/message/dedup_key; Slack answers "ok".
        res.end(path === "/pd" ? JSON.stringify({ status: "success", message: "Event processed" }) : status < 300 ? "ok" : "busy");
      });
    });
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }
}

let redis: Redis;
let dir: string;
let catcher: TMailCatcher;
const rx = new Receiver();
const closers: Array<() => Promise<unknown>> = [];
let queue: Queue;
let prefix: string;

beforeAll(async () => {
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  dir = mkdtempSync(join(tmpdir(), "parapet-alerts-"));
  catcher = await startMailCatcher({ port: 0, dir });
  await rx.start();
  prefix = bullPrefix(`${testRedisPrefix()}alerts-${uid()}:`);
  // Receivers are reached through the same guard the worker uses: any public host, loopback only because allowlisted.
  const guard = new EgressGuard({ allowlist: parseEgressAllowlist("127.0.0.1"), anyPublicHost: true });
  const worker = createNotificationsWorker({
    prisma,
    connection: redis,
    prefix,
    config: { smtpUrl: catcher.smtpUrl, mailFrom: "Parapet <alerts@parapet.test>", baseUrl: BASE_URL, secret: "x".repeat(40) },
    alerts: { keys, dispatcher: guard.dispatcher(), pagerDutyUrl: rx.url("/pd"), backoffBaseMs: 300, failureThreshold: 3 },
    concurrency: 4,
  });
  queue = new Queue(QUEUES.notifications, { connection: redis, prefix });
  await scheduleJob(queue, "notifications.tick", {}, { every: 200 });
  closers.push(
    () => worker.close(),
    () => queue.close(),
  );
});

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await rx.stop().catch(() => undefined);
  await catcher.close();
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A receiver records a request before it answers, and the worker marks the delivery sent only after the
 * answer: wait for the rows, not just the request, before reading their state.
 */
async function untilSent(workspaceId: string, n: number): Promise<void> {
  await until(`${n} marked sent`, async () => (await prisma.notificationDelivery.count({ where: { workspaceId, status: "sent" } })) >= n);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function workspace() {
  const ws = await createTestWorkspace(prisma, `Alerts ${uid()}`);
  const owner = await createTestUser(prisma, ws.id, "owner");
  return { ws, owner };
}

async function channel(
  workspaceId: string,
  kind: "slack" | "teams" | "webhook" | "pagerduty" | "email",
  opts: {
    secret?: string;
    config?: Record<string, string | string[]>;
    events?: NotificationEventType[];
    digestWindowSec?: number;
    filters?: { connectionIds?: string[]; minSeverity?: string; labels?: Record<string, string> };
  } = {},
) {
  const id = uid("nch_");
  await prisma.notificationChannel.create({
    data: {
      id,
      workspaceId,
      name: `${kind} ${id}`,
      kind,
      config: opts.config ?? {},
      secretSealed: opts.secret ? sealChannelSecret(keys, id, opts.secret) : null,
    },
  });
  await prisma.notificationRule.create({
    data: {
      workspaceId,
      channelId: id,
      name: "all drift",
      eventTypes: opts.events ?? ["drift.detected", "drift.repaired"],
      digestWindowSec: opts.digestWindowSec ?? 0,
      connectionIds: opts.filters?.connectionIds ?? [],
      minSeverity: opts.filters?.minSeverity ?? "info",
      labels: opts.filters?.labels ?? {},
    },
  });
  return id;
}

const drift = (workspaceId: string, n: number, extra: Partial<NotificationEventInput> = {}): NotificationEventInput => ({
  workspaceId,
  type: "drift.detected",
  severity: "warning",
  title: `Drift on prod-${n}: SCP detached`,
  connectionId: "conn-1",
  guardrailId: "gr-1",
  labels: { env: "prod" },
  detail: { environment: `prod-${n}`, kind: "detached" },
  dedupKey: `drift:finding-${n}`,
  ...extra,
});

describe("alert delivery to real receivers", () => {
  it("Slack gets a Block Kit message (text fallback, header, section, context, button)", async () => {
    const { ws } = await workspace();
    await channel(ws.id, "slack", { secret: rx.url("/slack") });
    await emitNotifications(prisma, [drift(ws.id, 1)]);
    const [m] = await until("slack message", () => rx.at("/slack").length >= 1 && rx.at("/slack"));
    expect(m!.headers["content-type"]).toMatch(/^application\/json/);
    expect(typeof m!.json.text).toBe("string");
    const blocks = m!.json.blocks as Array<Record<string, unknown>>;
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "context", "actions"]);
    const header = blocks[0]!.text as { type: string; text: string };
    expect(header.type).toBe("plain_text");
    expect(header.text).toBe("Drift on prod-1: SCP detached");
    expect(header.text.length).toBeLessThanOrEqual(150);
    expect((blocks[1]!.text as { type: string; text: string }).text).toContain("environment: prod-1");
    const button = (blocks[3]!.elements as Array<{ type: string; url: string }>)[0]!;
    expect(button.type).toBe("button");
    expect(button.url).toBe(`${BASE_URL}/drift`);
    await untilSent(ws.id, 1);
    const row = await prisma.notificationDelivery.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastStatus: 200, eventCount: 1 });
  });

  it("Teams gets a message with one Adaptive Card attachment", async () => {
    const { ws } = await workspace();
    await channel(ws.id, "teams", { secret: rx.url("/teams") });
    await emitNotifications(prisma, [drift(ws.id, 2)]);
    const [m] = await until("teams message", () => rx.at("/teams").length >= 1 && rx.at("/teams"));
    expect(m!.json.type).toBe("message");
    const atts = m!.json.attachments as Array<{ contentType: string; content: Record<string, unknown> }>;
    expect(atts).toHaveLength(1);
    expect(atts[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = atts[0]!.content;
    expect(card).toMatchObject({ type: "AdaptiveCard", $schema: "http://adaptivecards.io/schemas/adaptive-card.json" });
    expect(typeof card.version).toBe("string");
    const body = card.body as Array<{ type: string; text?: string }>;
    expect(body[0]).toMatchObject({ type: "TextBlock", text: "Drift on prod-2: SCP detached" });
    expect(card.actions).toEqual([{ type: "Action.OpenUrl", title: "Open in Parapet", url: `${BASE_URL}/drift` }]);
    // Teams workflows answer 202 Accepted.
    expect((await prisma.notificationDelivery.findFirstOrThrow({ where: { workspaceId: ws.id } })).lastStatus).toBe(202);
  });

  it("the generic webhook is JSON signed with HMAC-SHA256 over timestamp.body, like inbound events", async () => {
    const { ws } = await workspace();
    await channel(ws.id, "webhook", { secret: WEBHOOK_SECRET, config: { url: rx.url("/hook") } });
    await emitNotifications(prisma, [drift(ws.id, 3)]);
    const [m] = await until("webhook", () => rx.at("/hook").length >= 1 && rx.at("/hook"));
    const ts = String(m!.headers["x-parapet-timestamp"]);
    const sig = String(m!.headers["x-parapet-signature"]);
    const expected = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(`${ts}.${m!.body}`).digest("hex")}`;
    expect(timingSafeEqual(Buffer.from(sig), Buffer.from(expected))).toBe(true);
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(300);
    // A wrong key does not verify.
    expect(sig).not.toBe(`sha256=${createHmac("sha256", "other").update(`${ts}.${m!.body}`).digest("hex")}`);
    expect(m!.json).toMatchObject({ type: "drift.detected", workspaceId: ws.id, count: 1, severity: "warning" });
    expect((m!.json.events as Array<{ dedupKey: string }>)[0]!.dedupKey).toBe("drift:finding-3");
    expect(m!.headers["x-parapet-delivery"]).toBe(m!.json.id);
  });

  it("PagerDuty gets a trigger and, when the drift is repaired, a resolve with the same dedup key", async () => {
    const { ws } = await workspace();
    await channel(ws.id, "pagerduty", { secret: PD_KEY });
    await emitNotifications(prisma, [drift(ws.id, 4, { severity: "critical" })]);
    const [t] = await until("pd trigger", () => rx.at("/pd").filter((r) => r.json.routing_key === PD_KEY).length >= 1 && rx.at("/pd"));
    expect(t!.json).toMatchObject({ routing_key: PD_KEY, event_action: "trigger", dedup_key: "parapet:drift:finding-4" });
    const payload = t!.json.payload as Record<string, unknown>;
    expect(payload).toMatchObject({ summary: "Drift on prod-4: SCP detached", source: "parapet", severity: "critical" });
    expect(["critical", "error", "warning", "info"]).toContain(payload.severity);
    expect(Number.isNaN(Date.parse(String(payload.timestamp)))).toBe(false);
    await emitNotifications(prisma, [
      drift(ws.id, 4, { type: "drift.repaired", severity: "info", title: "Drift on prod-4 repaired", resolves: true }),
    ]);
    const all = await until("pd resolve", () => {
      const mine = rx.at("/pd").filter((r) => r.json.routing_key === PD_KEY);
      return mine.length >= 2 && mine;
    });
    expect(all[1]!.json).toEqual({ routing_key: PD_KEY, event_action: "resolve", dedup_key: "parapet:drift:finding-4" });
  });

  it("e-mail goes through the real SMTP server", async () => {
    const { ws } = await workspace();
    await channel(ws.id, "email", { config: { to: ["secops@example.test"] } });
    const before = catcher.messages().length;
    await emitNotifications(prisma, [drift(ws.id, 5)]);
    const msgs = await catcher.waitFor(before + 1, 30_000);
    const m = msgs.find((x) => x.to.includes("secops@example.test"))!;
    expect(m.subject).toBe("[Parapet] Drift on prod-5: SCP detached");
    const parsed = await catcher.parsed(m.id);
    expect(parsed?.text).toContain(`${BASE_URL}/drift`);
  });

  it("rules filter by connection, severity and environment label", async () => {
    const { ws } = await workspace();
    const path = `/slack-filter-${uid()}`;
    await channel(ws.id, "slack", {
      secret: rx.url(path),
      filters: { connectionIds: ["conn-1"], minSeverity: "warning", labels: { env: "prod" } },
    });
    await emitNotifications(prisma, [
      drift(ws.id, 10, { connectionId: "conn-2", title: "other connection" }),
      drift(ws.id, 11, { severity: "info", title: "too mild" }),
      drift(ws.id, 12, { labels: { env: "dev" }, title: "dev env" }),
      drift(ws.id, 13, { title: "matches" }),
    ]);
    await until("filtered message", () => rx.at(path).length >= 1);
    await until("all routed", async () => (await prisma.notificationEvent.count({ where: { workspaceId: ws.id, routedAt: null } })) === 0);
    expect(rx.at(path).map((r) => (r.json.blocks as Array<{ text: { text: string } }>)[0]!.text.text)).toEqual(["matches"]);
    expect(await prisma.notificationDelivery.count({ where: { workspaceId: ws.id } })).toBe(1);
  });

  it("a 500-drift storm is one message with the count", async () => {
    const { ws } = await workspace();
    const path = `/slack-storm-${uid()}`;
    await channel(ws.id, "slack", { secret: rx.url(path), digestWindowSec: 2 });
    await emitNotifications(
      prisma,
      Array.from({ length: 500 }, (_, i) => drift(ws.id, 1000 + i)),
    );
    const [m] = await until("digest", () => rx.at(path).length >= 1 && rx.at(path));
    const header = (m!.json.blocks as Array<{ text: { text: string } }>)[0]!.text.text;
    expect(header).toMatch(/^500 × Drift detected in /);
    expect((m!.json.blocks as Array<{ text: { text: string } }>)[1]!.text.text).toContain("… and 480 more");
    await untilSent(ws.id, 1);
    const rows = await prisma.notificationDelivery.findMany({ where: { workspaceId: ws.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "digest", eventCount: 500, status: "sent" });
    // Nothing more arrives for the storm once it has been told.
    await until("all routed", async () => (await prisma.notificationEvent.count({ where: { workspaceId: ws.id, routedAt: null } })) === 0);
    expect(rx.at(path)).toHaveLength(1);
  });

  it("429 with Retry-After waits as told, then delivers; rate limits do not count as channel failures", async () => {
    const { ws } = await workspace();
    const path = `/slack-429-${uid()}`;
    rx.script.set(path, [{ status: 429, headers: { "retry-after": "2" } }]);
    const ch = await channel(ws.id, "slack", { secret: rx.url(path) });
    await emitNotifications(prisma, [drift(ws.id, 20)]);
    const throttled = await until("429 recorded", async () => {
      const d = await prisma.notificationDelivery.findFirst({ where: { workspaceId: ws.id, lastStatus: 429 } });
      return d ?? null;
    });
    // The next attempt is scheduled where Retry-After said (2 s after the refused attempt), not by backoff (300 ms).
    expect(throttled.status).toBe("pending");
    expect(throttled.attempts).toBe(1);
    const [m] = await until("delivered after 429", () => rx.at(path).length >= 1 && rx.at(path));
    expect(m!.at).toBeGreaterThanOrEqual(throttled.notBefore.getTime() - 50);
    await untilSent(ws.id, 1);
    const sent = await prisma.notificationDelivery.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect(sent).toMatchObject({ status: "sent", attempts: 2 });
    expect(await prisma.notificationChannel.findUniqueOrThrow({ where: { id: ch } })).toMatchObject({
      health: "ok",
      consecutiveFailures: 0,
    });
  });

  it("a receiver outage: retries with backoff, the channel is marked failing and the admins e-mailed; after recovery nothing is missing", async () => {
    const { ws, owner } = await workspace();
    const down = new Receiver();
    await down.start();
    const port = down.port;
    await down.stop();
    const ch = await channel(ws.id, "webhook", { secret: WEBHOOK_SECRET, config: { url: `http://127.0.0.1:${port}/hook` } });
    const mailsBefore = catcher.messages().length;
    await emitNotifications(prisma, [drift(ws.id, 30), drift(ws.id, 31, { type: "drift.repaired", resolves: true, title: "repaired 31" })]);
    const failing = await until("channel failing", async () => {
      const c = await prisma.notificationChannel.findUniqueOrThrow({ where: { id: ch } });
      return c.health === "failing" && c;
    });
    expect(failing.consecutiveFailures).toBeGreaterThanOrEqual(3);
    const pending = await prisma.notificationDelivery.findMany({ where: { workspaceId: ws.id } });
    expect(pending).toHaveLength(2);
    for (const d of pending) {
      expect(d.status).not.toBe("sent");
      expect(d.lastError).toMatch(/ECONNREFUSED/);
    }
    const mails = await catcher.waitFor(mailsBefore + 1, 30_000);
    const notice = mails.find((m) => m.subject.includes("is failing") && m.to.includes(owner.email));
    expect(notice?.subject).toBe(`[Parapet] Notification channel "${failing.name}" is failing`);
    // The receiver comes back on the same address.
    await down.start(port);
    closers.push(() => down.stop());
    await until("both delivered", () => down.at("/hook").length >= 2, 60_000);
    await untilSent(ws.id, 2);
    const rows = await prisma.notificationDelivery.findMany({ where: { workspaceId: ws.id } });
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent"]);
    expect(new Set(down.at("/hook").map((r) => r.json.id))).toEqual(new Set(rows.map((r) => r.id)));
    expect(await prisma.notificationChannel.findUniqueOrThrow({ where: { id: ch } })).toMatchObject({
      health: "ok",
      consecutiveFailures: 0,
    });
  });

  it("jobs lost from Redis lose no alert: the rows are still due and the tick queues them again", async () => {
    const { ws } = await workspace();
    const path = `/slack-lost-${uid()}`;
    // Stop the tick and wipe every job, as a Redis restart without persistence would.
    await queue.removeJobScheduler("notifications-tick");
    await queue.obliterate({ force: true });
    await channel(ws.id, "slack", { secret: rx.url(path) });
    await emitNotifications(prisma, [drift(ws.id, 40), drift(ws.id, 41, { type: "drift.repaired", title: "repaired 41" })]);
    expect(await prisma.notificationEvent.count({ where: { workspaceId: ws.id, routedAt: null } })).toBe(2);
    // A worker (re)starting upserts the tick scheduler, which finds the waiting rows.
    await scheduleJob(queue, "notifications.tick", {}, { every: 200 });
    await until("both delivered", () => rx.at(path).length >= 2);
    await untilSent(ws.id, 2);
    expect(await prisma.notificationDelivery.count({ where: { workspaceId: ws.id } })).toBe(2);
  });

  it("a receiver on a private address the operator did not allowlist is refused, not retried", async () => {
    const { ws } = await workspace();
    await channel(ws.id, "webhook", { secret: WEBHOOK_SECRET, config: { url: "http://10.255.255.1/hook" } });
    await emitNotifications(prisma, [drift(ws.id, 50)]);
    const d = await until(
      "refused",
      async () => (await prisma.notificationDelivery.findFirst({ where: { workspaceId: ws.id, status: "failed" } })) ?? null,
    );
    expect(d.attempts).toBe(1);
    expect(d.lastError).toMatch(/^refused: .*10\.255\.255\.1/);
  });
});
