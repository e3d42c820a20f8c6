import { describe, expect, it } from "vitest";
import { describeConnectError, redactUrl } from "./connectivity.ts";

describe("startup errors", () => {
  it("hides passwords", () => {
    expect(redactUrl("redis://user:hunter2@10.0.0.1:6379/0")).toBe("redis://user:***@10.0.0.1:6379/0");
  });
  it("names the variable, the address and the reason in one line", () => {
    const line = describeConnectError({ code: "ECONNREFUSED" }, "REDIS_URL", "redis://127.0.0.1:6390");
    expect(line).toBe("cannot reach REDIS_URL=redis://127.0.0.1:6390 (ECONNREFUSED)");
    expect(describeConnectError({ code: "28000", message: `role "x" does not exist` }, "DATABASE_URL", "postgresql://x@h/d")).toBe(
      `cannot reach DATABASE_URL=postgresql://x@h/d (role "x" does not exist)`,
    );
    expect(line).not.toContain("\n");
  });
});
