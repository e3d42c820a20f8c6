/**
 * The web process with its database and Redis away (ports nothing listens on, as during a restart):
 * readiness names each dependency and since when, and /api/v1 answers a prompt 503, never a 401, a 500
 * or a hang. Recovery after a restart is the pool's and ioredis's reconnect (packages/db pool tests).
 */
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { expect, it } from "vitest";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

it("health says which dependency is away and since when; /api/v1 answers 503 promptly", async () => {
  const [dbPort, redisPort] = [await freePort(), await freePort()];
  process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${dbPort}/away`;
  process.env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
  process.env.PARAPET_AUTH_SECRET = randomBytes(32).toString("base64url");
  process.env.PARAPET_MASTER_KEY = randomBytes(32).toString("base64");
  const { GET: health } = await import("@/app/api/health/route");
  const t0 = Date.now();
  const first = await health();
  expect(Date.now() - t0).toBeLessThan(6000);
  expect(first.status).toBe(503);
  const a = (await first.json()) as { database: { ok: boolean; since?: string }; redis: { ok: boolean; since?: string } };
  expect(a.database.ok).toBe(false);
  expect(a.redis.ok).toBe(false);
  expect(Date.parse(a.database.since!)).toBeGreaterThan(t0 - 1);
  expect(Date.parse(a.redis.since!)).toBeGreaterThan(t0 - 1);
  // `since` is when it was first seen down, not the latest probe.
  const b = (await (await health()).json()) as typeof a;
  expect(b.database.since).toBe(a.database.since);
  expect(b.redis.since).toBe(a.redis.since);

  const { GET: list } = await import("@/app/api/v1/guardrails/route");
  const t1 = Date.now();
  const res = await list(new Request("http://127.0.0.1:3999/api/v1/guardrails", { headers: { "x-api-key": "pk_anything" } }), {
    params: Promise.resolve({}),
  });
  expect(Date.now() - t1).toBeLessThan(8000);
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  expect(res.status).toBe(503);
  expect(body.error).toEqual({
    code: "unavailable",
    message: "database unavailable; try again in a moment",
    requestId: res.headers.get("x-request-id"),
  });
});
