/**
 * Finds or starts PostgreSQL and Redis for the demo and the test run, in this order:
 *   1. DATABASE_URL / REDIS_URL when set (a wrong one is reported in one line and we stop);
 *   2. a local server answering on the default port (127.0.0.1:5432 / 6379), left running at exit;
 *   3. a private server started from Debian's packages (installed when missing, as root), with its
 *      data under .data/, stopped again when we stop.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, chownSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { userInfo } from "node:os";
import pg from "pg";
import { describeConnectError, probeRedis as probeRedisServer } from "@parapet/core";
import { probeDatabase } from "@parapet/db";
import { log, fail } from "./log.ts";

export interface Services {
  /** Superuser-ish URL on the server; callers choose/create their database. */
  adminDatabaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

const isRoot = () => userInfo().uid === 0;

function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host });
    s.setTimeout(1000);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
}

/** null when the server answers, else the one-line reason. */
async function reachable(probe: () => Promise<void>, variable: string, url: string): Promise<string | null> {
  try {
    await probe();
    return null;
  } catch (e) {
    return describeConnectError(e, variable, url);
  }
}
const probePostgres = (url: string) => reachable(() => probeDatabase(url), "DATABASE_URL", url);
const probeRedis = (url: string) => reachable(() => probeRedisServer(url), "REDIS_URL", url);

function aptInstall(pkgs: string[]): void {
  if (!isRoot()) fail(`${pkgs.join(", ")} not installed and not running as root: install them or set the URL variables`);
  log(`installing ${pkgs.join(" ")} from Debian's packages`);
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", ...pkgs], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0) fail(`apt-get install ${pkgs.join(" ")} failed`);
}

function pgBinDir(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, "bin", "pg_ctl"))) return join(base, v, "bin");
  return null;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${what} did not come up within ${ms / 1000}s`);
}

/** A private PostgreSQL cluster under .data/postgres, run as the `postgres` OS user (initdb refuses root). */
async function startOwnPostgres(dataRoot: string, port: number): Promise<() => Promise<void>> {
  let bin = pgBinDir();
  if (!bin) {
    aptInstall(["postgresql"]);
    bin = pgBinDir();
    if (!bin) fail("postgresql installed but pg_ctl not found under /usr/lib/postgresql");
  }
  const dir = join(dataRoot, "postgres");
  const asPostgres = isRoot();
  const runAs = (cmd: string, args: string[]) =>
    asPostgres
      ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: ["ignore", "ignore", "inherit"] })
      : spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"] });
  if (!existsSync(join(dir, "PG_VERSION"))) {
    mkdirSync(dir, { recursive: true });
    if (asPostgres) {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
      chownSync(dir, uid, gid);
    }
    log(`initialising PostgreSQL data in ${dir}`);
    const r = runAs(join(bin, "initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
    if (r.status !== 0) fail("initdb failed");
  }
  const r = runAs(join(bin, "pg_ctl"), [
    "-D",
    dir,
    "-l",
    join(dir, "server.log"),
    "-o",
    `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`,
    "-w",
    "start",
  ]);
  if (r.status !== 0) fail(`could not start PostgreSQL (see ${join(dir, "server.log")})`);
  return async () => {
    runAs(join(bin, "pg_ctl"), ["-D", dir, "-m", "fast", "-w", "stop"]);
  };
}

async function startOwnRedis(dataRoot: string, port: number): Promise<() => Promise<void>> {
  if (spawnSync("which", ["redis-server"]).status !== 0) aptInstall(["redis-server"]);
  const dir = join(dataRoot, "redis");
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(port), "--dir", dir, "--appendonly", "yes", "--save", "", "--daemonize", "no"],
    { stdio: "ignore", detached: false },
  );
  await waitFor(() => portOpen(port), `redis-server on port ${port}`);
  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  };
}

export async function resolveServices(dataRoot: string): Promise<Services> {
  const stops: Array<() => Promise<void>> = [];
  let adminDatabaseUrl: string;
  if (process.env.DATABASE_URL) {
    const err = await probePostgres(process.env.DATABASE_URL);
    if (err) fail(err);
    adminDatabaseUrl = process.env.DATABASE_URL;
  } else if (!(await probePostgres("postgresql://postgres@127.0.0.1:5432/postgres"))) {
    adminDatabaseUrl = "postgresql://postgres@127.0.0.1:5432/postgres";
    log("using the PostgreSQL server on 127.0.0.1:5432");
  } else if (!(await probePostgres("postgresql://postgres@127.0.0.1:55432/postgres"))) {
    adminDatabaseUrl = "postgresql://postgres@127.0.0.1:55432/postgres";
    log("using Parapet's own PostgreSQL on 127.0.0.1:55432 (already running)");
  } else {
    stops.push(await startOwnPostgres(dataRoot, 55432));
    adminDatabaseUrl = "postgresql://postgres@127.0.0.1:55432/postgres";
    log("started PostgreSQL on 127.0.0.1:55432 (data in .data/postgres)");
  }

  let redisUrl: string;
  if (process.env.REDIS_URL) {
    const err = await probeRedis(process.env.REDIS_URL);
    if (err) fail(err);
    redisUrl = process.env.REDIS_URL;
  } else if (!(await probeRedis("redis://127.0.0.1:6379"))) {
    redisUrl = "redis://127.0.0.1:6379";
    log("using the Redis server on 127.0.0.1:6379");
  } else {
    stops.push(await startOwnRedis(dataRoot, 56379));
    redisUrl = "redis://127.0.0.1:56379";
    log("started Redis on 127.0.0.1:56379 (data in .data/redis)");
  }
  return {
    adminDatabaseUrl,
    redisUrl,
    async stop() {
      for (const s of stops.reverse()) await s().catch(() => undefined);
    },
  };
}

/** URL of another database on the same server. */
export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z0-9_]{1,63}$/.test(database)) fail(`invalid database name ${database}`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${database}"`);
  } finally {
    await c.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export { portOpen };
