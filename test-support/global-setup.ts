/**
 * Integration tests get a database and a Redis key prefix of their own for this run, so parallel
 * suites and a running demo never see each other's rows or keys. Both are removed afterwards.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";

import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
    auditKey: string;
    auditCheckpointDir: string;
  }
}

const root = join(import.meta.dirname, "..");

export default async function setup(project: TestProject) {
  const adminUrl = process.env.PARAPET_TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const id = `${process.pid}_${randomBytes(4).toString("hex")}`;
  const database = `parapet_test_${id}`;
  const redisPrefix = `parapet-test-${id}:`;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  const databaseUrl = u.toString();

  const r = spawnSync("pnpm", ["--filter", "@parapet/db", "run", "--silent", "migrate:deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrations failed for the test database:\n${r.stdout}\n${r.stderr}`);

  // The audit chain's HMAC key and the directory of signed chain heads, as an operator would set them.
  const auditKey = randomBytes(32).toString("base64url");
  const auditCheckpointDir = mkdtempSync(join(tmpdir(), "parapet-audit-checkpoints-"));
  process.env.PARAPET_AUDIT_KEY = auditKey;
  process.env.PARAPET_AUDIT_CHECKPOINT_DIR = auditCheckpointDir;
  project.provide("auditKey", auditKey);
  project.provide("auditCheckpointDir", auditCheckpointDir);
  process.env.DATABASE_URL = databaseUrl;
  process.env.REDIS_URL = redisUrl;
  process.env.PARAPET_REDIS_PREFIX = redisPrefix;
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", redisPrefix);

  return async () => {
    rmSync(auditCheckpointDir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await c.end();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${redisPrefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
    await redis.quit();
  };
}
