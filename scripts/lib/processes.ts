import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fail, log } from "./log.ts";
import { humanLine } from "./log-lines.ts";

export interface Proc {
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a child in its own process group (so stopping it also stops what it spawned, e.g. Next's
 * server workers) and prefixes its output with its name, the apps' JSON log lines written for people
 * (log-lines.ts). A quiet process still keeps its output (as written) in `logFile` when given, so a
 * failed test run can show what the server said.
 */
export function startProcess(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; quiet?: boolean; logFile?: string },
): Proc {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `\x1b[90m[${name}]\x1b[0m `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buf = "";
    stream?.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      if (!opts.quiet) for (const l of lines) out.write(prefix + humanLine(l).replaceAll("\n", `\n${prefix}`) + "\n");
      if (opts.logFile && lines.length) appendFileSync(opts.logFile, lines.map((l) => l + "\n").join(""));
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  let exited = false;
  child.once("exit", () => (exited = true));
  return {
    name,
    child,
    async stop() {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const done = new Promise((r) => child.once("exit", r));
      const timeout = new Promise((r) => setTimeout(r, 15_000, "timeout"));
      if ((await Promise.race([done, timeout])) === "timeout") {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    },
  };
}

export async function waitForHttp(url: string, what: string, ms = 60_000, ok = (s: number) => s < 500): Promise<void> {
  const until = Date.now() + ms;
  let last = "";
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (ok(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 400));
  }
  fail(`${what} did not answer at ${url} within ${ms / 1000}s (${last})`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === ".next" || entry.name.startsWith(".")) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the web app when the last build is older than any source it includes. */
export function webBuildIsStale(root: string): boolean {
  const stamp = join(root, "apps", "web", ".next", "BUILD_ID");
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = [join(root, "apps", "web"), ...["core", "db", "providers"].map((p) => join(root, "packages", p, "src"))];
  return sources.some((d) => newestMtime(d) > built);
}

/**
 * Runs one step of a command, its output shown as it comes, or (with `logFile`, for a step running
 * beside another) written to that file and shown whole when the step ends, so two steps' lines never
 * interleave. Resolves to the exit code; logs how long the step took.
 */
export function runStep(
  name: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; logFile?: string },
): Promise<number> {
  log(opts.logFile ? `${name} (output shown when it ends)` : name);
  const started = Date.now();
  return new Promise((resolve) => {
    const fd = opts.logFile ? openSync(opts.logFile, "w") : null;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: fd === null ? "inherit" : ["ignore", fd, fd] });
    let ended = false;
    const done = (code: number) => {
      if (ended) return;
      ended = true;
      if (fd !== null) {
        closeSync(fd);
        const out = readFileSync(opts.logFile!, "utf8");
        log(`${name}: output`);
        if (out) process.stdout.write(out.endsWith("\n") ? out : `${out}\n`);
      }
      log(`${name}: exit ${code} after ${Math.round((Date.now() - started) / 1000)}s`);
      resolve(code);
    };
    child.once("error", (e) => {
      log(`${name}: could not start: ${e.message}`);
      done(1);
    });
    child.once("exit", (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}
