/* eslint-disable @typescript-eslint/no-unsafe-assignment -- asymmetric matchers (expect.stringMatching) are typed any */
import { describe, expect, it } from "vitest";
import { awsPatternIsWildcardOnly, principalWeakenings, wildcardOnlyIssues } from "./principal-change.ts";

describe("wildcard-only principal patterns", () => {
  it("AWS: a wildcard type or a name of wildcards only names everyone", () => {
    for (const p of [
      "arn:aws:iam::*:role/*",
      "arn:aws:iam::*:*",
      "arn:aws:iam::*:r*",
      "arn:aws:iam::123456789012:role/*/*",
      "arn:aws:sts::*:assumed-role/*",
      "arn:aws-us-gov:iam::*:user/?*",
    ]) {
      expect(awsPatternIsWildcardOnly(p), p).toBe(true);
    }
    for (const p of [
      "arn:aws:iam::*:role/BreakGlass*",
      "arn:aws:iam::*:role/ParapetConnector",
      "arn:aws:iam::*:role/security/*-admin",
      "arn:aws:sts::*:assumed-role/Ops/*",
    ]) {
      expect(awsPatternIsWildcardOnly(p), p).toBe(false);
    }
  });

  it("GCP populations and OCI any-user/any-group are refused, naming the field", () => {
    expect(
      wildcardOnlyIssues("gcp", {
        breakGlass: [
          "principal://iam.googleapis.com/projects/-/serviceAccounts/bg@p.iam.gserviceaccount.com",
          "principalSet://goog/public:all",
        ],
      }),
    ).toEqual([{ field: "principals.breakGlass.1", message: expect.stringMatching(/whole population/) }]);
    expect(
      wildcardOnlyIssues("gcp", {
        connector: ["principalSet://cloudresourcemanager.googleapis.com/organizations/123/type/ServiceAccount"],
      }),
    ).toHaveLength(1);
    expect(
      wildcardOnlyIssues("oci", { breakGlass: { groups: ["BreakGlass", "Default/any-user"], dynamicGroups: ["any-group"] } }).map(
        (i) => i.field,
      ),
    ).toEqual(["principals.breakGlass.groups.1", "principals.breakGlass.dynamicGroups.0"]);
    expect(wildcardOnlyIssues("azure", { breakGlass: { groupObjectIds: ["00000000-0000-0000-0000-000000000000"] } })).toEqual([]);
  });
});

describe("principal change evaluation", () => {
  it("widening an exempt class or narrowing a subject class weakens; the opposite does not", () => {
    expect(principalWeakenings("aws", {}, { breakGlass: { roleArnPatterns: ["arn:aws:iam::*:role/BreakGlassEU*"] } })).toEqual([]);
    expect(principalWeakenings("aws", {}, { breakGlass: { roleArnPatterns: ["arn:aws:iam::*:role/Break*"] } })).toEqual([
      "principals.breakGlass: every deny would also spare arn:aws:iam::*:role/Break*",
    ]);
    // `?` in the old pattern cannot vouch for a `*` in the new one.
    expect(
      principalWeakenings(
        "aws",
        { connector: { roleArnPatterns: ["arn:aws:iam::*:role/P?"] } },
        { connector: { roleArnPatterns: ["arn:aws:iam::*:role/P*"] } },
      ),
    ).toHaveLength(1);
    expect(
      principalWeakenings("aws", {}, { agents: { tag: { key: "agent", value: "true" }, roleArnPatterns: ["arn:aws:iam::*:role/Bot*"] } }),
    ).toEqual([]);
    expect(principalWeakenings("aws", {}, { agents: { roleArnPatterns: ["arn:aws:iam::*:role/Bot*"] } })).toEqual([
      "principals.agents: denies aimed at this class would no longer reach tag:agent=true",
    ]);
    expect(
      principalWeakenings(
        "gcp",
        { connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com"] },
        {
          connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com"],
          breakGlass: ["principalSet://goog/group/bg@example.com"],
        },
      ),
    ).toEqual(["principals.breakGlass: every deny would also spare principalSet://goog/group/bg@example.com"]);
    expect(principalWeakenings("oci", { nonProd: { groups: ["NonProd", "Test"] } }, { nonProd: { groups: ["NonProd"] } })).toEqual([
      "principals.nonProd: denies aimed at this class would no longer reach groups:Test",
    ]);
  });
});
