import "server-only";
import { nextCookies } from "better-auth/next-js";
import { createAuth, type ParapetAuth } from "@parapet/core/identity/auth";
import { env } from "@/env";
import { prisma, redis } from "./clients";

const holder = globalThis as unknown as { __parapetAuth?: ParapetAuth };

export function auth(): ParapetAuth {
  if (holder.__parapetAuth) return holder.__parapetAuth;
  const e = env();
  holder.__parapetAuth = createAuth({
    prisma: prisma(),
    baseURL: e.PARAPET_BASE_URL,
    secret: e.PARAPET_AUTH_SECRET,
    trustedOrigins: [e.PARAPET_BASE_URL, ...e.PARAPET_TRUSTED_ORIGINS.split(",").filter(Boolean)],
    redis: redis(),
    redisPrefix: e.PARAPET_REDIS_PREFIX,
    signInPerMinute: e.PARAPET_SIGNIN_PER_MINUTE,
    trustedProxies: e.PARAPET_TRUSTED_PROXIES,
    extraPlugins: [nextCookies()],
  });
  return holder.__parapetAuth;
}
