import "server-only";
import { Redis } from "ioredis";
import { getPrisma } from "@parapet/db";
import { env } from "@/env";

const holder = globalThis as unknown as { __parapetRedis?: Redis };

export const prisma = () => getPrisma();

/** One Redis connection per web process, kept across dev reloads. Fails fast when Redis is down. */
export function redis(): Redis {
  // Commands wait for the first connection (so a request right after boot works) but give up fast
  // when Redis is down, so health checks and rate limiting answer instead of hanging.
  holder.__parapetRedis ??= new Redis(env().REDIS_URL, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    commandTimeout: 3000,
  });
  // An unreachable Redis is reported by /api/health; without a listener ioredis would log each retry.
  holder.__parapetRedis.on("error", () => undefined);
  return holder.__parapetRedis;
}
