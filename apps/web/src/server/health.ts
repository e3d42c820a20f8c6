import "server-only";
import { heartbeatKey, HEARTBEAT_TTL_SEC } from "@parapet/core";
import { env } from "@/env";
import { prisma, redis } from "./clients";

export interface HealthReport {
  ok: boolean;
  database: { ok: boolean; error?: string };
  redis: { ok: boolean; error?: string };
  worker: { ok: boolean; instances: number; lastBeatAgeSec?: number };
}

const withTimeout = <T,>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms))]);

/** Database, Redis and worker heartbeat, each with a short timeout so health never hangs. */
export async function checkHealth(): Promise<HealthReport> {
  const db = await withTimeout(prisma().$queryRaw`SELECT 1`, 2000)
    .then(() => ({ ok: true }))
    .catch(() => ({ ok: false, error: "database unreachable" }));
  let r: HealthReport["redis"] = { ok: false, error: "redis unreachable" };
  let worker: HealthReport["worker"] = { ok: false, instances: 0 };
  try {
    await withTimeout(redis().ping(), 2000);
    r = { ok: true };
    const prefix = env().PARAPET_REDIS_PREFIX;
    const keys = await withTimeout(redis().keys(heartbeatKey(prefix, "*")), 2000);
    const beats = keys.length ? await redis().mget(keys) : [];
    const now = Date.now();
    const ages = beats.filter((b): b is string => !!b).map((b) => (now - Number(b)) / 1000);
    const fresh = ages.filter((a) => a <= HEARTBEAT_TTL_SEC);
    worker = {
      ok: fresh.length > 0,
      instances: fresh.length,
      ...(fresh.length ? { lastBeatAgeSec: Math.round(Math.min(...fresh) * 10) / 10 } : {}),
    };
  } catch {
    // reported as unreachable above
  }
  return { ok: db.ok && r.ok && worker.ok, database: db, redis: r, worker };
}
