import type { Redis } from "ioredis";

// One atomic step per request (INCR, set the window on first hit, report TTL when over), so several
// web instances share one limit and concurrent requests cannot slip past a stale read.
const CONSUME = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
  return ttl
end
return -1
`;

/** better-auth rate-limit storage on Redis (its `customStorage.consume` contract). */
export function redisRateLimitStorage(redis: Redis, prefix: string) {
  return {
    async consume(key: string, rule: { window: number; max: number }) {
      const retry = (await redis.eval(CONSUME, 1, `${prefix}rl:${key}`, rule.window, rule.max)) as number;
      return retry < 0 ? { allowed: true, retryAfter: null } : { allowed: false, retryAfter: retry };
    },
  };
}

/**
 * A fixed-window limit of Parapet's own (outside better-auth): `max` per `windowSeconds` for one key.
 * Returns null when allowed, else the seconds until the window ends.
 */
export async function consumeLimit(redis: Redis, prefix: string, key: string, windowSeconds: number, max: number): Promise<number | null> {
  const retry = (await redis.eval(CONSUME, 1, `${prefix}rl:${key}`, windowSeconds, max)) as number;
  return retry < 0 ? null : retry;
}
