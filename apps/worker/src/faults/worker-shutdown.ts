/**
 * The production worker process (apps/worker/src/main.ts, unchanged) stopped with SIGTERM after a Redis
 * blip: right after Redis came back, while its connections wait out their reconnect delay (where
 * BullMQ's Worker.close used to wait forever for an ioredis "end" event), or while Redis is still away.
 * Measures how long the stop took, its exit code and log lines, and whether the reconcile lease the
 * process held was released.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { onInterrupt } from "../testing/on-interrupt.ts";
import { MASTER_KEY_ID, type FaultEnv } from "./harness.ts";
import { sleep, type PrivateRedis } from "./private-servers.ts";

const WORKER_DIR = join(import.meta.dirname, "..", "..");

export interface WorkerStopResult {
  /** Exit code (null when the process had to be SIGKILLed after `deadlineMs` + grace: a hang). */
  code: number | null;
  /** SIGTERM to exit. */
  ms: number;
  /** The lines the process printed after SIGTERM (a JSON log line as its `msg`). */
  lines: string[];
  leaseReleased: boolean;
  hung: boolean;
}

export interface WorkerStopOptions {
  /** Redis stays down through the stop (true) or comes back after `downMs` before SIGTERM (false). */
  redisAway: boolean;
  downMs: number;
  /** Time between Redis coming back (or going away) and SIGTERM. */
  delayMs: number;
  /** The worker's PARAPET_SHUTDOWN_TIMEOUT_MS. */
  deadlineMs: number;
}

/** After the deadline, how long the process may take to release and exit before it counts as hung. */
const EXIT_GRACE_MS = 10_000;

/** The message of one of the worker's JSON log lines; any other line (a library's own print) as it is. */
function logMessage(line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    if (typeof parsed.msg === "string") return parsed.msg;
  } catch {
    // not a log line
  }
  return line.trim();
}

export async function workerProcessStop(env: FaultEnv, redis: PrivateRedis, opts: WorkerStopOptions): Promise<WorkerStopResult> {
  const workerId = `fault-stop-${randomBytes(3).toString("hex")}`;
  // A lease this worker holds, as if a long reconcile were in flight (a disabled connection: nothing
  // actually reconciles it, so the only way the lease goes is the shutdown releasing it).
  const ws = await env.prisma.workspace.create({
    data: { id: `ws_${workerId}`, name: "Stop", slug: `ws-${workerId}`, createdAt: new Date() },
  });
  const conn = await env.prisma.connection.create({
    data: {
      workspaceId: ws.id,
      cloud: "aws",
      name: "held",
      status: "disabled",
      reconcileLeaseOwner: workerId,
      reconcileLeaseUntil: new Date(Date.now() + 10 * 60_000),
    },
  });
  const child = spawn(process.execPath, ["--import", "tsx", join(WORKER_DIR, "src", "main.ts")], {
    cwd: WORKER_DIR,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: redis.url,
      PARAPET_REDIS_PREFIX: `${env.redisPrefix}stop:`,
      PARAPET_MASTER_KEY: env.masterKeyB64,
      PARAPET_MASTER_KEY_ID: MASTER_KEY_ID,
      PARAPET_WORKER_ID: workerId,
      PARAPET_WORKER_CONCURRENCY: "2",
      PARAPET_SHUTDOWN_TIMEOUT_MS: String(opts.deadlineMs),
      // Its startup and shutdown lines are what this reads (a test run may set a quieter level).
      LOG_LEVEL: "info",
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const unregister = onInterrupt("worker process", { sync: () => void child.kill("SIGKILL") });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let wentDown = false;
  try {
    for (let i = 0; i < 1200 && !/ ready: queues /.test(out); i++) {
      if (child.exitCode !== null) throw new Error(`the worker exited before it was ready:\n${out.slice(-2000)}`);
      await sleep(50);
    }
    if (!/ ready: queues /.test(out)) throw new Error(`the worker did not get ready in 60 s:\n${out.slice(-2000)}`);
    if (opts.redisAway) {
      await redis.down();
      wentDown = true;
    } else {
      await redis.restart(opts.downMs);
    }
    await sleep(opts.delayMs);
    const mark = out.length;
    const t0 = performance.now();
    child.kill("SIGTERM");
    const code = await Promise.race([exited, sleep(opts.deadlineMs + EXIT_GRACE_MS).then(() => "hung" as const)]);
    const ms = Math.round(performance.now() - t0);
    if (code === "hung") child.kill("SIGKILL");
    const lines = out.slice(mark).split("\n").map(logMessage).filter(Boolean);
    const row = await env.prisma.connection.findUnique({ where: { id: conn.id }, select: { reconcileLeaseOwner: true } });
    return { code: code === "hung" ? null : code, ms, lines, leaseReleased: row?.reconcileLeaseOwner === null, hung: code === "hung" };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    unregister();
    if (wentDown) await redis.up();
    await env.prisma.connection.delete({ where: { id: conn.id } }).catch(() => undefined);
    await env.prisma.workspace.delete({ where: { id: ws.id } }).catch(() => undefined);
  }
}
