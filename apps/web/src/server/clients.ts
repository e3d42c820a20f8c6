import "server-only";
import { Redis } from "ioredis";
import { getPrisma } from "@parapet/db";
import { env } from "@/env";

const holder = globalThis as unknown as { __parapetRedis?: Redis };

export const prisma = () => getPrisma();

/** One Redis connection per web process, kept across dev reloads. Fails fast when Redis is down. */
export function redis(): Redis {
  holder.__parapetRedis ??= new Redis(env().REDIS_URL, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    connectTimeout: 2000,
  });
  // An unreachable Redis is reported by /api/health; without a listener ioredis would log each retry.
  holder.__parapetRedis.on("error", () => undefined);
  return holder.__parapetRedis;
}
