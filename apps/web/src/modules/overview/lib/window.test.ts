import { describe, expect, it } from "vitest";
import { groupByConnection, visibleRange } from "./window.ts";

describe("visibleRange", () => {
  it("mounts only the rows in view plus overscan at 10,000 rows", () => {
    const r = visibleRange(28 * 5000, 560, 28, 10_000, 8);
    expect(r.start).toBe(4992);
    expect(r.end).toBe(5000 + 21 + 8);
    expect(r.end - r.start).toBeLessThan(50);
    expect(r.padTop + (r.end - r.start) * 28 + r.padBottom).toBe(10_000 * 28);
  });
  it("clamps at both ends", () => {
    expect(visibleRange(-50, 300, 30, 5, 2)).toEqual({ start: 0, end: 5, padTop: 0, padBottom: 0 });
    const end = visibleRange(1e9, 300, 30, 100, 2);
    expect(end.end).toBe(100);
    expect(end.start).toBeLessThanOrEqual(100);
    expect(end.padBottom).toBe(0);
  });
  it("returns an empty window for no rows", () => {
    expect(visibleRange(0, 300, 30, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe("groupByConnection", () => {
  it("inserts a header where the connection changes", () => {
    const rows = [
      { node: { id: "a", connectionId: "c1" } },
      { node: { id: "b", connectionId: "c1" } },
      { node: { id: "c", connectionId: "c2" } },
    ];
    const lines = groupByConnection(rows);
    expect(lines.map((l) => (l.type === "group" ? `#${l.connectionId}` : l.row.node.id))).toEqual(["#c1", "a", "b", "#c2", "c"]);
  });
});
