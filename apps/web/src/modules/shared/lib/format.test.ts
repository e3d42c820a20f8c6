import { describe, expect, it } from "vitest";
import { ago, until } from "./format";

const now = Date.parse("2026-11-25T12:00:00Z");
const at = (s: number) => new Date(now + s * 1000).toISOString();

describe("relative times", () => {
  it("until says how far ahead a moment is, and expired once past", () => {
    expect(until(at(7 * 86_400), now)).toBe("in 7 d");
    expect(until(at(3 * 3600), now)).toBe("in 3 h");
    expect(until(at(20), now)).toBe("in 1 min");
    expect(until(at(-5), now)).toBe("expired");
    expect(until(null, now)).toBe("–");
  });

  it("ago says how long since", () => {
    expect(ago(at(-2 * 3600), now)).toBe("2 h ago");
    expect(ago(at(-10), now)).toBe("just now");
  });
});
