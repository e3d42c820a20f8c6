import { defineConfig } from "@playwright/test";

// The stack (web, worker, simulators) is started by the README's test command, which passes its URL.
// Debian's Chromium is used as is: never `playwright install`.
const baseURL = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json"]],
  // The newcomer's tour plays the demo's story into the workspace the journeys share, so it runs last.
  projects: [
    { name: "journeys", testIgnore: /tour\.spec\.ts$/ },
    { name: "tour", testMatch: /tour\.spec\.ts$/, dependencies: ["journeys"] },
  ],
  outputDir: "./test-results",
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Keep Chromium off the network entirely; only loopback resolves.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      ],
    },
  },
});
