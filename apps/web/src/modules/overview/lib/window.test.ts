import { describe, expect, it } from "vitest";
import { groupByHierarchy, visibleRange } from "./window.ts";

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

describe("groupByHierarchy", () => {
  it("inserts a connection header where the connection changes and a branch header where the parent changes", () => {
    const rows = [
      { node: { id: "a", connectionId: "c1", path: ["Root", "Dev"], parentId: "dev" } },
      { node: { id: "b", connectionId: "c1", path: ["Root", "Prod"], parentId: "prod" } },
      { node: { id: "c", connectionId: "c1", path: ["Root", "Prod"], parentId: "prod" } },
      { node: { id: "d", connectionId: "c2", path: ["Tenant"], parentId: "t" } },
    ];
    const lines = groupByHierarchy(rows);
    expect(
      lines.map((l) => (l.type === "group" ? `#${l.connectionId}` : l.type === "branch" ? `/${l.path.join("/")}` : l.row.node.id)),
    ).toEqual(["#c1", "/Root/Dev", "a", "/Root/Prod", "b", "c", "#c2", "/Tenant", "d"]);
  });
  it("tells two same-named branches apart by parent, and repeats a branch resumed after a sub-branch", () => {
    const rows = [
      { node: { id: "a", connectionId: "c1", path: ["Root", "Team"], parentId: "t1" } },
      { node: { id: "b", connectionId: "c1", path: ["Root", "Team"], parentId: "t2" } },
      { node: { id: "c", connectionId: "c1", path: ["Root", "Team"], parentId: "t1" } },
    ];
    expect(groupByHierarchy(rows).filter((l) => l.type === "branch")).toHaveLength(3);
  });
});
