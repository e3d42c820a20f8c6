/**
 * The database closing a connection in the middle of an interactive transaction (a restart, a
 * failover, a killed backend) must not cost the pool that connection for good.
 */
import pg from "pg";
import { afterAll, expect, inject, it } from "vitest";
import { createPrisma } from "./index.ts";

// The int project's global setup provides the run's database (declared here: db depends on nothing).
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const url = inject("databaseUrl");
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
        .then(() => false, () => true);
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
      .then(() => false, () => true);
    expect(failed).toBe(true);
    await killIdle();
    expect(await prisma.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
    // $disconnect() ends the pool: no connection is left open to die unheard later.
    await prisma.$disconnect();
    const left = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pool-int-idle-kill'");
    expect(left.rows[0]).toEqual({ n: 0 });
    expect(uncaught).toEqual([]);
  } finally {
    process.off("uncaughtException", onUncaught);
    await prisma.$disconnect();
  }
});
