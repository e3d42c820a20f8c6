/**
 * API-token verification (packages/core/src/tokens/verify-token.ts) through the real route wrapper, the
 * real better-auth key rows and the real Redis: what a token may do is decided by its row, the request
 * path writes that row at most once a minute, and the token's rate limit answers 429 with `retry-after`.
 */
import { createServer, type AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { LAST_USED_RESOLUTION_MS, verifyToken } from "@parapet/core/tokens/verify-token";
import { call, createWorkspace, type TestWorkspace } from "./harness.ts";
import { auth } from "@/server/auth";

const prisma = getPrisma();
let ws: TestWorkspace;

beforeAll(async () => {
  ws = await createWorkspace(prisma, "Key verify");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

/** A fresh viewer token of the workspace's owner, minted by the plugin as create-token.ts does. */
async function mint(extra: Record<string, unknown> = {}) {
  const k = await auth().api.createApiKey({
    body: {
      userId: ws.members.owner.userId,
      name: "verify test",
      metadata: { workspaceId: ws.id, role: "viewer" },
      rateLimitEnabled: false,
      ...extra,
    },
  });
  return { id: k.id, key: k.key };
}

/** A loopback port nothing listens on (bound, read, closed). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const row = (id: string) => prisma.apikey.findUniqueOrThrow({ where: { id } });

describe("API-token verification", () => {
  it("records the first use, then leaves the row alone for the next minute (no write per request)", async () => {
    const t = await mint();
    expect((await row(t.id)).lastRequest).toBeNull();
    expect((await call("GET", "/guardrails", { key: t.key })).status).toBe(200);
    const first = await row(t.id);
    expect(first.lastRequest).not.toBeNull();
    for (let i = 0; i < 5; i++) expect((await call("GET", "/guardrails", { key: t.key })).status).toBe(200);
    const after = await row(t.id);
    expect(after).toEqual(first);
  });

  it("records a use again once the last one is older than the resolution", async () => {
    const t = await mint();
    const old = new Date(Date.now() - LAST_USED_RESOLUTION_MS - 1000);
    await prisma.apikey.update({ where: { id: t.id }, data: { lastRequest: old } });
    expect((await call("GET", "/guardrails", { key: t.key })).status).toBe(200);
    expect((await row(t.id)).lastRequest!.getTime()).toBeGreaterThan(old.getTime());
  });

  it("answers 429 with retry-after once the token's own limit is spent, and counts nothing in the database", async () => {
    const t = await mint({ rateLimitEnabled: true, rateLimitMax: 3, rateLimitTimeWindow: 60_000 });
    for (let i = 0; i < 3; i++) expect((await call("GET", "/guardrails", { key: t.key })).status).toBe(200);
    const r = await call("GET", "/guardrails", { key: t.key });
    expect(r.status).toBe(429);
    expect(r.text).toContain("x-api-key");
    expect(r.text).toContain("3 requests per 60 s");
    const wait = Number(r.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect((await row(t.id)).requestCount).toBe(0);
    // Another token of the same owner has its own window.
    const other = await mint({ rateLimitEnabled: true, rateLimitMax: 3, rateLimitTimeWindow: 60_000 });
    expect((await call("GET", "/guardrails", { key: other.key })).status).toBe(200);
  });

  it("refuses a disabled, an expired and a quota-carrying key with 401, and keeps the rows", async () => {
    const disabled = await mint();
    await prisma.apikey.update({ where: { id: disabled.id }, data: { enabled: false } });
    const expired = await mint();
    await prisma.apikey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const quota = await mint();
    await prisma.apikey.update({ where: { id: quota.id }, data: { remaining: 5 } });
    for (const t of [disabled, expired, quota]) {
      const r = await call("GET", "/guardrails", { key: t.key });
      expect(r.status).toBe(401);
      expect(r.text).toContain("x-api-key is invalid, expired or revoked");
      expect(await prisma.apikey.count({ where: { id: t.id } })).toBe(1);
    }
    // A revoked (deleted) key and an absurdly long header are refused the same way.
    const revoked = await mint();
    await prisma.apikey.delete({ where: { id: revoked.id } });
    expect((await call("GET", "/guardrails", { key: revoked.key })).status).toBe(401);
    expect((await call("GET", "/guardrails", { key: "ppt_" + "x".repeat(5000) })).status).toBe(401);
  });

  it("serves the request when Redis is away (the limit guards capacity, the row decides identity)", async () => {
    const t = await mint({ rateLimitEnabled: true, rateLimitMax: 1, rateLimitTimeWindow: 60_000 });
    const dead = new Redis(`redis://127.0.0.1:${await closedPort()}`, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    dead.on("error", () => undefined);
    const seen: unknown[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const v = await verifyToken({ prisma, redis: dead, redisPrefix: "unused:", onLimitUnavailable: (e) => seen.push(e) }, t.key);
        expect(v.id).toBe(t.id);
      }
      expect(seen).toHaveLength(3);
    } finally {
      dead.disconnect();
    }
  });
});
