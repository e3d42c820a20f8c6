/**
 * Weekly reports end to end: real Postgres, Redis (BullMQ workers and job schedulers) and a real SMTP
 * server (the demo mail catcher, smtp-server) started here. The email's numbers are checked against
 * the seeded coverage and drift history; retries, failures, unsubscribe and DST scheduling are
 * checked on the rows and schedulers they leave behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { bullPrefix, QUEUES } from "@parapet/core";
import { createTestUser, createTestWorkspace, testPrisma, testRedisPrefix, uid } from "@parapet/core/testing/db";
import { getReportSnapshot } from "@parapet/core/reports/get-report-snapshot";
import { queueReportDeliveries, sendEmailDelivery } from "@parapet/core/reports/deliver-report";
import { startMailCatcher, type TMailCatcher, type TParsedMail as ParsedMail } from "@parapet/core/reports/mail-catcher";
import type { TReportsConfig } from "@parapet/core/reports/mailer";
import { renderReportHtml } from "@parapet/core/reports/render-html";
import { renderReportText } from "@parapet/core/reports/render-text";
import { buildReportModel } from "@parapet/core/reports/build-report";
import { emailJobId, weeklySchedulerId } from "@parapet/core/jobs/definitions";
import { enqueueWeeklyReport } from "@parapet/core/reports/report-jobs";
import { runWeeklyReport } from "@parapet/core/reports/run-report-jobs";
import { sampleCoverage } from "@parapet/core/reports/sample-coverage";
import { upsertReportSchedules } from "@parapet/core/reports/schedule";
import { subscribe } from "@parapet/core/reports/subscribe";
import { unsubscribeWithToken } from "@parapet/core/reports/subscriptions";
import { addDays, localDateString, localParts, startOfLocalHour } from "@parapet/core/reports/zoned-time";
import { createNotificationsWorker } from "./notifications.worker.ts";
import { createReportsWorker } from "./reports.worker.ts";

const prisma = testPrisma();
const TZ = "Europe/Berlin";
const SECRET = "test-secret-for-unsubscribe-links-0123456789";
const BASE_URL = "http://127.0.0.1:3999";
const H = 3_600_000;
const D = 24 * H;

let redis: Redis;
let dir: string;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(() => {
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  dir = mkdtempSync(join(tmpdir(), "parapet-reports-"));
});

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

function freshPrefix() {
  return bullPrefix(`${testRedisPrefix()}reports-${uid()}:`);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A raw header value (mailparser restructures List-* headers), unfolded. */
function header(mail: ParsedMail, key: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === key)?.line;
  return line
    ?.slice(line.indexOf(":") + 1)
    .replace(/\r?\n[ \t]+/g, " ")
    .trim();
}

const unsubscribeLink = (mail: ParsedMail) => /<([^>]+)>/.exec(header(mail, "list-unsubscribe") ?? "")?.[1] ?? "";

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function startWorkers(config: TReportsConfig) {
  const prefix = freshPrefix();
  const reports = createReportsWorker({ prisma, connection: redis, prefix, config, concurrency: 1 });
  const notifications = createNotificationsWorker({ prisma, connection: redis, prefix, config, concurrency: 2 });
  const reportsQueue = new Queue(QUEUES.reports, { connection: redis, prefix });
  const notificationsQueue = new Queue(QUEUES.notifications, { connection: redis, prefix });
  closers.push(
    () => reports.close(),
    () => notifications.close(),
    () => reportsQueue.close(),
    () => notificationsQueue.close(),
  );
  return { reports, notifications, reportsQueue, notificationsQueue };
}

