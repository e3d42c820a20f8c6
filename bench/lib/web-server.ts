/**
 * The web app for a benchmark: `next start` when a production build exists (apps/web/.next/BUILD_ID),
 * otherwise the same route handler modules served by node:http in a process of their own
 * (web-handlers.ts; the figures then exclude Next's routing layer, and `kind` says so).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./stack.ts";
import { onInterrupt } from "../../apps/worker/src/testing/on-interrupt.ts";

export interface WebServer {
  base: string;
  kind: string;
  nextBuild: boolean;
  /** Everything the server printed (stdout and stderr), for checking that no secret reached the logs. */
  output(): string;
  stop(): Promise<void>;
}

export async function startWebServer(
  env: { databaseUrl: string; redisUrl: string; redisPrefix: string; authSecret: string; masterKeyB64: string; masterKeyId?: string },
  /** quiet: keep the server's stderr for output() only (a campaign of bad tokens makes better-auth log thousands of lines). */
  opts: { preferNext?: boolean; quiet?: boolean } = {},
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
    async stop() {
      unregister();
      if (server.exitCode !== null) return;
      const done = new Promise((r) => server.once("exit", r));
      kill("SIGTERM");
      await done;
    },
  };
}
