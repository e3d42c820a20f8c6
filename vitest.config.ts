import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure code, parallel) and `int` (real Postgres, Redis and the cloud
// simulators). Integration files run one at a time against a database created for this run only
// (test-support/global-setup.ts), so parallel suites and a running demo never share state.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/src/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "int",
          include: ["{apps,packages}/*/src/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["./test-support/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
