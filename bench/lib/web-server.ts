/**
 * The web app for a benchmark: `next start` when a production build exists (apps/web/.next/BUILD_ID),
 * otherwise the same route handler modules served by node:http in a process of their own
 * (web-handlers.ts; the figures then exclude Next's routing layer, and `kind` says so).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./stack.ts";
import { onInterrupt } from "../../apps/worker/src/testing/on-interrupt.ts";

export interface WebServer {
  base: string;
  kind: string;
  nextBuild: boolean;
  /** Everything the server printed (stdout and stderr), for checking that no secret reached the logs. */
  output(): string;
  /**
   * CPU seconds (user + system) the server's processes have used so far: `next start` and its
   * next-server child (one process group), or the handler process. The difference over a measured
   * stretch divided by the requests served is the server's CPU per request, a figure that other load on
   * the machine stretches far less than latency.
   */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** utime + stime of every live process whose process group (or pid) is `id`, from /proc/<pid>/stat. */
function groupCpuSeconds(id: number, byGroup: boolean): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces), from field 3 (state): pgrp is the 5th field,
    // utime the 14th, stime the 15th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const match = byGroup ? Number(f[2]) === id : Number(pid) === id;
    if (match) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLK_TCK;
}

/** Waits until no process of group `pgid` is left (next-server outlives the `next` parent by a moment). */
async function groupGone(pgid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startWebServer(
  env: { databaseUrl: string; redisUrl: string; redisPrefix: string; authSecret: string; masterKeyB64: string; masterKeyId?: string },
  /** quiet: keep the server's stderr for output() only (a campaign of bad tokens makes better-auth log thousands of lines). */
  /** cpuProfDir: run the server's node processes with --cpu-prof, profiles written there when they exit. */
  opts: { preferNext?: boolean; quiet?: boolean; cpuProfDir?: string } = {},
): Promise<WebServer> {
  const webDir = join(ROOT, "apps", "web");
  const nextBuild = (opts.preferNext ?? true) && existsSync(join(webDir, ".next", "BUILD_ID"));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const webEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    PARAPET_REDIS_PREFIX: env.redisPrefix,
    PARAPET_BASE_URL: `http://127.0.0.1:${port}`,
    PARAPET_AUTH_SECRET: env.authSecret,
    PARAPET_MASTER_KEY: env.masterKeyB64,
    PARAPET_MASTER_KEY_ID: env.masterKeyId ?? "f1",
    ...(opts.cpuProfDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${opts.cpuProfDir}`.trim() } : {}),
  };
  let out = "";
  let server: ChildProcess;
  let base: string;
  if (nextBuild) {
    // Its own process group: `next start` runs the server as a child (next-server), which a signal to the
    // `next` process alone leaves running (seen: an orphaned next-server kept logging after the bench).
    server = spawn(join(webDir, "node_modules", ".bin", "next"), ["start", "-H", "127.0.0.1", "-p", String(port)], {
      cwd: webDir,
      env: webEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    base = `http://127.0.0.1:${port}`;
  } else {
    // One node process (tsx as an import hook), so stopping it stops the server.
    server = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", join(import.meta.dirname, "web-handlers.ts")], {
      cwd: ROOT,
      env: { ...webEnv, TSX_TSCONFIG_PATH: join(webDir, "tsconfig.json") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let first = "";
      server.stdout!.on("data", (d: Buffer) => {
        first += d.toString();
        // Its log lines are JSON too: the port line is the one that starts with {"port".
        const l = first.split("\n").find((x) => x.startsWith('{"port"'));
        if (l) resolve(l);
      });
      server.once("exit", (c) => reject(new Error(`handler server exited ${c}`)));
    });
    base = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  }
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (server.pid && nextBuild) process.kill(-server.pid, signal);
      else server.kill(signal);
    } catch {
      // already gone
    }
  };
  const unregister = onInterrupt("web server", { sync: () => kill("SIGTERM") });
  server.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  // Errors stay visible on the console as before, and are kept for the secrets check.
  server.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
    if (!opts.quiet) process.stderr.write(d);
  });
  return {
    base,
    nextBuild,
    kind: nextBuild
      ? "next start (production build)"
      : "the route handler modules on node:http (no production build present; Next's router layer not included)",
    output: () => out,
    cpuSeconds: () => (server.pid ? groupCpuSeconds(server.pid, nextBuild) : 0),
    async stop() {
      unregister();
      if (server.exitCode === null) {
        const done = new Promise((r) => server.once("exit", r));
        kill("SIGTERM");
        await done;
      }
      // The database is dropped right after a bench stops its server: next-server must be gone by then,
      // or its pool reports every connection the drop terminates.
      if (nextBuild && server.pid) await groupGone(server.pid);
    },
  };
}
