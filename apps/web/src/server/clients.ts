import "server-only";
import { Redis } from "ioredis";
import { getPrisma } from "@parapet/db";

// The composition root: the one web module that imports @parapet/db (lint/boundaries.js, web-db).
export { isDatabaseUnavailable } from "@parapet/db";
import { env } from "@/env";

const holder = globalThis as unknown as { __parapetRedis?: Redis };

export const prisma = () => getPrisma();

/** One Redis connection per web process, kept across dev reloads. Fails fast when Redis is down. */
export function redis(): Redis {
  // Commands wait for the first connection (so a request right after boot works) but give up fast
  // when Redis is down, so health checks and rate limiting answer instead of hanging.
  if (!holder.__parapetRedis) {
    const client = new Redis(env().REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 2000,
      commandTimeout: 3000,
    });
    // An unreachable Redis is reported by /api/health; without a listener ioredis would log each retry.
    // Added once, with the client: adding it on every call leaked a listener per request (Node's
    // MaxListenersExceededWarning after the tenth).
    client.on("error", () => undefined);
    holder.__parapetRedis = client;
  }
  return holder.__parapetRedis;
}

/** ioredis's errors for a Redis that is down or not answering (connection refused, closed, timed out). */
export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return (
    e.name === "MaxRetriesPerRequestError" ||
    /Command timed out|Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|no answer in \d+ ms/.test(e.message)
  );
}
