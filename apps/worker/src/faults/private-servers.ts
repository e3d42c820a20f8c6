/**
 * Private Redis and PostgreSQL servers for the fault scenarios that restart them mid-run (never the
 * machine's shared ones), on free ports. Each is registered with onInterrupt, so an interrupted or
 * failed benchmark or test run stops them too.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { onInterrupt } from "../testing/on-interrupt.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REPO = join(import.meta.dirname, "..", "..", "..", "..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Private Redis and PostgreSQL, restarted mid-run.

export interface PrivateRedis {
  url: string;
  port: number;
  restart(downMs: number): Promise<void>;
  /** Kills the server and leaves it down (a Redis that stays away) until `up`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--daemonize", "no"],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      const r = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on("error", () => undefined);
      const ok = await r
        .connect()
        .then(() => r.ping())
        .then(
          () => true,
          () => false,
        );
      r.disconnect();
      if (ok) return;
      await sleep(50);
    }
    throw new Error(`private redis-server on ${port} did not start`);
  };
  const stop = async () => {
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  await start();
  // The current child, whichever restart made it: SIGKILL is synchronous enough for an exit handler.
  const unregister = onInterrupt(`redis-server :${port}`, { sync: () => void child.kill("SIGKILL") });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs) {
      await stop();
      await sleep(downMs);
      await start();
    },
    down: stop,
    up: start,
    async stop() {
      await stop();
      unregister();
    },
  };
}

export interface PrivatePostgres {
  adminUrl: string;
  port: number;
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

function pgBin(): string {
  const out = execFileSync("sh", ["-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1"], { encoding: "utf8" }).trim();
  if (!out) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql");
  return out;
}

/** initdb + pg_ctl into a temp dir on a free port, as the postgres OS user when running as root (initdb refuses root). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), "parapet-fault-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const r = asRoot
      ? spawnSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { encoding: "utf8" })
      : spawnSync(join(bin, cmd), args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "server.log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-w",
      "start",
    ]);
  start();
  // pg_ctl daemonises the server: nothing stops it when this process dies unless it is told to.
  const stopAndRemove = () => {
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const unregister = onInterrupt(`postgres :${port}`, {
    sync: () => {
      try {
        stopAndRemove();
      } catch {
        // already stopped (a restart in progress): the directory is gone either way
      }
    },
  });
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart(downMs) {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      await sleep(downMs);
      start();
    },
    async stop() {
      unregister();
      stopAndRemove();
    },
  };
}

/**
 * Creates a database and applies the committed migrations' SQL in order (what `prisma migrate deploy`
 * runs, without starting the Prisma CLI, which takes longer than the whole scenario on a busy machine).
 */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const dir = join(REPO, "prisma", "migrations");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const m of readdirSync(dir)
      .filter((d) => existsSync(join(dir, d, "migration.sql")))
      .sort()) {
      await c.query(readFileSync(join(dir, m, "migration.sql"), "utf8"));
    }
  } finally {
    await c.end();
  }
  return url;
}
