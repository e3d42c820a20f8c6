import { describe, expect, it } from "vitest";
import { paramWeakenings, weakeningReasons } from "./weakening.ts";
import type { TVersionSpec } from "./guardrails.schema.ts";

const base: TVersionSpec = { params: {}, scope: { all: true }, mode: "enforce", remediation: "auto" };
const set = (...ids: string[]) => new Set(ids);

describe("weakening", () => {
  it("an identical change or a wider scope is not weakening", () => {
    expect(weakeningReasons({ before: base, after: base, selectedBefore: set("a"), selectedAfter: set("a") })).toEqual([]);
    expect(weakeningReasons({ before: base, after: base, selectedBefore: set("a"), selectedAfter: set("a", "b") })).toEqual([]);
  });
  it("dropping an environment, enforce → audit and auto → notify are weakening", () => {
    const r = weakeningReasons({
      before: base,
      after: { ...base, mode: "audit", remediation: "notify" },
      selectedBefore: set("a", "b"),
      selectedAfter: set("b", "c"),
    });
    expect(r).toEqual(["scope: 1 environment would no longer be covered", "mode: enforce → audit", "remediation: auto → notify"]);
  });
  it("audit → enforce and notify → auto are strengthening", () => {
    const before = { ...base, mode: "audit" as const, remediation: "notify" as const };
    expect(weakeningReasons({ before, after: base, selectedBefore: set("a"), selectedAfter: set("a") })).toEqual([]);
  });
  it("fewer actions in a protective list weakens; more does not", () => {
    expect(
      paramWeakenings({ additionalAwsActions: ["s3:DeleteBucket", "rds:DeleteDBInstance"] }, { additionalAwsActions: ["s3:DeleteBucket"] }),
    ).toEqual(['params.additionalAwsActions: removes "rds:DeleteDBInstance"']);
    expect(paramWeakenings({ additionalAwsActions: ["s3:DeleteBucket"] }, { additionalAwsActions: ["s3:DeleteBucket", "x:Y"] })).toEqual(
      [],
    );
  });
  it("turning a protective flag off weakens; allow-list changes always need approval", () => {
    expect(paramWeakenings({ protectAgentTag: true }, { protectAgentTag: false })).toEqual(["params.protectAgentTag: turned off"]);
    expect(paramWeakenings({ protectAgentTag: false }, { protectAgentTag: true })).toEqual([]);
    expect(paramWeakenings({ allowedExternalAccountIds: [] }, { allowedExternalAccountIds: ["123456789012"] })).toEqual([
      "params.allowedExternalAccountIds: changed",
    ]);
  });
});
