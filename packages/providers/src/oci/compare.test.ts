import { describe, expect, it } from "vitest";
import type { DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { compareOci, normaliseStatement, parapetTags, policyBodyFromCloud, securityPolicyKey, zoneBodyFromCloud } from "./compare.ts";
import { ociOwnerTags } from "./markers.ts";

const WS = "ws_1";
const C = "ocid1.compartment.oc1..aaaaaaaaprod";
const S1 = `deny group Agents to manage buckets in compartment id ${C} where request.permission = 'BUCKET_DELETE'`;
const S2 = `deny group Agents to manage objects in compartment id ${C} where request.permission = 'OBJECT_DELETE'`;

const policy = (statements = [S1, S2]): DesiredArtifact => ({
  kind: "oci.policy",
  name: "parapet-ws1-abc",
  body: { name: "parapet-ws1-abc", description: "Parapet guardrails: g1", compartmentId: C, statements, freeformTags: ociOwnerTags(WS) },
  attachments: [C],
  guardrailIds: ["g1"],
});

const observedPolicy = (
  over: Partial<{ statements: string[]; description: string; compartmentId: string; freeformTags: Record<string, string> }> = {},
): ObservedArtifact => ({
  kind: "oci.policy",
  name: "parapet-ws1-abc",
  externalId: "ocid1.policy.oc1..aaaa",
  body: policyBodyFromCloud({
    name: "parapet-ws1-abc",
    description: over.description ?? "Parapet guardrails: g1",
    compartmentId: over.compartmentId ?? C,
    statements: over.statements ?? [S1, S2],
    freeformTags: over.freeformTags ?? { "parapet-managed": WS },
  }),
  attachments: [C],
  owned: true,
});

describe("OCI policy comparison", () => {
  it("is equal regardless of statement order, spacing and customers' own tags", () => {
    const o = observedPolicy({
      statements: [`  ${S2.replace(/ /g, "  ")}`, S1],
      freeformTags: { "parapet-managed": WS, "cost-center": "42" },
    });
    expect(compareOci(policy(), o, WS)).toEqual({ equal: true });
  });

  it("calls a removed statement weakened", () => {
    const d = compareOci(policy(), observedPolicy({ statements: [S1] }), WS);
    expect(d).toMatchObject({ equal: false, kind: "weakened" });
    if (!d.equal) expect(d.detail).toContain("OBJECT_DELETE");
  });

  it("calls a loosened condition weakened even though a statement was also added", () => {
    const loosened = S1.replace("BUCKET_DELETE", "BUCKET_UPDATE");
    const d = compareOci(policy(), observedPolicy({ statements: [loosened, S2] }), WS);
    expect(d).toMatchObject({ equal: false, kind: "weakened" });
    if (!d.equal) expect(d.detail).toMatch(/removed or changed.*statements added/);
  });

  it("calls an added statement, a new description or a changed Parapet tag modified", () => {
    expect(compareOci(policy(), observedPolicy({ statements: [S1, S2, "Allow group A to read buckets in tenancy"] }), WS)).toMatchObject({
      kind: "modified",
    });
    expect(compareOci(policy(), observedPolicy({ description: "edited" }), WS)).toMatchObject({
      kind: "modified",
      detail: "description changed",
    });
    expect(compareOci(policy(), observedPolicy({ freeformTags: { "parapet-managed": WS, "parapet-note": "x" } }), WS)).toMatchObject({
      kind: "modified",
      detail: "Parapet tags changed",
    });
  });

  it("treats a desired body without the owner tag as carrying it (the adapter always writes it)", () => {
    const d = policy();
    (d.body as { freeformTags: Record<string, string> }).freeformTags = {};
    expect(compareOci(d, observedPolicy(), WS)).toEqual({ equal: true });
  });

  it("reports a malformed desired body instead of throwing", () => {
    expect(compareOci({ ...policy(), body: { name: 1 } }, observedPolicy(), WS)).toMatchObject({ equal: false, kind: "modified" });
  });
});

describe("OCI security zone comparison", () => {
  const ids = new Map([
    ["ocid1.securityzonessecuritypolicy.oc1..pub", "deny public_buckets"],
    ["ocid1.securityzonessecuritypolicy.oc1..vault", "deny buckets_without_vault_key"],
  ]);
  const zone: DesiredArtifact = {
    kind: "oci.security-zone",
    name: "parapet-zone-abc",
    body: {
      displayName: "parapet-zone-abc",
      compartmentId: C,
      securityPolicyNames: ["deny buckets_without_vault_key", "deny public_buckets"],
      workspaceId: WS,
    },
    attachments: [C],
    guardrailIds: ["g2"],
  };
  const observed = (policies: string[], displayName = "parapet-zone-abc"): ObservedArtifact => ({
    kind: "oci.security-zone",
    name: displayName,
    externalId: "ocid1.securityzonessecurityrecipe.oc1..r",
    body: zoneBodyFromCloud({ displayName, compartmentId: C, securityPolicies: policies, freeformTags: { "parapet-managed": WS } }, ids),
    attachments: [C],
    owned: true,
  });

  it("maps recipe policy ids back to friendly names and compares them as a set", () => {
    expect(
      compareOci(zone, observed(["ocid1.securityzonessecuritypolicy.oc1..vault", "ocid1.securityzonessecuritypolicy.oc1..pub"]), WS),
    ).toEqual({ equal: true });
  });

  it("calls a disabled zone policy weakened and an extra one modified", () => {
    expect(compareOci(zone, observed(["ocid1.securityzonessecuritypolicy.oc1..pub"]), WS)).toMatchObject({ kind: "weakened" });
    const extra = observed([
      "ocid1.securityzonessecuritypolicy.oc1..pub",
      "ocid1.securityzonessecuritypolicy.oc1..vault",
      "ocid1.securityzonessecuritypolicy.oc1..other",
    ]);
    expect(compareOci(zone, extra, WS)).toMatchObject({ kind: "modified" });
  });

  it("calls a renamed recipe modified", () => {
    const o = observed(["ocid1.securityzonessecuritypolicy.oc1..pub", "ocid1.securityzonessecuritypolicy.oc1..vault"], "renamed");
    expect(compareOci(zone, o, WS)).toMatchObject({ kind: "modified", detail: "recipe renamed to 'renamed'" });
  });
});

describe("normalisation helpers", () => {
  it("normalises whitespace in statements", () => {
    expect(normaliseStatement("  Allow  group A\tto read  buckets in tenancy ")).toBe("Allow group A to read buckets in tenancy");
  });

  it("accepts the spellings of a security zone policy people use", () => {
    for (const n of ["deny public_buckets", "Deny public buckets", "public_buckets", "DENY public-buckets"])
      expect(securityPolicyKey(n)).toBe("public_buckets");
  });

  it("keeps only Parapet's tags", () => {
    expect(parapetTags({ "parapet-managed": "w", team: "x" })).toEqual({ "parapet-managed": "w" });
    expect(parapetTags(null)).toEqual({});
  });
});
