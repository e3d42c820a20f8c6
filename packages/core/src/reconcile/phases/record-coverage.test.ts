import { describe, expect, it } from "vitest";
import type { DesiredArtifact, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import type { CoverageIntent, DesiredState } from "../desired-state.ts";
import { coverageRowsFor } from "./record-coverage.ts";

const scp: DesiredArtifact = { kind: "aws.scp", name: "parapet-a", body: {}, attachments: ["ou-1"], guardrailIds: ["g1"] };
const held = (attachments: string[]): ObservedArtifact => ({
  kind: "aws.scp",
  name: "parapet-a",
  externalId: "p-1",
  body: {},
  attachments,
  owned: true,
});
const intent = (over: Partial<CoverageIntent> = {}): CoverageIntent => ({
  guardrailId: "g1",
  nodeId: "n1",
  status: "enforced",
  fidelity: "enforced",
  requires: [{ kind: "aws.scp", name: "parapet-a", target: "ou-1" }],
  ...over,
});
const state = (coverage: CoverageIntent[], problems: DesiredState["problems"] = []) => ({ artifacts: [scp], coverage, problems });
const observed = (artifacts: ObservedArtifact[], unreadable: ObservedState["unreadable"] = []): ObservedState => ({
  artifacts,
  foreignSlots: {},
  unreadable,
});

describe("coverage rows of a run", () => {
  it("is enforced when every artifact it requires is attached where it should be", () => {
    expect(coverageRowsFor(state([intent()]), observed([held(["ou-1"])]), false)).toEqual([
      { nodeId: "n1", guardrailId: "g1", status: "enforced", fidelity: "enforced", detail: null },
    ]);
  });

  it("is drifted when a required attachment is missing, pending when an apply failed this run", () => {
    const missing = observed([held([])]);
    expect(coverageRowsFor(state([intent()]), missing, false)[0]).toMatchObject({
      status: "drifted",
      detail: "parapet-a is not in place on ou-1",
    });
    expect(coverageRowsFor(state([intent()]), missing, true)[0]).toMatchObject({
      status: "pending",
      detail: "parapet-a is not in place on ou-1",
    });
  });

  it("is unknown, never drifted, when what it requires could not be read", () => {
    const rows = coverageRowsFor(state([intent()]), observed([], [{ target: "ou-1", reason: "AccessDenied" }]), false);
    expect(rows[0]).toMatchObject({ status: "unknown", detail: "could not read parapet-a" });
  });

  it("is pending with the problem's text when a limit or compile problem held the guardrail back", () => {
    const rows = coverageRowsFor(
      state([intent()], [{ code: "limit", message: "Target ou-1 has no free SCP slot", guardrailIds: ["g1"] }]),
      observed([held(["ou-1"])]),
      false,
    );
    expect(rows[0]).toMatchObject({ status: "pending", detail: "Target ou-1 has no free SCP slot" });
  });

  it("keeps what desired state said for rows it does not check (exempt, audit)", () => {
    const rows = coverageRowsFor(
      state([intent({ status: "exempt", requires: [] }), intent({ nodeId: "n2", status: "audit" })]),
      observed([]),
      false,
    );
    expect(rows.map((r) => [r.nodeId, r.status])).toEqual([
      ["n1", "exempt"],
      ["n2", "audit"],
    ]);
  });
});
