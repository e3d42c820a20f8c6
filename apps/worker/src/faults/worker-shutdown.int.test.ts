/**
 * Shutdown after a Redis blip (issue 23). Before the fix, BullMQ's Worker.close() waited forever for an
 * ioredis "end" event that never comes when disconnect() is called while the connection waits out its
 * reconnect delay (the fault benchmark's Redis-restart scenario hung at clean-up, 2 runs of 2), and the
 * worker process's SIGTERM path had no deadline of its own but a silent exit(1) after 30 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { startPrivateRedis, sleep, type PrivateRedis } from "./private-servers.ts";
import { testFaultEnv } from "./test-env.ts";
import { workerProcessStop } from "./worker-shutdown.ts";
import type { FaultEnv } from "./harness.ts";

let redis: PrivateRedis;
let env: FaultEnv;

beforeAll(async () => {
  redis = await startPrivateRedis();
  env = testFaultEnv("shutdown");
});

afterAll(async () => {
  await env?.redis.quit();
  await redis?.stop();
});

describe("worker shutdown after a Redis blip", () => {
  it("a BullMQ worker closes while its blocking connection waits to reconnect", async () => {
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    conn.on("error", () => undefined);
    const queue = new Queue("shutdown-probe", { connection: conn });
    const worker = new Worker("shutdown-probe", async () => "done", { connection: conn });
    worker.on("error", () => undefined);
    await worker.waitUntilReady();
    await queue.add("one", {});
    await sleep(500);
    await redis.down();
    try {
      // Reconnect attempts to a closed port fail at once and the delay between them grows (ioredis:
      // min(50 ms × attempt, 2 s)), so after 2 s the blocking connection sits in "reconnecting".
      await sleep(2000);
      const closed = await Promise.race([worker.close().then(() => "closed"), sleep(10_000).then(() => "hung")]);
      expect(closed).toBe("closed");
    } finally {
      conn.disconnect();
      await redis.up();
    }
  }, 30_000);

  it("SIGTERM right after Redis came back: the worker process stops cleanly and releases its lease", async () => {
    const r = await workerProcessStop(env, redis, { redisAway: false, downMs: 3000, delayMs: 0, deadlineMs: 15_000 });
    const why = JSON.stringify(r);
    expect(r.hung, why).toBe(false);
    expect(r.code, why).toBe(0);
    expect(
      r.lines.some((l) => /stopped in \d+ ms$/.test(l)),
      why,
    ).toBe(true);
    // A clean stop releases through the reconcile that held it; here nothing reconciled, so the lease
    // is still this worker's (it expires): only the forced path releases leases wholesale.
    expect(r.ms, why).toBeLessThan(15_000);
  }, 120_000);

  it("SIGTERM while Redis stays away: exits 1 within its deadline, says why in one line, releases its leases", async () => {
    const r = await workerProcessStop(env, redis, { redisAway: true, downMs: 0, delayMs: 500, deadlineMs: 4000 });
    const why = JSON.stringify(r);
    expect(r.hung, why).toBe(false);
    expect(r.code, why).toBe(1);
    const forced = r.lines.filter((l) =>
      /shutdown did not finish within 4 s \(stuck [^)]+\); released 1 reconcile lease\(s\); exiting with status 1$/.test(l),
    );
    expect(forced, why).toHaveLength(1);
    expect(r.leaseReleased, why).toBe(true);
  }, 120_000);
});
