import { describe, expect, it } from "vitest";
import { loadEnv } from "./env.ts";

const base = { DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/parapet" };

describe("worker configuration: the reconcile lease", () => {
  it("defaults to 60 s", () => {
    expect(loadEnv(base).PARAPET_RECONCILE_LEASE_SEC).toBe(60);
  });

  it("takes whole seconds from 3 to 3600", () => {
    expect(loadEnv({ ...base, PARAPET_RECONCILE_LEASE_SEC: "3" }).PARAPET_RECONCILE_LEASE_SEC).toBe(3);
    expect(loadEnv({ ...base, PARAPET_RECONCILE_LEASE_SEC: "3600" }).PARAPET_RECONCILE_LEASE_SEC).toBe(3600);
  });

  it.each([
    ["2", /PARAPET_RECONCILE_LEASE_SEC: PARAPET_RECONCILE_LEASE_SEC must be at least 3/],
    ["3601", /PARAPET_RECONCILE_LEASE_SEC: PARAPET_RECONCILE_LEASE_SEC must be at most 3600/],
    ["1.5", /PARAPET_RECONCILE_LEASE_SEC: PARAPET_RECONCILE_LEASE_SEC must be a whole number of seconds/],
    ["a minute", /PARAPET_RECONCILE_LEASE_SEC: PARAPET_RECONCILE_LEASE_SEC must be a whole number of seconds/],
  ])("refuses %j, naming the variable", (value, message) => {
    expect(() => loadEnv({ ...base, PARAPET_RECONCILE_LEASE_SEC: value })).toThrow(message);
  });
});
