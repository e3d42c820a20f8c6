/**
 * Runs before each integration test file (the int and faults projects' setupFiles), before the file
 * imports any app module: gives the file a database of its own, cloned from the run's migrated
 * template (global-setup.ts), and a Redis key prefix of its own under the run's, so files can run in
 * parallel without seeing each other's rows or keys. Both reach the file through the environment the
 * apps read (DATABASE_URL, PARAPET_REDIS_PREFIX) and, for tests that change those to simulate an
 * outage, through PARAPET_TEST_DATABASE_URL / PARAPET_TEST_REDIS_PREFIX
 * (testDatabaseUrl() / testRedisPrefix() in @parapet/core/testing/db). The database is dropped after
 * the file's own afterAll hooks; global teardown drops any a crashed file left.
 */
import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { databaseUrlFor, withAdmin } from "./admin-db.ts";
import type {} from "./global-setup.ts";
import { configureLogging } from "@parapet/core/common/logger";
import { ZLogLevel } from "@parapet/core/common/log-level";

const adminUrl = inject("adminDatabaseUrl");
const fileId = randomBytes(5).toString("hex");
const database = `${inject("databasePrefix")}_f${fileId}`;

await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${database}" TEMPLATE "${inject("templateDatabase")}"`));
const url = databaseUrlFor(adminUrl, database);
const redisPrefix = `${inject("redisPrefix")}f${fileId}:`;

// The apps log JSON lines to stdout (an access line per request, a line per job): in a test run only
// warnings and errors, unless LOG_LEVEL asks for more. Tests that read log lines configure their own.
process.env.LOG_LEVEL ??= "warn";
configureLogging({ level: ZLogLevel.parse(process.env.LOG_LEVEL) });
process.env.PARAPET_TEST_DATABASE_URL = url;
process.env.DATABASE_URL = url;
process.env.PARAPET_TEST_REDIS_PREFIX = redisPrefix;
process.env.PARAPET_REDIS_PREFIX = redisPrefix;
process.env.REDIS_URL = inject("redisUrl");

// Registered first, so it runs after the file's own afterAll hooks (vitest runs them as a stack).
afterAll(async () => {
  await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
});
