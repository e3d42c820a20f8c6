import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, unstorableIssue, unstorableString } from "./unstorable.ts";

describe("unstorableIssue", () => {
  it("names the first string PostgreSQL cannot store, in document order", () => {
    expect(unstorableString({ a: "ok", b: ["x", "y\u0000"], c: "\ud800" }, [])).toBe("b.1");
    expect(unstorableString({ "k\u0000": 1 }, [])).toBe("(key)");
    expect(unstorableString("\udc00", [])).toBe("body");
    expect(unstorableString({ emoji: "🙂", text: "ünïcödé" }, [])).toBeNull();
  });

  it("refuses nesting past MAX_JSON_DEPTH without overflowing the stack", () => {
    const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000)) as unknown;
    expect(unstorableIssue(deep)).toEqual({ field: "0.0.0…", message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    // MAX_JSON_DEPTH objects inside one another are fine; one more is refused.
    let ok: unknown = "leaf";
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) ok = { a: ok };
    expect(unstorableIssue({ params: ok })).toBeNull();
    expect(unstorableIssue({ params: { a: ok } })).toEqual({
      field: "params.a.a…",
      message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });
});
