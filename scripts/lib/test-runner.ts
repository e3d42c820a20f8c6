/**
 * The README's test command: the check (format, lint, typecheck, dead code) beside the unit and
 * integration tests (vitest); then the reduced fault suite beside the browser journeys (Playwright in
 * Debian's Chromium) against a stack started here on its own database and Redis prefix. Ends with one
 * line "N passed, N failed" and exits non-zero on any failure.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { userInfo } from "node:os";
import { fail, log } from "./log.ts";
import { runStep } from "./processes.ts";
import { humanLine } from "./log-lines.ts";
import { databaseUrl, dropDatabase, ensureDatabase, resolveServices } from "./services.ts";
import { buildWeb, freePort, loadOrCreateSecrets, migrate, ROOT, startApp, startDemoEnvironment } from "./stack.ts";
import { mailCatcherEnv, startMailCatcher } from "@parapet/core/reports/mail-catcher";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (userInfo().uid !== 0) fail(`Chromium not found at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH`);
  log("installing Debian's chromium for the browser tests");
  spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0 || !existsSync(CHROMIUM)) fail("could not install chromium");
}

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  /** What failed, one line each, repeated at the very end so a long log's tail names the culprit. */
  failures?: string[];
}

/** Colour codes as the test reporters write them (ESC [ … m), built from the code point so no control character sits in the source. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** First line of a failure message, without colour codes, bounded. */
function firstLine(msg: string | undefined): string {
  const line =
    (msg ?? "")
      .replace(ANSI_COLOUR, "")
      .split("\n")
      .find((l) => l.trim() !== "") ?? "";
  return line.trim().slice(0, 240);
}

function vitestTally(file: string): Tally {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: {
      name: string;
      status: string;
      message?: string;
      assertionResults: { status: string; fullName: string; failureMessages?: string[] }[];
    }[];
  };
  // A file that fails to load (or whose hooks fail) has no failed test but must still count as a
  // failure; a file with failed tests is already counted by them (numFailedTestSuites would count
  // every describe block of it again).
  const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed"));
  const failures = [
    ...r.testResults.flatMap((f) =>
      f.assertionResults
        .filter((a) => a.status === "failed")
        .map((a) => `${relative(ROOT, f.name)} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`),
    ),
    ...broken.map((f) => `${relative(ROOT, f.name)}: the file failed to run: ${firstLine(f.message)}`),
  ];
  return { passed: r.numPassedTests, failed: r.numFailedTests + broken.length, skipped: r.numPendingTests + r.numTodoTests, failures };
}

/**
 * Vitest exits non-zero for unhandled errors (an uncaught exception between tests) while its JSON
 * report still shows every test passed; such a run is a failure, and says so.
 */
function withExitCode(t: Tally, code: number, what: string): Tally {
  if (code === 0 || t.failed > 0) return t;
  log(`${what} exited ${code} with no failed test: unhandled errors or a crash (see its output above)`);
  return { ...t, failed: 1, failures: [`${what}: exited ${code} with unhandled errors or a crash`] };
}

/** The part of Playwright's JSON report that names failed tests. */
interface TPwSuite {
  suites?: TPwSuite[];
  specs?: { title: string; file?: string; tests?: { status: string; results?: { error?: { message?: string } }[] }[] }[];
}

