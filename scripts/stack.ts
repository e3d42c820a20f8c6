/**
 * The two README commands after bootstrap (scripts/parapet.mjs): `demo` starts Parapet in demo mode,
 * `test` runs every test. Both find or start PostgreSQL and Redis (lib/services.ts).
 */
import { join } from "node:path";
import { DEMO_USERS } from "@parapet/core/seed/demo-identity";
import { mailCatcherEnv, startMailCatcher } from "@parapet/core/reports/mail-catcher";
import { createPrisma } from "@parapet/db";
import { parseMasterKey } from "@parapet/core";
import { assertSealedWithOurKey, demoDatabaseName, demoRedisPrefix, ForeignKeyError } from "./lib/checkout.ts";
import { fail, log } from "./lib/log.ts";
import { databaseUrl, ensureDatabase, resolveServices } from "./lib/services.ts";
import { buildWeb, freePort, loadOrCreateSecrets, migrate, ROOT, startApp, startDemoEnvironment } from "./lib/stack.ts";
import { demoHistory } from "./lib/demo-history.ts";
import { runDemoStory } from "./lib/demo-story.ts";
import { runTests } from "./lib/test-runner.ts";

const DATA = join(ROOT, ".data");

async function demo(): Promise<void> {
  const services = await resolveServices(DATA);
  let stopping = false;
  const cleanups: Array<() => Promise<void>> = [() => services.stop()];
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping…");
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  // An explicit DATABASE_URL names its own database; otherwise the demo lives in this checkout's own
  // (another checkout's demo on this machine has other secrets: lib/checkout.ts).
  const dbName = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL).pathname.slice(1) : demoDatabaseName(ROOT);
  const dbUrl = process.env.DATABASE_URL ?? databaseUrl(services.adminDatabaseUrl, dbName);
  if (!process.env.DATABASE_URL) await ensureDatabase(services.adminDatabaseUrl, dbName);
  log(`demo database ${dbName}${process.env.DATABASE_URL ? " (DATABASE_URL)" : " (this checkout's; DATABASE_URL chooses another)"}`);
  await migrate(dbUrl);
  const secrets = loadOrCreateSecrets(DATA);
  const prisma = createPrisma({ url: dbUrl, max: 1 });
  try {
    const current = parseMasterKey(secrets.masterKeyId, secrets.masterKey);
    await assertSealedWithOurKey(prisma, { current, all: [current] }, { database: dbName, secretsFile: join(DATA, "secrets.json") });
  } catch (e) {
    if (!(e instanceof ForeignKeyError)) throw e;
    await services.stop();
    fail(e.message);
  } finally {
    await prisma.$disconnect();
  }
  const port = await freePort(Number(process.env.PARAPET_PORT ?? 3000));
  // Demo mail goes to a local SMTP catcher whose inbox page shows what was sent.
  const catcher = await startMailCatcher({ port: await freePort(2525), httpPort: await freePort(8025), dir: join(DATA, "mail") });
  cleanups.push(() => catcher.close());
  const opts = {
    databaseUrl: dbUrl,
    redisUrl: services.redisUrl,
    redisPrefix: process.env.PARAPET_REDIS_PREFIX ?? demoRedisPrefix(ROOT),
    port,
    secrets,
    auditCheckpointDir: join(DATA, "audit-checkpoints"),
    extraEnv: { PARAPET_DEMO: "1", PARAPET_MAIL_FROM: "Parapet <reports@parapet.local>", ...mailCatcherEnv(catcher) },
  };
  log("starting the cloud simulators (state in .data/sims)");
  const demoEnv = await startDemoEnvironment(opts, `http://127.0.0.1:${port}`, join(DATA, "sims"));
  cleanups.push(() => demoEnv.stop());
  if ((await buildWeb()) !== 0) fail("next build failed");
  log("starting worker and web");
  const stack = await startApp(opts);
  cleanups.push(() => stack.stop());
  const owner = DEMO_USERS[0]!;
  console.log(
    [
      "",
      `  \x1b[1mParapet is running in demo mode\x1b[0m`,
      `  URL:      ${stack.baseUrl}`,
      `  Login:    ${owner.email}`,
      `  Password: ${owner.password}`,
      `  (also ${DEMO_USERS.slice(1)
        .map((u) => `${u.email} as ${u.role}`)
        .join(", ")}; same password)`,
      `  Clouds:   ${[demoEnv.sims.aws, demoEnv.sims.azure, demoEnv.sims.gcp, demoEnv.sims.oci].map((s) => `${s.cloud} ${s.url}`).join(", ")}`,
      `            (simulated; connected in the demo workspace: ${Object.keys(demoEnv.connections).join(", ")})`,
      `  Mail:     ${catcher.httpUrl} (weekly reports and invitation e-mails sent in demo mode land here)`,
      `  Ctrl-C stops everything this command started.`,
      "",
    ].join("\n"),
  );
  // The story of the workspace's first weeks plays through the running product (lib/demo-story.ts);
  // the console is usable meanwhile and fills in as the engine works. A restarted demo keeps its story.
  const historyDb = createPrisma({ url: dbUrl, max: 2 });
  cleanups.push(() => historyDb.$disconnect());
  const [storyOwner, approver] = [DEMO_USERS[0]!, DEMO_USERS.find((u) => u.role === "approver")!];
  void runDemoStory({
    baseUrl: stack.baseUrl,
    sims: { gcp: demoEnv.sims.gcp.url },
    owner: storyOwner.email,
    approver: approver.email,
    password: storyOwner.password,
    log,
    onDay: demoHistory(historyDb, demoEnv.workspaceId, log),
  }).then(
    (r) =>
      log(
        r.played ? "the demo workspace's story is in place: every page has something to show" : "the demo workspace already has its story",
      ),
    (e: unknown) => {
      if (!stopping) log(`the demo story stopped early (${e instanceof Error ? e.message : String(e)}); the demo itself runs on`);
    },
  );
  for (const p of stack.procs) {
    p.child.once("exit", (code) => {
      if (!stopping) {
        log(`${p.name} exited (${code}); stopping`);
        void shutdown(1);
      }
    });
  }
}

const mode = process.argv[2];
if (mode === "demo") await demo();
else if (mode === "test") process.exit(await runTests(process.argv.slice(3)));
