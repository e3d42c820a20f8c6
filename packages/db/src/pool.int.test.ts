/**
 * The database closing a connection in the middle of an interactive transaction (a restart, a
 * failover, a killed backend) must not cost the pool that connection for good.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { createPrisma, isDatabaseUnavailable, readRows } from "./index.ts";

// This file's own database, from the int project's per-file setup (test-support/per-file-setup.ts;
// read directly, not through @parapet/core/testing: db depends on nothing).
const url = process.env.PARAPET_TEST_DATABASE_URL!;
const admin = new pg.Client({ connectionString: url });
afterAll(() => admin.end());

it("keeps answering after more mid-transaction disconnects than the pool has connections", async () => {
  await admin.connect();
  const prisma = createPrisma({ url, max: 2 });
  try {
    for (let i = 0; i < 4; i++) {
      const failed = await prisma
        .$transaction(async (tx) => {
          const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          await admin.query("SELECT pg_terminate_backend($1)", [row!.pid]);
          await new Promise((r) => setTimeout(r, 100));
          await tx.$queryRaw`SELECT 1`;
        })
        .then(
          () => false,
          () => true,
        );
      expect(failed).toBe(true);
    }
    // Before the fix this waited forever for a free connection (Prisma never released the dead ones).
    const answer = await Promise.race([
      prisma.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`,
      new Promise<"hung">((r) => setTimeout(() => r("hung"), 10_000)),
    ]);
    expect(answer).toEqual([{ ok: 1 }]);
  } finally {
    await prisma.$disconnect();
  }
});

it("survives the database closing idle and borrowed connections, and closes them all on $disconnect", async () => {
  await admin.connect().catch(() => undefined); // already connected by the test above when run together
  // Tagged so that only this pool's backends are killed: other files share the run's database.
  const tagged = new URL(url);
  tagged.searchParams.set("application_name", "pool-int-idle-kill");
  const prisma = createPrisma({ url: tagged.toString(), max: 3 });
  // Without listeners either case is an uncaught exception, which fails this file in vitest and kills a
  // worker or web process in production.
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on("uncaughtException", onUncaught);
  try {
    // Open three pooled connections and leave them idle.
    await Promise.all([1, 2, 3].map(() => prisma.$queryRaw`SELECT 1 AS ok FROM pg_sleep(0.05)`));
    const killIdle = async () => {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool-int-idle-kill' AND state = 'idle'",
      );
      await new Promise((r) => setTimeout(r, 200));
    };
    await killIdle();
    expect(await prisma.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);

    // A connection checked out by a transaction that dies while the transaction waits between queries.
    const failed = await prisma
      .$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        await admin.query("SELECT pg_terminate_backend($1)", [row!.pid]);
        await new Promise((r) => setTimeout(r, 200));
        await tx.$queryRaw`SELECT 1`;
      })
      .then(
        () => false,
        () => true,
      );
    expect(failed).toBe(true);
    await killIdle();
    expect(await prisma.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
    // $disconnect() ends the pool: no connection is left open to die unheard later.
    await prisma.$disconnect();
    // The client closes its sockets at once; each server backend notices and exits a moment later, so
    // pg_stat_activity is read until it settles (seen in CI under load: one backend still listed).
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      left = (
        await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pool-int-idle-kill'")
      ).rows[0]!.n;
    }
    expect(left).toBe(0);
    expect(uncaught).toEqual([]);
  } finally {
    process.off("uncaughtException", onUncaught);
    await prisma.$disconnect();
  }
});

it("gives up on a blackholed database after the connect timeout, with an error classified as unavailable", async () => {
  // A server that accepts TCP and never answers: what a failover moving the address, or a dropped route,
  // looks like from the pool. Before the connect timeout every query here waited for the OS (minutes).
  const sockets: Socket[] = [];
  const hole = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => hole.listen(0, "127.0.0.1", r));
  const port = (hole.address() as AddressInfo).port;
  const prisma = createPrisma({ url: `postgresql://postgres@127.0.0.1:${port}/blackhole`, connectionTimeoutMs: 1000 });
  try {
    const t0 = Date.now();
    const outcome = await Promise.race([
      prisma.$queryRaw`SELECT 1`.then(
        () => "answered",
        (e: unknown) => e,
      ),
      new Promise<"hung">((r) => setTimeout(() => r("hung"), 8000)),
    ]);
    expect(outcome).toBeInstanceOf(Error);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    // The same for a model query (Prisma wraps it differently) and a refused port.
    expect(isDatabaseUnavailable(await prisma.member.count().catch((e: unknown) => e))).toBe(true);
  } finally {
    await prisma.$disconnect().catch(() => undefined);
    for (const s of sockets) s.destroy();
    hole.close();
  }
  const refused = createPrisma({ url: `postgresql://postgres@127.0.0.1:${port}/gone`, connectionTimeoutMs: 1000 });
  try {
    const e = await refused.member.count().catch((x: unknown) => x);
    expect(isDatabaseUnavailable(e)).toBe(true);
  } finally {
    await refused.$disconnect().catch(() => undefined);
  }
});

it("classifies a terminated backend as unavailable and a bad query as not", async () => {
  await admin.connect().catch(() => undefined);
  const tagged = new URL(url);
  tagged.searchParams.set("application_name", "pool-int-classify");
  const prisma = createPrisma({ url: tagged.toString(), max: 1 });
  try {
    const killed = await prisma
      .$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool-int-classify'");
        await new Promise((r) => setTimeout(r, 100));
        await tx.$queryRaw`SELECT 1`;
      })
      .catch((e: unknown) => e);
    expect(isDatabaseUnavailable(killed)).toBe(true);
    const bad = await prisma.$queryRawUnsafe("SELECT * FROM no_such_table_here").catch((e: unknown) => e);
    expect(isDatabaseUnavailable(bad)).toBe(false);
    const short = createPrisma({ url, statementTimeoutMs: 200 });
    const timedOut = await short.$queryRaw`SELECT pg_sleep(2)`.catch((e: unknown) => e);
    await short.$disconnect();
    expect(isDatabaseUnavailable(timedOut)).toBe(true);
  } finally {
    await prisma.$disconnect();
  }
});

it("turns PostgreSQL's JIT off on its connections (through Prisma and readRows), unless the URL sets options itself", async () => {
  const prisma = createPrisma({ url, max: 2 });
  const withOwn = createPrisma({ url: `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent("-c jit=on")}`, max: 1 });
  try {
    expect(await prisma.$queryRaw<{ jit: string }[]>`SELECT current_setting('jit') AS jit`).toEqual([{ jit: "off" }]);
    expect(await readRows<{ jit: string }>(prisma, "SELECT current_setting('jit') AS jit")).toEqual([{ jit: "off" }]);
    expect(await readRows<{ jit: string }>(withOwn, "SELECT current_setting('jit') AS jit")).toEqual([{ jit: "on" }]);
  } finally {
    await prisma.$disconnect();
    await withOwn.$disconnect();
  }
});
