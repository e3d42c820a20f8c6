/**
 * A FaultEnv on this vitest run's database and Redis (its provided context), under the caller's own
 * key prefix and with a fresh master key. Kept apart from harness.ts, which the fault benchmark also
 * imports outside vitest.
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { Redis } from "ioredis";
import { testDatabaseUrl, testPrisma, testRedisPrefix } from "@parapet/core/testing/db";
import { keyringOf, type FaultEnv } from "./harness.ts";

export function testFaultEnv(tag: string): FaultEnv {
  const masterKeyB64 = randomBytes(32).toString("base64");
  return {
    prisma: testPrisma(),
    databaseUrl: testDatabaseUrl(),
    redis: new Redis(inject("redisUrl"), { maxRetriesPerRequest: null }),
    redisUrl: inject("redisUrl"),
    redisPrefix: `${testRedisPrefix()}${tag}:`,
    masterKeyB64,
    keys: keyringOf(masterKeyB64),
  };
}
