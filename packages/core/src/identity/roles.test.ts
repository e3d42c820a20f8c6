import { describe, expect, it } from "vitest";
import { can, ROLES, STATEMENTS, type Resource } from "./roles.ts";

describe("roles", () => {
  it("owner can do everything", () => {
    for (const [r, actions] of Object.entries(STATEMENTS)) {
      for (const a of actions) expect(can("owner", r as Resource, a as never)).toBe(true);
    }
  });
  it("viewer can only read", () => {
    expect(can("viewer", "guardrail", "read")).toBe(true);
    expect(can("viewer", "guardrail", "write")).toBe(false);
    expect(can("viewer", "approval", "decide")).toBe(false);
    expect(can("viewer", "connection", "write")).toBe(false);
  });
  it("authors write guardrails but cannot approve; approvers approve but cannot author", () => {
    expect(can("author", "guardrail", "write")).toBe(true);
    expect(can("author", "approval", "decide")).toBe(false);
    expect(can("approver", "approval", "decide")).toBe(true);
    expect(can("approver", "guardrail", "write")).toBe(false);
  });
  it("only admin and owner manage connections and tokens", () => {
    const allowed = ROLES.filter((r) => can(r, "connection", "write"));
    expect(allowed.sort()).toEqual(["admin", "owner"]);
    expect(ROLES.filter((r) => can(r, "token", "manage")).sort()).toEqual(["admin", "owner"]);
  });
});
