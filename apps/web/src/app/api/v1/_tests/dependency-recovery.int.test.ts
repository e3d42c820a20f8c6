/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * The web process recovers from dependency blips WITHOUT a restart (issue 23, deliverable 2): the real
 * route handlers in this process, pointed at a private PostgreSQL and a private Redis started by the
 * test, keep one Prisma client and one set of Redis connections while the servers go away and come back.
 * - a PostgreSQL restart: 200, then a prompt 503 "unavailable" while it is down, then 200 again;
 * - a failover-style reset (every backend of the database terminated): at most one 503, never a 500;
 * - Redis away then back: an enqueueing route answers a prompt 503, then 202 once Redis is back.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma, type PrismaClient } from "@parapet/db";
import {
  createDatabase,
  startPrivatePostgres,
  startPrivateRedis,
  sleep,
  type PrivatePostgres,
  type PrivateRedis,
} from "../../../../../../worker/src/faults/private-servers.ts";
import { call, createWorkspace, type CallResult, type TestWorkspace } from "./harness.ts";
import { AWS_FACTS, awsCredentialsVia } from "./world-seed.ts";

const DB_NAME = "parapet_recovery";
let pgServer: PrivatePostgres;
let redisServer: PrivateRedis;
let prisma: PrismaClient;
let ws: TestWorkspace;

beforeAll(async () => {
  pgServer = await startPrivatePostgres();
  redisServer = await startPrivateRedis();
  // harness.ts pointed the env at this run's shared servers; nothing has read it yet (env() and
  // getPrisma() are lazy), so the whole web process in this file uses the private ones instead.
  process.env.DATABASE_URL = await createDatabase(pgServer.adminUrl, DB_NAME);
  process.env.REDIS_URL = redisServer.url;
  prisma = getPrisma();
  ws = await createWorkspace(prisma, "Recovery");
}, 120_000);

afterAll(async () => {
  const { queues } = await import("@/server/queues");
  const { redis } = await import("@/server/clients");
  const bounded = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), sleep(3000)]);
  await bounded(Promise.all(Object.values(queues()).map((q) => q.close())));
  redis().disconnect();
  await bounded(prisma.$disconnect());
  await redisServer?.stop();
  await pgServer?.stop();
}, 60_000);

const list = () => call("GET", "/guardrails", { key: ws.members.viewer.key });

async function timed(f: () => Promise<CallResult>): Promise<CallResult & { ms: number }> {
  const t0 = Date.now();
  const r = await f();
  return { ...r, ms: Date.now() - t0 };
}

/** Calls `f` until it answers `want` (bounded by `withinMs`); returns every status seen, in order. */
async function until(f: () => Promise<CallResult>, want: number, withinMs: number): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + withinMs;
  for (;;) {
    const r = await f();
    seen.push(r.status);
    if (r.status === want || Date.now() > deadline) return seen;
    await sleep(200);
  }
}

describe("dependency recovery without a process restart", () => {
  it("PostgreSQL restart: 200, then a prompt 503 while it is down, then 200 again on the same Prisma client", async () => {
    expect((await list()).status).toBe(200);
    const { GET: health } = await import("@/app/api/health/route");

    // pg_ctl stop runs synchronously inside restart(), before its first await: the server is down when
    // this returns, and stays down for 4 s while the requests below run.
    const restarting = pgServer.restart(4000);
    const down = await timed(list);
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ code: "unavailable", message: "database unavailable; try again in a moment" });
    expect(down.body.error.requestId).toMatch(/^req_[0-9a-f]{24}$/);
    // A refused connection answers at once; the pool's 5 s connect timeout bounds the worst case.
    expect(down.ms).toBeLessThan(6000);
    const h = (await (await health()).json()) as { database: { ok: boolean; since?: string } };
    expect(h.database.ok).toBe(false);
    expect(h.database.since).toBeTruthy();
    await restarting;

    const seen = await until(list, 200, 10_000);
    expect(seen.at(-1), `statuses after the restart: ${seen.join(",")}`).toBe(200);
    expect(
      seen.filter((s) => s !== 200 && s !== 503),
      `statuses after the restart: ${seen.join(",")}`,
    ).toEqual([]);
    // Recovery is the pool's, not a new client's.
    expect(getPrisma()).toBe(prisma);
    const after = (await (await health()).json()) as { database: { ok: boolean; since?: string } };
    expect(after.database.ok).toBe(true);
  }, 60_000);

  it("failover-style reset: every backend of the database terminated, the next requests succeed (at most one 503, no 500)", async () => {
    // Several idle pooled connections, so the reset has more than one to kill.
    const warm = await Promise.all(Array.from({ length: 5 }, list));
    expect(warm.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);

    const admin = new pg.Client({ connectionString: pgServer.adminUrl });
    await admin.connect();
    try {
      const killed = await admin.query<{ n: string }>(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [DB_NAME],
      );
      expect(Number(killed.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await timed(list);
      expect(r.ms).toBeLessThan(6000);
      statuses.push(r.status);
    }
    // Concurrent requests too: none may pick a dead connection the pool still holds.
    statuses.push(...(await Promise.all(Array.from({ length: 5 }, list))).map((r) => r.status));
    expect(statuses.filter((s) => s === 503).length, `statuses: ${statuses.join(",")}`).toBeLessThanOrEqual(1);
    expect(
      statuses.filter((s) => s !== 200 && s !== 503),
      `statuses: ${statuses.join(",")}`,
    ).toEqual([]);
    expect(statuses.at(-1)).toBe(200);
    expect(getPrisma()).toBe(prisma);
  }, 60_000);

  it("Redis away then back: an enqueueing route answers a prompt 503, then 202 once Redis is back", async () => {
    const owner = ws.members.owner.key;
    const credentials = await awsCredentialsVia(call, owner);
    const c = await call("POST", "/connections", {
      key: owner,
      body: { cloud: "aws", name: "Recovery org", credentials, facts: AWS_FACTS },
    });
    expect(c.status, c.text).toBe(201);
    const verify = () => call("POST", "/connections/{id}/verify", { key: ws.members.admin.key, params: { id: c.body.id as string } });
    expect((await verify()).status).toBe(202);

    await redisServer.down();
    try {
      const away = await timed(verify);
      expect(away.status, away.text).toBe(503);
      expect(away.body.error.code).toBe("unavailable");
      // The producer's 2 s connect / 3 s command timeouts, not a request that waits for Redis.
      expect(away.ms).toBeLessThan(8000);
    } finally {
      await redisServer.up();
    }

    // ioredis reconnects on its own (backoff capped at 2 s); the same producer connection enqueues again.
    const seen = await until(verify, 202, 15_000);
    expect(seen.at(-1), `statuses after Redis came back: ${seen.join(",")}`).toBe(202);
    expect(
      seen.filter((s) => s !== 202 && s !== 503),
      `statuses after Redis came back: ${seen.join(",")}`,
    ).toEqual([]);
  }, 60_000);

  it("a producer queue's connection error is heard, not printed with its stack on every reconnect attempt", async () => {
    // Every ioredis reconnect attempt while Redis is away re-emits the error on each of the web's five
    // queues; BullMQ's QueueBase.emit prints an unheard one with console.error (a full stack, five per
    // attempt, one attempt per <= 2 s for as long as the outage lasts). emit() returns true only when a
    // listener took it.
    const { queues } = await import("@/server/queues");
    for (const [name, q] of Object.entries(queues()))
      expect(q.emit("error", new Error("connect ECONNREFUSED 127.0.0.1:6379")), name).toBe(true);
  });
});
