import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// apps/web's route handlers run in-process in integration tests: resolve its "@/…" imports, and the
// "server-only" marker to its server build (the test process is the server).
const webAlias = [
  { find: /^@\/(.*)$/, replacement: fileURLToPath(new URL("./apps/web/src/$1", import.meta.url)) },
  { find: /^server-only$/, replacement: fileURLToPath(new URL("./apps/web/node_modules/server-only/empty.js", import.meta.url)) },
];

// How many test files run at once (unit and int alike). 3 on the 2-core CI box: integration files
// spend much of their time waiting on PostgreSQL, Redis and the simulators.
const workers = Number(process.env.PARAPET_TEST_WORKERS ?? 3);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`PARAPET_TEST_WORKERS must be a positive integer, got ${process.env.PARAPET_TEST_WORKERS}`);

// Three projects: `unit` (pure code), `int` (real Postgres, Redis and the cloud simulators) and
// `faults` (kills and service restarts). Migrations run once per run into a template database
// (test-support/global-setup.ts); each integration file gets a database cloned from it and a Redis
// key prefix of its own (test-support/per-file-setup.ts), so int files run in parallel and never
// share state with each other, with parallel suites or with a running demo.
export default defineConfig({
  test: {
    maxWorkers: workers,
    projects: [
      {
        resolve: { alias: webAlias },
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          // Policy-simulator tests evaluate thousands of requests; a loaded 2-core CI box needs headroom.
          testTimeout: 30_000,
          // Pure code: the files of a worker share one module graph instead of re-importing core, the
          // compilers and the SDK types per file. Measured 2026-12-07: 968 tests in 23 s instead of 216 s
          // (import time 25 s instead of 286 s). Integration files keep isolation: each gets its own
          // database and Redis prefix through per-file environment variables read by module singletons.
          isolate: false,
        },
      },
      {
        resolve: { alias: webAlias },
        test: {
          name: "int",
          include: ["{apps,packages}/*/src/**/*.int.test.ts", "scripts/**/*.int.test.ts"],
          // The fault suite (kills, service restarts) runs on its own: `vitest run --project faults`.
          exclude: ["**/node_modules/**", "apps/worker/src/faults/**"],
          globalSetup: ["./test-support/global-setup.ts"],
          setupFiles: ["./test-support/per-file-setup.ts"],
          // The simulators listen on 127.0.0.1: the operator allowlist a deployment would set for them.
          env: { PARAPET_ENDPOINT_ALLOWLIST: "127.0.0.1" },
          maxWorkers: workers,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "faults",
          include: ["apps/worker/src/faults/**/*.int.test.ts"],
          globalSetup: ["./test-support/global-setup.ts"],
          setupFiles: ["./test-support/per-file-setup.ts"],
          env: { PARAPET_ENDPOINT_ALLOWLIST: "127.0.0.1" },
          // Its files load the machine on purpose; one at a time.
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
