/**
 * The cloud event webhook: HMAC-authenticated with a replay window, each event accepted once, and an
 * accepted event requests a reconcile of that connection at once.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Redis } from "ioredis";
import { Queue } from "bullmq";
import {
  bullPrefix,
  denialPollJobId,
  denialPollPendingKey,
  parseMasterKey,
  QUEUES,
  reconcilePendingKey,
  sealEventSecret,
} from "@parapet/core";
import { createTestWorkspace, testPrisma, testRedisPrefix } from "@parapet/core/testing/db";
import { BASE_URL, MASTER_KEY, handlerFor } from "../_tests/harness";

const prisma = testPrisma();
const SECRET = "event-secret-for-tests-0123456789";
let connectionId: string;
let redis: Redis;

beforeAll(async () => {
  const ws = await createTestWorkspace();
  const conn = await prisma.connection.create({ data: { workspaceId: ws.id, cloud: "oci", name: "oci", status: "active" } });
  const master = parseMasterKey("test-k1", MASTER_KEY);
  await prisma.connection.update({
    where: { id: conn.id },
    data: { eventSecretCiphertext: sealEventSecret({ current: master, all: [master] }, conn.id, SECRET) },
  });
  connectionId = conn.id;
  redis = new Redis(inject("redisUrl"));
});
afterAll(async () => {
  await redis.quit();
  await prisma.$disconnect();
});

function event(id: string) {
  return {
    eventID: id,
    eventType: "com.oraclecloud.identitycontrolplane.updatepolicy",
    cloudEventsVersion: "0.1",
    data: { resourceName: "parapet-x" },
  };
}

async function post(opts: { cloud?: string; conn?: string; body: string; secret?: string; ts?: number; sig?: string }) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const sig =
    opts.sig ??
    `sha256=${createHmac("sha256", opts.secret ?? SECRET)
      .update(`${ts}.${opts.body}`)
      .digest("hex")}`;
  const handler = await handlerFor("POST", "/events/{cloud}/{connectionId}");
  const params = { cloud: opts.cloud ?? "oci", connectionId: opts.conn ?? connectionId };
  const res = await handler(
    new Request(`${BASE_URL}/api/v1/events/${params.cloud}/${params.connectionId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parapet-timestamp": ts, "x-parapet-signature": sig },
      body: opts.body,
    }),
    { params: Promise.resolve(params) },
  );
  return {
    status: res.status,
    body: (await res.json()) as { accepted?: boolean; duplicate?: boolean; error?: { code: string; message: string } },
  };
}

describe("POST /api/v1/events/{cloud}/{connectionId}", () => {
  it("accepts a signed event once and requests a reconcile and a denial poll", async () => {
    const key = reconcilePendingKey(testRedisPrefix(), connectionId);
    const denials = denialPollPendingKey(testRedisPrefix(), connectionId);
    await redis.del(key, denials);
    const body = JSON.stringify(event("evt-1"));
    const first = await post({ body });
    expect(first.status).toBe(202);
    expect(first.body.accepted).toBe(true);
    expect(await redis.get(key)).toBe("1");
    // The event path for denials (the worker side is denials-aws.int.test.ts): the flag and one queued poll.
    expect(await redis.get(denials)).toBe("1");
    const impact = new Queue(QUEUES.impact, { connection: redis, prefix: bullPrefix(testRedisPrefix()) });
    try {
      expect((await impact.getJob(denialPollJobId(connectionId)))?.data).toEqual({ connectionId });
    } finally {
      await impact.close();
    }
    const again = await post({ body });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(await prisma.eventReceipt.count({ where: { connectionId } })).toBe(1);
  });

  it.each([
    ["a wrong secret", { secret: "not-the-secret" }, 401, /does not match/],
    ["a replayed old event", { ts: Math.floor(Date.now() / 1000) - 3600 }, 401, /replay window/],
    ["a malformed signature", { sig: "sha1=abc" }, 401, /malformed/],
    ["the wrong cloud", { cloud: "aws" }, 404, /not found/],
    ["an unknown cloud", { cloud: "ibm" }, 404, /not one of/],
    ["an unknown connection", { conn: "doesnotexist" }, 404, /not found/],
  ])("refuses %s and records nothing", async (_n, o, status, re) => {
    const before = await prisma.eventReceipt.count({ where: { connectionId } });
    const r = await post({ body: JSON.stringify(event(`evt-${Math.random()}`)), ...o });
    expect(r.status).toBe(status);
    expect(r.body.error?.message).toMatch(re);
    expect(await prisma.eventReceipt.count({ where: { connectionId } })).toBe(before);
  });

  it("names the field of a malformed event, and refuses non-JSON and oversize bodies", async () => {
    const bad = await post({ body: JSON.stringify({ eventType: "x" }) });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.message).toMatch(/eventID/);
    expect((await post({ body: "{not json" })).status).toBe(400);
    expect((await post({ body: "x".repeat(300 * 1024) })).status).toBe(400);
  });
});

describe("hierarchy events (incremental discovery)", () => {
  let awsId: string;
  beforeAll(async () => {
    const ws = await createTestWorkspace();
    const conn = await prisma.connection.create({ data: { workspaceId: ws.id, cloud: "aws", name: "aws", status: "active" } });
    const master = parseMasterKey("test-k1", MASTER_KEY);
    await prisma.connection.update({
      where: { id: conn.id },
      data: { eventSecretCiphertext: sealEventSecret({ current: master, all: [master] }, conn.id, SECRET) },
    });
    awsId = conn.id;
  });
  const move = (id: string, accountId: string) =>
    JSON.stringify({
      version: "0",
      id,
      source: "aws.organizations",
      "detail-type": "AWS API Call via CloudTrail",
      detail: {
        eventName: "MoveAccount",
        requestParameters: { accountId, sourceParentId: "r-ab12", destinationParentId: "ou-ab12-11111111" },
      },
    });

  it("notes the node an authenticated event names for targeted discovery, once, and asks for no full sweep", async () => {
    const key = reconcilePendingKey(testRedisPrefix(), awsId);
    await redis.del(key);
    const body = move("mv-1", "111122223333");
    expect((await post({ cloud: "aws", conn: awsId, body })).status).toBe(202);
    expect((await post({ cloud: "aws", conn: awsId, body })).body.duplicate).toBe(true);
    const rows = await prisma.hierarchyChange.findMany({ where: { connectionId: awsId } });
    expect(rows.map((r) => [r.externalId, r.eventId])).toEqual([["111122223333", "mv-1"]]);
    expect(await redis.get(key)).toBe("1");
  });

  it("changes nothing for a forged event", async () => {
    const before = await prisma.hierarchyChange.count({ where: { connectionId: awsId } });
    const r = await post({ cloud: "aws", conn: awsId, body: move("mv-forged", "444455556666"), secret: "attacker-guess" });
    expect(r.status).toBe(401);
    expect(await prisma.hierarchyChange.count({ where: { connectionId: awsId } })).toBe(before);
  });

  it("asks for a full sweep when a hierarchy event names no node", async () => {
    const key = reconcilePendingKey(testRedisPrefix(), awsId);
    const body = JSON.stringify({ id: "hs-1", source: "aws.organizations", detail: { eventName: "AcceptHandshake" } });
    expect((await post({ cloud: "aws", conn: awsId, body })).status).toBe(202);
    expect(await prisma.hierarchyChange.findFirst({ where: { connectionId: awsId, eventId: "hs-1" } })).toMatchObject({ externalId: null });
    expect(await redis.get(key)).toBe("discover");
  });
});