/**
 * A workspace whose history has known answers:
 * - now: AWS 3 of 4 pairs enforced (1 drifted), Azure 2 pairs unsupported → 3 / 6 = 50.0 %;
 *   a week earlier 2 / 6 = 33.3 % (so +16.7 pts); two weeks earlier 1 / 6 = 16.7 %;
 * - drift repaired this week after 30, 90 and 150 minutes (median 1 h 30 min, worst 2 h 30 min),
 *   one still open, one from three weeks ago that must not count;
 * - a new AWS account with no coverage, an exemption expiring in 5 days, one pending approval.
 */
async function seedHistory() {
  const ws = await createTestWorkspace(prisma, "Acme Reports");
  const owner = await createTestUser(prisma, ws.id, "owner");
  await prisma.workspaceSettings.create({ data: { workspaceId: ws.id, timezone: TZ } });
  const end = startOfLocalHour(new Date(), TZ);
  const endDay = localDateString(new Date(end.getTime() - 1), TZ);
  const aws = await prisma.connection.create({ data: { workspaceId: ws.id, cloud: "aws", name: "AWS Org", status: "active" } });
  const azure = await prisma.connection.create({ data: { workspaceId: ws.id, cloud: "azure", name: "Azure tenant", status: "active" } });
  const node = (connectionId: string, name: string, discoveredAt = new Date(end.getTime() - 30 * D)) =>
    prisma.node.create({
      data: {
        workspaceId: ws.id,
        connectionId,
        externalId: `${name}-${uid()}`,
        kind: "account",
        name,
        path: "/",
        depth: 1,
        isEnvironment: true,
        discoveredAt,
      },
    });
  const accounts = await Promise.all(["prod-1", "prod-2", "shared", "dev-1"].map((n) => node(aws.id, n)));
  await node(aws.id, "sandbox-new", new Date(end.getTime() - D));
  const subs = await Promise.all(["sub-a", "sub-b"].map((n) => node(azure.id, n)));
  const g = await prisma.guardrail.create({
    data: {
      workspaceId: ws.id,
      controlId: "deny-root-user",
      name: "No root user",
      versions: { create: { version: 1, params: {}, scope: { all: true }, mode: "enforce" } },
    },
  });
  await prisma.coverageRow.createMany({
    data: [
      ...accounts.map((a, i) => ({
        workspaceId: ws.id,
        connectionId: aws.id,
        nodeId: a.id,
        guardrailId: g.id,
        status: i < 3 ? ("enforced" as const) : ("drifted" as const),
        fidelity: "enforced",
      })),
      ...subs.map((s) => ({
        workspaceId: ws.id,
        connectionId: azure.id,
        nodeId: s.id,
        guardrailId: g.id,
        status: "unsupported" as const,
        fidelity: "unsupported",
      })),
    ],
  });
  const sample = (day: string, enforced: number) => [
    {
      workspaceId: ws.id,
      day: new Date(`${day}T00:00:00Z`),
      cloud: "aws" as const,
      guardrailId: g.id,
      counts: {
        enforced,
        drifted: 4 - enforced,
        audit: 0,
        exempt: 0,
        unsupported: 0,
        unknown: 0,
        pending: 0,
        total: 4,
        fidelity: { enforced: 4, partial: 0, detective: 0, unsupported: 0 },
      },
    },
    {
      workspaceId: ws.id,
      day: new Date(`${day}T00:00:00Z`),
      cloud: "azure" as const,
      guardrailId: g.id,
      counts: {
        enforced: 0,
        drifted: 0,
        audit: 0,
        exempt: 0,
        unsupported: 2,
        unknown: 0,
        pending: 0,
        total: 2,
        fidelity: { enforced: 0, partial: 0, detective: 0, unsupported: 2 },
      },
    },
  ];
  await prisma.coverageSample.createMany({ data: [...sample(addDays(endDay, -7), 2), ...sample(addDays(endDay, -14), 1)] });
  const drift = (openedAgo: number, repairMin: number | null, summary: string) =>
    prisma.driftFinding.create({
      data: {
        workspaceId: ws.id,
        connectionId: aws.id,
        guardrailId: g.id,
        nodeId: accounts[3]!.id,
        kind: "detached",
        fingerprint: uid("fp"),
        summary,
        openedAt: new Date(end.getTime() - openedAgo),
        ...(repairMin === null
          ? {}
          : {
              status: "resolved" as const,
              resolvedAt: new Date(end.getTime() - openedAgo + repairMin * 60_000),
              resolution: "auto_reapplied",
            }),
      },
    });
  await drift(3 * D, 30, "SCP detached from dev-1 (1)");
  await drift(2 * D, 90, "SCP detached from dev-1 (2)");
  await drift(4 * D, 150, "SCP detached from dev-1 (3)");
  await drift(1 * D, null, "SCP detached from dev-1 by an administrator");
  await drift(21 * D, 60, "an old incident");
  await prisma.exemption.create({
    data: {
      workspaceId: ws.id,
      guardrailId: g.id,
      nodeId: accounts[2]!.id,
      reason: "Migration window",
      ownerEmail: "owner@acme.test",
      expiresAt: new Date(end.getTime() + 5 * D + H),
      status: "active",
    },
  });
  await prisma.approval.create({
    data: {
      workspaceId: ws.id,
      action: "exemption.create",
      subjectType: "guardrail",
      subjectId: g.id,
      payload: {},
      summary: "Exempt dev-1 from No root user",
      requestedById: owner.id,
      createdAt: new Date(end.getTime() - 2 * D),
    },
  });
  const actor = {
    workspaceId: ws.id,
    userId: owner.id,
    email: owner.email,
    label: owner.email,
    kind: "user" as const,
    role: "owner" as const,
  };
  await subscribe({ prisma }, actor, { email: "ciso@acme.test" });
  await subscribe({ prisma }, actor, { email: "auditor@external.test" });
  return { ws, owner, end, endDay, guardrail: g };
}

