import { describe, expect, it } from "vitest";
import { diffCoverage, type CoverageRowInput } from "./coverage-rows.ts";

const row = (
  nodeId: string,
  guardrailId: string,
  status: CoverageRowInput["status"] = "enforced",
  detail: string | null = null,
): CoverageRowInput => ({ nodeId, guardrailId, status, fidelity: "enforced", detail });
const stored = (id: string, r: CoverageRowInput) => ({ id, ...r });

describe("diffCoverage", () => {
  it("writes nothing when every row is unchanged", () => {
    const rows = [row("n1", "g1"), row("n2", "g1", "audit")];
    const d = diffCoverage([stored("a", rows[0]!), stored("b", rows[1]!)], rows);
    expect(d).toEqual({ inserts: [], updates: new Map(), deletes: [] });
  });

  it("inserts new cells, deletes vanished ones and groups updates by their new values", () => {
    const existing = [
      stored("a", row("n1", "g1")),
      stored("b", row("n2", "g1")),
      stored("c", row("n3", "g1")),
      stored("d", row("gone", "g1")),
    ];
    const rows = [
      row("n1", "g1"),
      row("n2", "g1", "drifted", "x is not in place"),
      row("n3", "g1", "drifted", "x is not in place"),
      row("n4", "g1", "audit"),
    ];
    const d = diffCoverage(existing, rows);
    expect(d.inserts).toEqual([row("n4", "g1", "audit")]);
    expect(d.deletes).toEqual(["d"]);
    expect([...d.updates.values()]).toEqual([{ row: row("n2", "g1", "drifted", "x is not in place"), ids: ["b", "c"] }]);
  });

  it("treats a changed detail or fidelity as a change", () => {
    const d = diffCoverage([stored("a", row("n1", "g1", "pending", "limit A"))], [row("n1", "g1", "pending", "limit B")]);
    expect([...d.updates.values()].map((u) => u.ids)).toEqual([["a"]]);
  });
});