function playwrightTally(file: string): Tally {
  if (!existsSync(file)) return { passed: 0, failed: 1, skipped: 0 };
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  } & TPwSuite;
  const failures: string[] = [];
  const walk = (suite: TPwSuite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== "unexpected") continue;
        const last = t.results?.at(-1);
        failures.push(`${spec.file ?? ""} > ${spec.title}: ${firstLine(last?.error?.message)}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  walk(r);
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped, failures };
}

export async function runTests(args: string[]): Promise<number> {
  const only = args.find((a) => a.startsWith("--only="))?.slice(7);
  const want = (s: string) => !only || only.split(",").includes(s);
  const out = join(ROOT, ".data", "test-results");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const services = await resolveServices(join(ROOT, ".data"));
  const total: Tally = { passed: 0, failed: 0, skipped: 0 };
  const failures: string[] = [];
  const add = (t: Tally, what: string) => {
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
    failures.push(...(t.failures ?? (t.failed > 0 ? [`${what}: ${t.failed} failed (see its output above)`] : [])));
    log(`${what}: ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ""}`);
  };
  const started = Date.now();
  // Lint, typecheck and the dead-code check run beside the unit and integration tests (their output is held back and shown
  // when they end), unless PARAPET_TEST_SERIAL_CHECK=1: they share no state, and the tests spend much
  // of their time waiting on PostgreSQL, Redis and the simulators.
  const checkBeside = process.env.PARAPET_TEST_SERIAL_CHECK !== "1" && (want("unit") || want("int"));
  const check = async () => {
    const code = await runStep("format, lint, typecheck and dead code (pnpm check)", "pnpm", ["run", "--silent", "check"], {
      cwd: ROOT,
      ...(checkBeside ? { logFile: join(out, "check.log") } : {}),
    });
    return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
  };
  try {
    let checking: Promise<Tally> | null = null;
    if (want("check")) {
      if (checkBeside) checking = check();
      else add(await check(), "check");
    }
    let rest: Promise<void> | null = null;
    try {
      await runVitest();
      // The fault suite and the journeys need no result of the check: they start as soon as vitest ends.
      rest = runRest();
      // Awaited below; marked handled now so a failure while the check still runs is not "unhandled".
      rest.catch(() => undefined);
    } finally {
      // Counted even when the tests threw, so a failed check is never lost.
      if (checking) add(await checking, "check");
    }
    await rest;
  } finally {
    await services.stop();
  }
  log(`finished in ${Math.round((Date.now() - started) / 1000)}s`);
  for (const f of failures) console.log(`FAILED ${f}`);
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
  return total.failed === 0 && total.passed > 0 ? 0 : 1;

  async function runVitest(): Promise<void> {
    if (!want("unit") && !want("int")) return;
    const projects = ["unit", "int"].filter(want);
    add(await vitestStep("unit and integration tests (vitest)", projects, "vitest", "vitest"), "vitest");
  }

  async function runRest(): Promise<void> {
    // After vitest, two lanes side by side: the reduced fault suite (kills mid-apply, Redis/PostgreSQL
    // restarts on its own private servers, throttling, outage, OCI clock skew), and the web build then
    // the journeys. The fault suite spends most of its time waiting on its servers' restarts and the
    // journeys on reconciles, so together they fill the two cores that either alone leaves half idle.
    // Neither shares a server, database or Redis prefix with the other; the vitest suites, whose
    // timeouts are tighter, have finished by then. The fault suite's output is held back and shown
    // whole when it ends.
    const extra = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
    const beside = want("faults") && want("e2e");
    const building = want("e2e")
      ? buildWeb({ typesChecked: want("check"), ...(beside ? { logFile: join(out, "next-build.log") } : {}) })
      : null;
    const faults = want("faults") ? runFaults(beside) : null;
    // Arguments after "--" go to Playwright (e.g. `-- --grep gcp` to run some journeys).
    const journeys = building ? runE2e(building, services.adminDatabaseUrl, services.redisUrl, out, extra) : null;
    journeys?.catch(() => undefined); // awaited below, after the fault suite
    if (faults) add(await faults, "fault suite");
    if (journeys) add(await journeys, "browser journeys");
  }

  function runFaults(holdOutput: boolean): Promise<Tally> {
    return vitestStep("reduced fault suite (vitest --project faults)", ["faults"], "faults", "fault suite", holdOutput);
  }

  /** One vitest run of some projects against this run's services; its JSON report is `<file>.json` under out. */
  async function vitestStep(name: string, projects: string[], file: string, what: string, holdOutput = false): Promise<Tally> {
    const report = join(out, `${file}.json`);
    const code = await runStep(
      name,
      join(ROOT, "node_modules", ".bin", "vitest"),
      ["run", ...projects.flatMap((p) => ["--project", p]), "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
      {
        cwd: ROOT,
        env: { ...process.env, PARAPET_TEST_ADMIN_DATABASE_URL: services.adminDatabaseUrl, REDIS_URL: services.redisUrl },
        ...(holdOutput ? { logFile: join(out, `${file}.log`) } : {}),
      },
    );
    return withExitCode(vitestTally(report), code, what);
  }
}

/** What the servers logged as errors, so a failed journey in CI output shows its server-side cause. */
function printServerErrors(out: string): void {
  for (const name of ["web", "worker"]) {
    const file = join(out, `${name}.log`);
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, "utf8").split("\n");
    // The apps' own lines are JSON with their stack inside (an error or fatal line is kept alone); a
    // library's plain error line is kept with the 7 lines after it (its stack or context). Each line once.
    const keep = new Set<number>();
    lines.forEach((l, i) => {
      if (l.startsWith("{")) {
        if (/"level":"(error|fatal)"/.test(l)) keep.add(i);
      } else if (/error|unhandled|exception/i.test(l)) for (let j = i; j < Math.min(i + 8, lines.length); j++) keep.add(j);
    });
    const shown = [...keep].slice(0, 120).map((i) => humanLine(lines[i]!));
    if (shown.length) log(`${name} logged errors during the journeys (all output: ${file}):\n${shown.join("\n")}`);
  }
}

async function runE2e(building: Promise<number>, adminUrl: string, redisUrl: string, out: string, extra: string[]): Promise<Tally> {
  ensureChromium();
  if ((await building) !== 0) {
    log("next build failed (its output is above): the browser journeys cannot run");
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const id = randomBytes(4).toString("hex");
  const database = `parapet_e2e_${id}`;
  await ensureDatabase(adminUrl, database);
  const dbUrl = databaseUrl(adminUrl, database);
  // Mail the worker sends (invitations) lands in a catcher the journeys can read, as a person reads an inbox.
  const catcher = await startMailCatcher({ port: 0, httpPort: 0, dir: join(ROOT, ".data", `e2e-mail-${id}`) });
  // The SSO journey starts its own OpenID Provider (oidc-provider, its own login page) on this loopback
  // port; the web app must trust that origin before it starts (better-auth refuses private hosts for
  // OIDC discovery otherwise), as an operator lists a self-hosted IdP in PARAPET_TRUSTED_ORIGINS.
  const oidcIdpPort = await freePort(4600);
  const opts = {
    databaseUrl: dbUrl,
    redisUrl,
    redisPrefix: `parapet-e2e-${id}:`,
    port: await freePort(3100),
    secrets: loadOrCreateSecrets(join(ROOT, ".data", "e2e")),
    auditCheckpointDir: join(ROOT, ".data", `e2e-audit-checkpoints-${id}`),
    quiet: true,
    logDir: out,
    extraEnv: {
      PARAPET_MAIL_FROM: "Parapet <reports@parapet.local>",
      ...mailCatcherEnv(catcher),
      // The journeys are a dozen people signing in from one address (127.0.0.1, no proxy configured, so
      // one shared per-IP bucket): at the default 10 a minute a fast run hit 429 on the tour's sign-in.
      // The limit itself is tested by the API suite (account-takeover.int.test.ts).
      PARAPET_SIGNIN_PER_MINUTE: "60",
      // The rollout journey waits for a halt, which comes at the first tick after the stage's replay.
      PARAPET_ROLLOUTS_TICK_SEC: "5",
      PARAPET_TRUSTED_ORIGINS: `http://127.0.0.1:${oidcIdpPort}`,
      // The alerts journey waits for a denial written to a simulator's audit log (no cloud event announces it).
      PARAPET_DENIALS_TICK_SEC: "5",
    },
  };
  try {
    await migrate(dbUrl);
    const demoEnv = await startDemoEnvironment(opts, `http://127.0.0.1:${opts.port}`, join(ROOT, ".data", `e2e-sims-${id}`));
    const stack = await startApp(opts);
    try {
      const file = join(out, "playwright.json");
      await runStep(
        "browser journeys (Playwright, Debian Chromium)",
        "pnpm",
        ["--filter", "@parapet/e2e", "exec", "playwright", "test", ...extra],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            E2E_BASE_URL: stack.baseUrl,
            DATABASE_URL: dbUrl,
            PLAYWRIGHT_JSON_OUTPUT_NAME: file,
            CHROMIUM_PATH: CHROMIUM,
            // Journeys make out-of-band changes through the simulators' admin APIs, as a person would.
            E2E_SIMS: JSON.stringify({
              aws: demoEnv.sims.aws.url,
              azure: demoEnv.sims.azure.url,
              gcp: demoEnv.sims.gcp.url,
              oci: demoEnv.sims.oci.url,
            }),
            E2E_CONNECTIONS: JSON.stringify(demoEnv.connections),
            E2E_MAIL_URL: catcher.httpUrl,
            E2E_OIDC_IDP_PORT: String(oidcIdpPort),
            // Every part of the stack is up: a journey that finds one missing fails instead of skipping.
            E2E_FULL_STACK: "1",
          },
        },
      );
      const tally = playwrightTally(file);
      if (tally.failed > 0) printServerErrors(out);
      return tally;
    } finally {
      await stack.stop();
      await demoEnv.stop();
      rmSync(join(ROOT, ".data", `e2e-sims-${id}`), { recursive: true, force: true });
    }
  } finally {
    await catcher.close().catch(() => undefined);
    rmSync(join(ROOT, ".data", `e2e-mail-${id}`), { recursive: true, force: true });
    await dropDatabase(adminUrl, database).catch(() => undefined);
  }
}
