/** Each checkout's demo gets a database and Redis prefix of its own (issue 22, finding 9). */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkoutId, demoDatabaseName, demoRedisPrefix } from "./checkout.ts";

const base = mkdtempSync(join(tmpdir(), "parapet-checkouts-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function checkout(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("a checkout's demo names", () => {
  it("two checkouts on one machine get different databases and Redis prefixes; one checkout keeps its own", () => {
    const main = checkout("parapet");
    const clone = checkout("n24-clone");
    expect(demoDatabaseName(main)).not.toBe(demoDatabaseName(clone));
    expect(demoRedisPrefix(main)).not.toBe(demoRedisPrefix(clone));
    expect(demoDatabaseName(main)).toBe(demoDatabaseName(main));
    // Named so a person can tell which checkout a database belongs to.
    expect(demoDatabaseName(clone)).toBe(`parapet_demo_n24_clone_${checkoutId(clone)}`);
  });

  it("two checkouts with the same directory name in different places are still apart", () => {
    const a = checkout("a/parapet");
    const b = checkout("b/parapet");
    expect(demoDatabaseName(a)).not.toBe(demoDatabaseName(b));
  });

  it("a path reached through a symlink is the same checkout", () => {
    const real = checkout("real-checkout");
    const link = join(base, "linked-checkout");
    symlinkSync(real, link);
    expect(demoDatabaseName(link)).toBe(demoDatabaseName(real));
  });

  it("any directory name makes a valid PostgreSQL database name (the demo creates it unquoted-safe)", () => {
    const odd = checkout(`Ünïcode dir — with spaces & "quotes" ${"x".repeat(80)}`);
    const name = demoDatabaseName(odd);
    expect(name).toMatch(/^[a-z0-9_]{1,63}$/);
    expect(demoDatabaseName(checkout("___"))).toBe(`parapet_demo_${checkoutId(join(base, "___"))}`);
  });
});
