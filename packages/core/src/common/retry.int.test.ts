/** A real Postgres deadlock, to pin down how Prisma and the pg adapter report it. */
import { afterAll, expect, it } from "vitest";
import { testPrisma } from "../testing/db.ts";
import { isTransactionConflict, retryOnConflict } from "./retry.ts";

const prisma = testPrisma();
afterAll(() => prisma.$disconnect());

async function deadlock(): Promise<unknown[]> {
  const a = `retry-a-${Date.now()}`;
  const b = `retry-b-${Date.now()}`;
  await prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS retry_probe (id text PRIMARY KEY, n int NOT NULL DEFAULT 0)`);
  await prisma.$executeRawUnsafe(`INSERT INTO retry_probe (id) VALUES ('${a}'), ('${b}')`);
  // Each side locks one row, waits until the other has too, then reaches for the other's row.
  let locked = 0;
  const bothLocked = () =>
    new Promise<void>((resolve) => {
      const tick = () => (locked >= 2 ? resolve() : setTimeout(tick, 5));
      tick();
    });
  const side = (first: string, second: string) =>
    prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`UPDATE retry_probe SET n = n + 1 WHERE id = '${first}'`);
        locked++;
        await bothLocked();
        await tx.$executeRawUnsafe(`UPDATE retry_probe SET n = n + 1 WHERE id = '${second}'`);
      },
      { timeout: 20_000 },
    );
  const results = await Promise.allSettled([side(a, b), side(b, a)]);
  return results.filter((r) => r.status === "rejected").map((r) => r.reason as unknown);
}

it("recognises the error Postgres raises to break a deadlock, and nothing else", async () => {
  const errors = await deadlock();
  expect(errors).toHaveLength(1);
  expect(isTransactionConflict(errors[0])).toBe(true);
  expect(isTransactionConflict(new Error("boom"))).toBe(false);
  expect(isTransactionConflict({ code: "P2002" })).toBe(false);
});

it("retries a conflicting transaction and gives up on other errors at once", async () => {
  let calls = 0;
  await expect(
    retryOnConflict(async () => {
      calls++;
      if (calls < 3) throw { code: "P2034" };
      return "done";
    }),
  ).resolves.toBe("done");
  expect(calls).toBe(3);
  calls = 0;
  await expect(
    retryOnConflict(async () => {
      calls++;
      throw new Error("not a conflict");
    }),
  ).rejects.toThrow("not a conflict");
  expect(calls).toBe(1);
});