/** Reading a stored report needs only a member of the workspace. */
const viewerOf = (workspaceId: string) => ({
  workspaceId,
  userId: "viewer",
  role: "viewer" as const,
  kind: "user" as const,
  label: "viewer",
});

describe("weekly report by email", () => {
  let catcher: TMailCatcher;
  let config: TReportsConfig;
  let seeded: Awaited<ReturnType<typeof seedHistory>>;
  let workers: Awaited<ReturnType<typeof startWorkers>>;

  beforeAll(async () => {
    catcher = await startMailCatcher({ port: 0, dir: join(dir, "inbox") });
    closers.push(() => catcher.close());
    config = {
      smtpUrl: catcher.smtpUrl,
      mailFrom: "Parapet <reports@parapet.test>",
      baseUrl: BASE_URL,
      secret: SECRET,
      retry: { attempts: 3, backoffMs: 50 },
    };
    workers = await startWorkers(config);
    seeded = await seedHistory();
  });

  it("sends the report through SMTP with numbers that match the seeded history", async () => {
    await enqueueWeeklyReport(workers.reportsQueue, { workspaceId: seeded.ws.id, trigger: "manual", requestedBy: "test" });
    const msgs = await catcher.waitFor(2);
    expect(msgs.map((m) => m.to[0]).sort()).toEqual(["auditor@external.test", "ciso@acme.test"]);
    const mail = (await catcher.parsed(msgs.find((m) => m.to[0] === "ciso@acme.test")!.id))!;

    expect(mail.subject).toBe(`Acme Reports: 50.0% guardrail coverage (+16.7 pts), week ending ${mail.subject!.split("week ending ")[1]}`);
    const text = mail.text!;
    expect(text).toContain("Coverage:                    50.0% (+16.7 pts)");
    expect(text).toContain("Environments fully covered:  3 / 7");
    expect(text).toContain("Open drift:                  1");
    expect(text).toContain("Drift this week:             4 opened, 3 repaired");
    expect(text).toContain("Time to repair:              median 1 h 30 min, worst 2 h 30 min");
    expect(text).toContain("Exemptions expiring soon:    1");
    expect(text).toContain("Pending approvals:           1");
    expect(text).toMatch(/\[#{7}-{13}\] 33\.3%\n.*\[#{10}-{10}\] 50\.0%/); // last two trend weeks
    expect(text).toContain("sandbox-new");
    expect(text).toContain("No root user on Azure: unsupported (2 pairs).");
    expect(text).toMatch(/Migration window/);
    expect(text).toMatch(/CIS AWS 3\.0 1\.7/);

    const html = mail.html as string;
    expect(html).toMatch(/data-metric="coverage".*?50\.0%.*?\+16\.7 pts/s);
    expect(html).toMatch(/data-metric="repair".*?1 h 30 min.*?worst 2 h 30 min/s);
    expect(html).toContain("SCP detached from dev-1 by an administrator");
    expect(html).not.toContain("an old incident");
    expect(mail.attachments.map((a) => a.filename)).toEqual([expect.stringMatching(/^parapet-coverage-by-guardrail-.*\.csv$/)]);
    expect(mail.attachments[0]!.content.toString()).toContain("No root user,deny-root-user,50,16.7,3,0,0,1,2,0,0,6");
    expect(header(mail, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(unsubscribeLink(mail)).toMatch(/^http:\/\/127\.0\.0\.1:3999\/unsubscribe\?token=v1\./);

    // The catcher has a message before the worker marks its row sent (after SMTP's answer): wait for the rows.
    const ofSnapshot = { snapshot: { workspaceId: seeded.ws.id } };
    await until(
      "both deliveries marked sent",
      async () => (await prisma.emailDelivery.count({ where: { ...ofSnapshot, status: "sent" } })) === 2,
    );
    const deliveries = await prisma.emailDelivery.findMany({ where: ofSnapshot });
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
    ]);
    expect(deliveries.every((d) => d.messageId && d.sentAt)).toBe(true);
  });

  it("re-renders a past report exactly, whatever changed since", async () => {
    const snap = (await prisma.reportSnapshot.findFirst({ where: { workspaceId: seeded.ws.id } }))!;
    const msg = catcher.messages().find((m) => m.to[0] === "ciso@acme.test")!;
    const mail = (await catcher.parsed(msg.id))!;
    // Change the present: the open drift is repaired and every pair becomes enforced.
    await prisma.driftFinding.updateMany({
      where: { workspaceId: seeded.ws.id, status: "open" },
      data: { status: "resolved", resolvedAt: new Date() },
    });
    await prisma.coverageRow.updateMany({ where: { workspaceId: seeded.ws.id }, data: { status: "enforced" } });
    const again = await getReportSnapshot({ prisma }, viewerOf(seeded.ws.id), { id: snap.id });
    const unsub = unsubscribeLink(mail);
    expect(renderReportHtml(again.model, { reportUrl: `${BASE_URL}/reports/${snap.id}`, unsubscribeUrl: unsub })).toBe(mail.html);
    // And a retried scheduled run for the same period returns the same snapshot instead of a new one.
    const r = await runWeeklyReport(
      { prisma, notifications: workers.notificationsQueue },
      { workspaceId: seeded.ws.id, trigger: "schedule" },
      new Date(snap.periodEnd.getTime() + 20 * 60_000),
    );
    expect(r).toMatchObject({ snapshotId: snap.id, created: false });
  });

  it("stops delivery after the signed unsubscribe link is used, without signing in", async () => {
    const before = catcher.messages().length;
    const auditorMail = (await catcher.parsed(catcher.messages().find((m) => m.to[0] === "auditor@external.test")!.id))!;
    const link = unsubscribeLink(auditorMail);
    expect(auditorMail.text).toContain(`Unsubscribe: ${link}`);
    const token = new URL(link).searchParams.get("token");
    await expect(unsubscribeWithToken(prisma, "a-different-secret-value-000000000", token)).rejects.toThrow(/not valid/);

    // An email already queued for the auditor is cancelled by the click, not sent afterwards.
    const snap = (await prisma.reportSnapshot.findFirst({ where: { workspaceId: seeded.ws.id } }))!;
    const sub = (await prisma.reportSubscription.findFirst({ where: { workspaceId: seeded.ws.id, email: "auditor@external.test" } }))!;
    const pending = await prisma.emailDelivery.create({
      data: { snapshotId: snap.id, subscriptionId: sub.id, to: sub.email, subject: "pending" },
    });

    const r = await unsubscribeWithToken(prisma, SECRET, token);
    expect(r).toEqual({ email: "auditor@external.test", workspaceName: "Acme Reports", alreadyUnsubscribed: false });
    expect((await unsubscribeWithToken(prisma, SECRET, token)).alreadyUnsubscribed).toBe(true);
    expect((await prisma.emailDelivery.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("cancelled");
    expect(await sendEmailDelivery({ prisma, config, transport: null }, pending.id, { number: 1, max: 1 })).toBe("cancelled");

    await enqueueWeeklyReport(workers.reportsQueue, { workspaceId: seeded.ws.id, trigger: "manual" });
    await catcher.waitFor(before + 1);
    // Give a wrongly queued second email every chance to arrive before checking it did not.
    await until(
      "all deliveries settled",
      async () => (await prisma.emailDelivery.count({ where: { snapshot: { workspaceId: seeded.ws.id }, status: "queued" } })) === 0,
    );
    const after = catcher.messages().slice(0, catcher.messages().length - before);
    expect(after.map((m) => m.to[0])).toEqual(["ciso@acme.test"]);
    const audit = await prisma.auditEvent.findFirst({ where: { workspaceId: seeded.ws.id, action: "report.unsubscribe" } });
    expect(audit?.data).toMatchObject({ email: "auditor@external.test", via: "link" });
  });
});

describe("delivery failures", () => {
  it("retries a temporary SMTP refusal with backoff and records every attempt on the delivery", async () => {
    const flaky = await startMailCatcher({ port: 0, dir: join(dir, "flaky"), failFirst: 2 });
    closers.push(() => flaky.close());
    const config = {
      smtpUrl: flaky.smtpUrl,
      mailFrom: "Parapet <reports@parapet.test>",
      baseUrl: BASE_URL,
      secret: SECRET,
      retry: { attempts: 3, backoffMs: 50 },
    };
    const w = await startWorkers(config);
    const seeded = await seedHistory();
    const snap = await runWeeklyReport(
      { prisma, notifications: w.notificationsQueue, retry: config.retry },
      { workspaceId: seeded.ws.id, trigger: "manual", to: ["retry@acme.test"] },
      null,
    );
    const d = await until("delivery sent", async () => {
      const row = await prisma.emailDelivery.findFirst({ where: { snapshotId: snap.snapshotId, to: "retry@acme.test" } });
      return row?.status === "sent" ? row : null;
    });
    expect(d.attempts).toBe(3);
    expect(d.lastError).toMatch(/^attempt 2\/3: .*451/);
    expect(d.subscriptionId).toBeNull();
    const received = await flaky.waitFor(1);
    expect(received).toHaveLength(1);
    const mail = (await flaky.parsed(received[0]!.id))!;
    // A one-off copy to an address without a subscription carries no unsubscribe link.
    expect(header(mail, "list-unsubscribe")).toBeUndefined();
  });

  it("marks a delivery failed, keeps the failed job and audits it when SMTP never answers", async () => {
    const config = {
      smtpUrl: `smtp://127.0.0.1:${await closedPort()}`,
      mailFrom: "Parapet <reports@parapet.test>",
      baseUrl: BASE_URL,
      secret: SECRET,
      retry: { attempts: 3, backoffMs: 50 },
    };
    const w = await startWorkers(config);
    const seeded = await seedHistory();
    const snap = await runWeeklyReport(
      { prisma, notifications: w.notificationsQueue, retry: config.retry },
      { workspaceId: seeded.ws.id, trigger: "manual" },
      null,
    );
    const rows = await until("deliveries failed", async () => {
      const r = await prisma.emailDelivery.findMany({ where: { snapshotId: snap.snapshotId } });
      return r.length === 2 && r.every((x) => x.status === "failed") ? r : null;
    });
    for (const r of rows) {
      expect(r.attempts).toBe(3);
      expect(r.lastError).toMatch(/^attempt 3\/3: .*(ECONNECTION|ECONNREFUSED)/);
      // The row is written before the handler throws; BullMQ then moves the job to "failed" (kept).
      await until("job kept as failed", async () => (await w.notificationsQueue.getJob(emailJobId(r.id)))?.isFailed());
    }
    const audits = await prisma.auditEvent.findMany({ where: { workspaceId: seeded.ws.id, action: "report.delivery_failed" } });
    expect(audits.map((a) => a.targetId).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it("fails visibly, not silently, when no SMTP relay is configured", async () => {
    const config = { mailFrom: "Parapet <reports@parapet.test>", baseUrl: BASE_URL, secret: SECRET, retry: { attempts: 2, backoffMs: 20 } };
    const w = await startWorkers(config);
    const seeded = await seedHistory();
    const snap = await runWeeklyReport(
      { prisma, notifications: w.notificationsQueue, retry: config.retry },
      { workspaceId: seeded.ws.id, trigger: "manual", to: ["someone@acme.test"] },
      null,
    );
    const row = await until("delivery failed", async () => {
      const r = await prisma.emailDelivery.findFirst({ where: { snapshotId: snap.snapshotId } });
      return r?.status === "failed" ? r : null;
    });
    expect(row.lastError).toMatch(/PARAPET_SMTP_URL/);
  });
});

describe("schedules", () => {
  it("keeps the weekly report at 08:00 local time across the spring daylight-saving change", async () => {
    const queue = new Queue(QUEUES.reports, { connection: redis, prefix: freshPrefix() });
    closers.push(() => queue.close());
    const ws = await createTestWorkspace(prisma);
    const settings = { timezone: "America/New_York", reportDay: 1, reportHour: 8 };
    // New York moves to EDT on Sunday 10 March 2030: the Monday before is UTC−5, the Monday after UTC−4.
    await upsertReportSchedules(queue, ws.id, settings, { startDate: new Date("2030-03-01T00:00:00Z") });
    const before = (await queue.getJobScheduler(weeklySchedulerId(ws.id)))!;
    expect(before).toMatchObject({ pattern: "0 8 * * 1", tz: "America/New_York" });
    await upsertReportSchedules(queue, ws.id, settings, { startDate: new Date("2030-03-05T00:00:00Z") });
    const after = (await queue.getJobScheduler(weeklySchedulerId(ws.id)))!;
    expect(new Date(before.next!).toISOString()).toBe("2030-03-04T13:00:00.000Z");
    expect(new Date(after.next!).toISOString()).toBe("2030-03-11T12:00:00.000Z");
    for (const s of [before, after])
      expect(localParts(new Date(s.next!), "America/New_York")).toMatchObject({ weekday: 1, hour: 8, minute: 0 });
    // Upserting again keeps one scheduler per workspace (stable ids), not a second one.
    expect((await queue.getJobSchedulers()).filter((s) => s.key === weeklySchedulerId(ws.id))).toHaveLength(1);

    // The report fired at that time covers the 7 local days before it: 167 hours, from 08:00 EST.
    await prisma.workspaceSettings.create({ data: { workspaceId: ws.id, ...settings } });
    const r = await runWeeklyReport({ prisma, notifications: queue }, { workspaceId: ws.id, trigger: "schedule" }, new Date(after.next!));
    expect(r.periodStart).toBe("2030-03-04T13:00:00.000Z");
    expect(r.periodEnd).toBe("2030-03-11T12:00:00.000Z");
    expect(r.deliveries).toBe(0);
  });

  it("syncs one weekly and one daily scheduler per workspace from the database", async () => {
    const prefix = freshPrefix();
    const { reports } = {
      reports: createReportsWorker({
        prisma,
        connection: redis,
        prefix,
        config: { mailFrom: "x <x@x.test>", baseUrl: BASE_URL, secret: SECRET },
      }),
    };
    closers.push(() => reports.close());
    const queue = new Queue(QUEUES.reports, { connection: redis, prefix });
    closers.push(() => queue.close());
    const ws = await createTestWorkspace(prisma);
    await prisma.workspaceSettings.create({ data: { workspaceId: ws.id, timezone: "Asia/Kolkata", reportDay: 5, reportHour: 17 } });
    const res = await reports.syncReportSchedules();
    expect(res.upserted).toBeGreaterThanOrEqual(1);
    const weekly = (await queue.getJobScheduler(weeklySchedulerId(ws.id)))!;
    expect(weekly).toMatchObject({ pattern: "0 17 * * 5", tz: "Asia/Kolkata" });
    expect(localParts(new Date(weekly.next!), "Asia/Kolkata")).toMatchObject({ weekday: 5, hour: 17, minute: 0 });
    const daily = (await queue.getJobScheduler(`reports-sample__${ws.id}`))!;
    expect(localParts(new Date(daily.next!), "Asia/Kolkata")).toMatchObject({ hour: 23, minute: 50 });
    // A deleted workspace loses its schedulers on the next sync. The first sync also scheduled the hourly
    // sync job, which fires at once; the worker is paused (its running job finished) so that job cannot
    // remove the schedulers before the sync this test calls.
    await reports.worker.pause();
    await prisma.workspace.delete({ where: { id: ws.id } });
    const res2 = await reports.syncReportSchedules();
    expect(res2.removed).toBeGreaterThanOrEqual(2);
    expect(await queue.getJobScheduler(weeklySchedulerId(ws.id))).toBeUndefined();
  });

  it("samples coverage idempotently: the same day twice gives the same rows", async () => {
    const seeded = await seedHistory();
    const a = await sampleCoverage(prisma, seeded.ws.id, "2030-01-15");
    const b = await sampleCoverage(prisma, seeded.ws.id, "2030-01-15");
    expect(a).toEqual(b);
    const rows = await prisma.coverageSample.findMany({
      where: { workspaceId: seeded.ws.id, day: new Date("2030-01-15T00:00:00Z") },
      orderBy: [{ cloud: "asc" }, { guardrailId: "asc" }],
    });
    expect(rows).toHaveLength(4); // aws + azure guardrail rows, aws + azure environment summaries
    const awsG = rows.find((r) => r.cloud === "aws" && r.guardrailId === seeded.guardrail.id)!;
    expect(awsG.counts).toMatchObject({ enforced: 3, drifted: 1, total: 4 });
    const awsEnv = rows.find((r) => r.cloud === "aws" && r.guardrailId === "__environments__")!;
    expect(awsEnv.counts).toEqual({ environments: 5, fullyCovered: 3 });
  });
});

describe("delivery queueing", () => {
  it("does not duplicate scheduled deliveries when the weekly job is retried", async () => {
    const queue = new Queue(QUEUES.notifications, { connection: redis, prefix: freshPrefix() });
    closers.push(() => queue.close());
    const seeded = await seedHistory();
    const r1 = await runWeeklyReport({ prisma, notifications: queue }, { workspaceId: seeded.ws.id, trigger: "schedule" }, seeded.end);
    const model = (await getReportSnapshot({ prisma }, viewerOf(seeded.ws.id), { id: r1.snapshotId })).model;
    const again = await queueReportDeliveries(
      prisma,
      queue,
      { id: r1.snapshotId, workspaceId: seeded.ws.id, model },
      { trigger: "schedule" },
    );
    expect(again.created).toBe(0);
    expect(again.deliveryIds).toHaveLength(2);
    expect(await prisma.emailDelivery.count({ where: { snapshotId: r1.snapshotId } })).toBe(2);
    expect(await queue.getJobCounts("waiting", "delayed")).toMatchObject({ waiting: 2 });
  });
});

describe("denied calls in the weekly report", () => {
  it("counts Parapet's per guardrail and the customer's own policies, this week against last", async () => {
    const ws = await createTestWorkspace();
    const user = await createTestUser();
    const guardrail = (name: string) =>
      prisma.guardrail.create({ data: { workspaceId: ws.id, controlId: "deny-root-user", name, createdById: user.id } });
    const root = await guardrail("No root user");
    const trail = await guardrail("Audit logging stays on");
    const gone = await guardrail("Retired guardrail");
    const end = new Date("2026-11-30T07:00:00Z");
    const day = 86_400_000;
    let n = 0;
    const denial = (daysBeforeEnd: number, g: { id: string; name: string } | null) => ({
      workspaceId: ws.id,
      connectionId: "conn_report_denials",
      cloud: "aws",
      eventId: `evt-${++n}`,
      time: new Date(end.getTime() - daysBeforeEnd * day),
      principal: "arn:aws:iam::111111111111:role/dev",
      action: "cloudtrail:StopLogging",
      resource: "",
      parapet: g !== null,
      guardrailId: g?.id ?? null,
      guardrailName: g?.name ?? null,
    });
    await prisma.denial.createMany({
      data: [
        // This week: three by "No root user", one by the audit guardrail, two by the customer's policies.
        denial(1, root),
        denial(2, root),
        denial(6.9, root),
        denial(3, trail),
        denial(0.5, null),
        denial(4, null),
        // Last week: five by the audit guardrail, one by a guardrail deleted since, one not Parapet's.
        ...[8, 9, 10, 11, 13.9].map((d) => denial(d, trail)),
        denial(12, gone),
        denial(9, null),
        // Outside both weeks, and at the period's end (exclusive): not counted.
        denial(15, root),
        denial(0, root),
      ],
    });
    await prisma.guardrail.delete({ where: { id: gone.id } });

    const model = await buildReportModel(prisma, ws.id, { end, now: end });
    expect(model.denials).toEqual({
      thisWeek: { parapet: 4, notParapet: 2 },
      lastWeek: { parapet: 6, notParapet: 1 },
      byGuardrail: [
        { guardrailId: root.id, guardrail: "No root user", thisWeek: 3, lastWeek: 0 },
        { guardrailId: trail.id, guardrail: "Audit logging stays on", thisWeek: 1, lastWeek: 5 },
        // The name the denial recorded, though the guardrail is gone.
        { guardrailId: gone.id, guardrail: "Retired guardrail", thisWeek: 0, lastWeek: 1 },
      ],
    });
    const text = renderReportText(model, {});
    expect(text).toContain("- by Parapet's guardrails: 4 / 6");
    expect(text).toContain("    Audit logging stays on: 1 / 5");
    expect(text).toContain("- by your own policies (not Parapet's): 2 / 1");
    const html = renderReportHtml(model, {});
    expect(html).toMatch(
      /data-section="denials".*?No root user.*?>3<.*?All Parapet guardrails.*?>4<.*?>6<.*?not Parapet&#39;s\).*?>2<.*?>1</s,
    );

    // A workspace without denials in either week has no such section.
    const quiet = await createTestWorkspace();
    const none = await buildReportModel(prisma, quiet.id, { end, now: end });
    expect(none.denials).toBeUndefined();
    expect(renderReportText(none, {})).not.toContain("Denied calls");
  });
});
