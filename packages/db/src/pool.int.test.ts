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
