/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Settings → Notifications through the real route handlers: channel secrets are sealed (never stored or
 * answered in clear), each kind's required field is named when missing, "send test" leaves a delivery the
 * worker sends (its log is the channel's delivery log), rules refuse another workspace's ids, and only
 * admins and owners get in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, type TestWorkspace } from "../_tests/harness.ts";

const prisma = getPrisma();
let A: TestWorkspace;
let B: TestWorkspace;

beforeAll(async () => {
  A = await createWorkspace(prisma, "Alerts A");
  B = await createWorkspace(prisma, "Alerts B");
}, 60_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const SLACK = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnop";

describe("notification channels", () => {
  it("seals a Slack URL: the row holds ciphertext, the answer only a hint", async () => {
    const r = await call("POST", "/notifications/channels", { key: A.members.admin.key, body: { name: "sec", kind: "slack", url: SLACK } });
    expect(r.status, r.text).toBe(201);
    expect(r.text).not.toContain("abcdefghijklmnop");
    expect(r.body.target).toBe("secret …mnop");
    const row = await prisma.notificationChannel.findUniqueOrThrow({ where: { id: r.body.id as string } });
    expect(row.secretSealed).toBeTruthy();
    expect(row.secretSealed).not.toContain("hooks.slack.com");
    expect(JSON.stringify(row.config)).not.toContain("hooks.slack.com");
    const list = await call("GET", "/notifications/channels", { key: A.members.owner.key });
    expect(list.text).not.toContain("abcdefghijklmnop");
    const audit = await prisma.auditEvent.findFirst({ where: { workspaceId: A.id, action: "notification.channel_created" } });
    expect(JSON.stringify(audit?.data)).not.toContain("hooks.slack.com");
  });

  it("generates a webhook signing key when none is given and shows it once", async () => {
    const r = await call("POST", "/notifications/channels", {
      key: A.members.admin.key,
      body: { name: "hook", kind: "webhook", url: "https://receiver.example.test/parapet" },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.signingSecret).toMatch(/^whsec_[0-9a-f]{48}$/);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const list = await call("GET", "/notifications/channels", { key: A.members.admin.key });
    expect(list.text).not.toContain(r.body.signingSecret as string);
    expect(list.body.items.find((c: { id: string }) => c.id === r.body.id).target).toBe("https://receiver.example.test/parapet");
  });

  it("names the field a kind needs, or does not take", async () => {
    const noKey = await call("POST", "/notifications/channels", { key: A.members.admin.key, body: { name: "pd", kind: "pagerduty" } });
    expect(noKey.status).toBe(422);
    expect(noKey.body.error.issues[0].field).toBe("routingKey");
    const extra = await call("POST", "/notifications/channels", {
      key: A.members.admin.key,
      body: { name: "mail", kind: "email", to: ["a@example.test"], url: SLACK },
    });
    expect(extra.status).toBe(422);
    expect(extra.body.error.issues[0].field).toBe("url");
    const notHttp = await call("POST", "/notifications/channels", {
      key: A.members.admin.key,
      body: { name: "x", kind: "slack", url: "file:///etc/passwd" },
    });
    expect(notHttp.status).toBe(422);
    expect(notHttp.body.error.issues[0].field).toBe("url");
    const dup = await call("POST", "/notifications/channels", {
      key: A.members.admin.key,
      body: { name: "sec", kind: "slack", url: SLACK },
    });
    expect(dup.status).toBe(409);
  });

  it("send test leaves a pending delivery in the channel's log", async () => {
    const ch = await call("POST", "/notifications/channels", {
      key: A.members.admin.key,
      body: { name: "pager", kind: "pagerduty", routingKey: "R0123456789ABCDEF0123456789ABCDE" },
    });
    const t = await call("POST", "/notifications/channels/{id}/test", { key: A.members.admin.key, params: { id: ch.body.id as string } });
    expect(t.status, t.text).toBe(202);
    const log = await call("GET", "/notifications/channels/{id}/deliveries", {
      key: A.members.admin.key,
      params: { id: ch.body.id as string },
    });
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ id: t.body.deliveryId, kind: "test", status: "pending", attempts: 0 });
    // Another workspace's channel is not found, not tested.
    const foreign = await call("POST", "/notifications/channels/{id}/test", {
      key: B.members.admin.key,
      params: { id: ch.body.id as string },
    });
    expect(foreign.status).toBe(404);
  });

  it("rules: another workspace's channel or connection is refused by field; a valid rule is listed", async () => {
    const bCh = await call("POST", "/notifications/channels", { key: B.members.admin.key, body: { name: "b", kind: "slack", url: SLACK } });
    const aCh = (await call("GET", "/notifications/channels", { key: A.members.admin.key })).body.items[0].id as string;
    const foreign = await call("POST", "/notifications/rules", {
      key: A.members.admin.key,
      body: { name: "r", channelId: bCh.body.id, eventTypes: ["drift.detected"] },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.issues[0].field).toBe("channelId");
    const badConn = await call("POST", "/notifications/rules", {
      key: A.members.admin.key,
      body: { name: "r", channelId: aCh, eventTypes: ["drift.detected"], connectionIds: ["nope"] },
    });
    expect(badConn.status).toBe(422);
    expect(badConn.body.error.issues[0].field).toBe("connectionIds");
    const ok = await call("POST", "/notifications/rules", {
      key: A.members.admin.key,
      body: {
        name: "prod drift",
        channelId: aCh,
        eventTypes: ["drift.detected", "denial.detected"],
        labels: { env: "prod" },
        digestWindowSec: 30,
      },
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toMatchObject({ minSeverity: "info", digestWindowSec: 30, labels: { env: "prod" } });
    const rules = await call("GET", "/notifications/rules", { key: A.members.owner.key });
    expect(rules.body.items.map((r: { name: string }) => r.name)).toContain("prod drift");
  });

  it("is for admins and owners only", async () => {
    for (const role of ["viewer", "author", "approver"] as const) {
      expect((await call("GET", "/notifications/channels", { key: A.members[role].key })).status).toBe(403);
      expect((await call("GET", "/notifications/settings", { key: A.members[role].key })).status).toBe(403);
    }
    const s = await call("PATCH", "/notifications/settings", {
      key: A.members.owner.key,
      body: { expiryWarnDays: [1, 15, 7], coverageThreshold: 90 },
    });
    expect(s.status, s.text).toBe(200);
    expect(s.body).toEqual({ expiryWarnDays: [15, 7, 1], coverageThreshold: 90, exemptionMaxDays: 30 });
  });
});
