/**
 * A good API key is never told it is invalid because its lookup failed once. @better-auth/api-key's
 * verifyApiKey turns any non-API error inside the lookup into `valid: false, INVALID_API_KEY`, so a
 * lookup that dies on a connection a failover has just killed looked like a bad key, and the caller got
 * 401 (dependency-recovery's failover case saw it now and then). The fault is injected once into the
 * real key lookup (PostgreSQL stays up), the way pg reports a killed connection: the lookup is a plain
 * statement on the Prisma client's own node-postgres pool (readRows, issue 15), so the fault goes into
 * that pool's `query` for the apikey statement only.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, type TestWorkspace } from "./harness.ts";

const prisma = getPrisma();
let ws: TestWorkspace;

beforeAll(async () => {
  ws = await createWorkspace(prisma, "Key lookup");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Makes the next `n` API-key row reads fail as a killed connection does; later reads are untouched. */
function failKeyLookups(n: number): { failed: () => number } {
  let failed = 0;
  // The pg module @parapet/db's pools are made from (the same module instance).
  const pg = createRequire(join(import.meta.dirname, "..", "..", "..", "..", "..", "..", "..", "packages", "db", "package.json"))("pg") as {
    Pool: { prototype: { query: (...args: unknown[]) => unknown } };
  };
  const original = pg.Pool.prototype.query;
  vi.spyOn(pg.Pool.prototype, "query").mockImplementation(function (this: unknown, ...args: unknown[]) {
    if (typeof args[0] === "string" && /FROM apikey WHERE key =/.test(args[0]) && failed < n) {
      failed++;
      return Promise.reject(new Error("Connection terminated unexpectedly"));
    }
    return original.apply(this, args);
  });
  return { failed: () => failed };
}

describe("API-key authentication when the key lookup fails once", () => {
  it("answers 200 for a good key (the lookup is tried again on a live connection), not 401", async () => {
    const fault = failKeyLookups(1);
    const r = await call("GET", "/guardrails", { key: ws.members.viewer.key });
    expect(fault.failed()).toBe(1);
    expect(r.status, r.text).toBe(200);
  });

  it("still answers 401 for a key that does not exist", async () => {
    const r = await call("GET", "/guardrails", { key: "pk_this_key_was_never_issued_0000000000" });
    expect(r.status).toBe(401);
  });
});
