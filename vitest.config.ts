import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// apps/web's route handlers run in-process in integration tests: resolve its "@/…" imports, and the
// "server-only" marker to its server build (the test process is the server).
const webAlias = [
  { find: /^@\/(.*)$/, replacement: fileURLToPath(new URL("./apps/web/src/$1", import.meta.url)) },
  { find: /^server-only$/, replacement: fileURLToPath(new URL("./apps/web/node_modules/server-only/empty.js", import.meta.url)) },
];

// Two projects: `unit` (pure code, parallel) and `int` (real Postgres, Redis and the cloud
// simulators). Integration files run one at a time against a database created for this run only
// (test-support/global-setup.ts), so parallel suites and a running demo never share state.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: webAlias },
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          // Policy-simulator tests evaluate thousands of requests; a loaded 2-core CI box needs headroom.
          testTimeout: 30_000,
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
          // The simulators listen on 127.0.0.1: the operator allowlist a deployment would set for them.
          env: { PARAPET_ENDPOINT_ALLOWLIST: "127.0.0.1" },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "faults",
          include: ["apps/worker/src/faults/**/*.int.test.ts"],
          globalSetup: ["./test-support/global-setup.ts"],
          env: { PARAPET_ENDPOINT_ALLOWLIST: "127.0.0.1" },
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
