#!/usr/bin/env node
// Entry point of the README's two commands. Plain Node with no dependencies, because it runs before
// anything is installed: it makes sure pnpm (the pinned version) and the workspace's packages are
// present, then hands over to scripts/stack.ts (TypeScript, run with tsx) for services and processes.
//
//   node scripts/parapet.mjs demo   set up and start Parapet in demo mode
//   node scripts/parapet.mjs test   run every test (lint, typecheck, unit, integration, browser)
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "10.34.9";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
if (!["demo", "test", "stack"].includes(mode ?? "")) {
  console.error("usage: node scripts/parapet.mjs demo|test");
  process.exit(2);
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`parapet: Node.js >= 20.19 is required, found ${process.versions.node}`);
  process.exit(2);
}

function pnpmVersion() {
  try {
    return execFileSync("pnpm", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`parapet: \`${cmd} ${args.join(" ")}\` failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

const log = (m) => console.log(`\x1b[36mparapet\x1b[0m ${m}`);

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

// Prisma's client is generated (git-ignored); regenerate when the schema is newer.
const generated = join(root, "packages", "db", "src", "generated", "client.ts");
const schemaDir = join(root, "prisma", "schema");
const newestSchema = Math.max(...readdirSync(schemaDir).map((f) => statSync(join(schemaDir, f)).mtimeMs));
if (!existsSync(generated) || statSync(generated).mtimeMs < newestSchema) {
  log("generating the Prisma client");
  run("pnpm", ["--filter", "@parapet/db", "run", "generate"], { stdio: ["ignore", "ignore", "inherit"] });
}

const r = spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "scripts", "stack.ts"), mode, ...process.argv.slice(3)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
