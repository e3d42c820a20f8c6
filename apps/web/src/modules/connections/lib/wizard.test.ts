import { describe, expect, it } from "vitest";
import { readWizardState, stepIndex } from "./wizard.ts";

describe("wizard state", () => {
  it("keeps known fields and drops anything malformed", () => {
    expect(readWizardState({ step: "baseline", baseline: ["a", 3, "b"], mode: "enforce", extra: 1 })).toEqual({
      step: "baseline",
      baseline: ["a", "b"],
      mode: "enforce",
    });
    expect(readWizardState({ step: "nonsense", mode: "loud" })).toEqual({});
    expect(readWizardState(null)).toEqual({});
  });
  it("orders steps, with done after the last", () => {
    expect(stepIndex("cloud")).toBe(0);
    expect(stepIndex("verify")).toBeLessThan(stepIndex("hierarchy"));
    expect(stepIndex("done")).toBe(stepIndex("start") + 1);
  });
});
