import "server-only";
import { heartbeatKey, HEARTBEAT_TTL_SEC } from "@parapet/core";
import { pingDatabase } from "@parapet/core/identity/sessions";
import { env } from "@/env";
import { prisma, redis } from "./clients";

export interface HealthReport {
  ok: boolean;
  /** `since`: when this process first saw the dependency down (ISO time); absent while it is up. */
  database: { ok: boolean; error?: string; since?: string };
  redis: { ok: boolean; error?: string; since?: string };
  worker: { ok: boolean; instances: number; lastBeatAgeSec?: number; since?: string };
}

type Dep = "database" | "redis" | "worker";
const holder = globalThis as unknown as { __parapetDownSince?: Map<Dep, string> };
/** First time each dependency was seen down by this process; cleared when it answers again. */
function since(dep: Dep, ok: boolean): { since?: string } {
  holder.__parapetDownSince ??= new Map();
  const m = holder.__parapetDownSince;
  if (ok) {
    m.delete(dep);
    return {};
  }
  if (!m.has(dep)) m.set(dep, new Date().toISOString());
  return { since: m.get(dep)! };
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms))]);

/** Database, Redis and worker heartbeat, each with a short timeout so health never hangs. */
export async function checkHealth(): Promise<HealthReport> {
  const db = await withTimeout(pingDatabase(prisma()), 2000)
    .then(() => ({ ok: true }))
    .catch(() => ({ ok: false, error: "database unreachable" }));
  let r: HealthReport["redis"] = { ok: false, error: "redis unreachable" };
  let worker: HealthReport["worker"] = { ok: false, instances: 0 };
  try {
    await withTimeout(redis().ping(), 2000);
    r = { ok: true };
    const prefix = env().PARAPET_REDIS_PREFIX;
    const keys = await withTimeout(redis().keys(heartbeatKey(prefix, "*")), 2000);
    const beats = keys.length ? await withTimeout(redis().mget(keys), 2000) : [];
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
  return {
    ok: db.ok && r.ok && worker.ok,
    database: { ...db, ...since("database", db.ok) },
    redis: { ...r, ...since("redis", r.ok) },
    worker: { ...worker, ...since("worker", worker.ok) },
  };
}
