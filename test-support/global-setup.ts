/**
 * Integration tests get databases and Redis key prefixes of their own for this run, so parallel
 * suites and a running demo never see each other's rows or keys. All are removed afterwards.
 *
 * Migrations run once, into a template database; each test file then gets its own database cloned
 * from it (`CREATE DATABASE … TEMPLATE …`, test-support/per-file-setup.ts) and its own key prefix
 * under this run's, so files can run side by side. PostgreSQL refuses to clone a database anyone is
 * connected to, so the template is closed to connections once migrated: nothing may use it directly.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { databaseUrlFor, withAdmin } from "./admin-db.ts";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";

import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The server's maintenance database (to create and drop the per-file databases). */
    adminDatabaseUrl: string;
    /** The migrated template every file's database is cloned from; never connect to it. */
    templateDatabase: string;
    /** Every database of this run is named with this prefix (teardown drops them by it). */
    databasePrefix: string;
    redisUrl: string;
    /** This run's Redis key prefix; each file's prefix is under it. */
    redisPrefix: string;
    auditKey: string;
    auditCheckpointDir: string;
  }
}

const root = join(import.meta.dirname, "..");

/** Drops every database whose name starts with `prefix` (files that died before their own drop). */
async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  await withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.PARAPET_TEST_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const id = `${process.pid}_${randomBytes(4).toString("hex")}`;
  const databasePrefix = `parapet_test_${id}`;
  const template = `${databasePrefix}_tmpl`;
  const redisPrefix = `parapet-test-${id}:`;

  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${template}"`));
  const r = spawnSync("pnpm", ["--filter", "@parapet/db", "run", "--silent", "migrate:deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrlFor(adminUrl, template) },
    encoding: "utf8",
  });
  if (r.status !== 0) {
    await dropDatabases(adminUrl, databasePrefix).catch(() => undefined);
    throw new Error(`migrations failed for the test database:\n${r.stdout}\n${r.stderr}`);
  }
  // From here on nobody connects to the template (a connection would make every clone fail).
  await withAdmin(adminUrl, (c) => c.query(`ALTER DATABASE "${template}" WITH ALLOW_CONNECTIONS false`));

  // The audit chain's HMAC key and the directory of signed chain heads, as an operator would set them.
  // Checkpoint files are named by workspace id, so the files of the run can share the directory.
  const auditKey = randomBytes(32).toString("base64url");
  const auditCheckpointDir = mkdtempSync(join(tmpdir(), "parapet-audit-checkpoints-"));
  process.env.PARAPET_AUDIT_KEY = auditKey;
  process.env.PARAPET_AUDIT_CHECKPOINT_DIR = auditCheckpointDir;
  process.env.REDIS_URL = redisUrl;
  // DATABASE_URL and PARAPET_REDIS_PREFIX are set per file (per-file-setup.ts), never to the template.
  delete process.env.DATABASE_URL;
  delete process.env.PARAPET_REDIS_PREFIX;
  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", template);
  project.provide("databasePrefix", databasePrefix);
  project.provide("auditKey", auditKey);
  project.provide("auditCheckpointDir", auditCheckpointDir);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", redisPrefix);

  return async () => {
    rmSync(auditCheckpointDir, { recursive: true, force: true });
    await dropDatabases(adminUrl, databasePrefix);
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
