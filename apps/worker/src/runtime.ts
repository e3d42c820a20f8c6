import { hostname } from "node:os";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { ALL_QUEUES, bullPrefix, heartbeatKey, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_SEC, probeRedis, type QueueName } from "@parapet/core";
import type { WorkerEnv } from "./env.ts";

export interface WorkerRuntime {
  id: string;
  redis: Redis;
  queues: Map<QueueName, Queue>;
  stop(): Promise<void>;
}

/**
 * Connects to Redis, registers every queue, and publishes a heartbeat (a key with a TTL, so a dead
 * worker disappears from /api/health on its own). `stop` closes everything in order for SIGTERM.
 */
export async function startRuntime(env: WorkerEnv): Promise<WorkerRuntime> {
  const id = env.PARAPET_WORKER_ID ?? `${hostname()}-${process.pid}`;
  await probeRedis(env.REDIS_URL);
  // BullMQ requires maxRetriesPerRequest: null on connections its workers block on.
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, connectTimeout: 3000 });
  const prefix = bullPrefix(env.PARAPET_REDIS_PREFIX);
  const queues = new Map<QueueName, Queue>();
  for (const name of ALL_QUEUES) {
    const q = new Queue(name, { connection: redis, prefix });
    await q.waitUntilReady();
    queues.set(name, q);
  }
  const beatKey = heartbeatKey(env.PARAPET_REDIS_PREFIX, id);
  const beat = () => redis.set(beatKey, Date.now().toString(), "EX", HEARTBEAT_TTL_SEC).catch(() => undefined);
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);

  return {
    id,
    redis,
    queues,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await redis.del(beatKey).catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}
