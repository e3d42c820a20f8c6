import { describe, expect, it } from "vitest";
import { awsPolicyBodyFromCloud, compareAwsPolicy } from "./compare.ts";
import { canonicalStatement } from "./packing.ts";
import type { TAwsOrgPolicy, TIamStatement } from "./types.ts";

const NO_DELETE: TIamStatement = {
  Sid: "AgentsNoDelete",
  Effect: "Deny",
  Action: ["s3:DeleteBucket", "s3:DeleteObject", "dynamodb:DeleteTable"],
  Resource: "*",
  Condition: {
    StringEquals: { "aws:PrincipalTag/agent": "true" },
    ArnNotLike: { "aws:PrincipalARN": "arn:aws:iam::*:role/ParapetConnector" },
  },
};
const REGION: TIamStatement = {
  Sid: "DenyOtherRegions",
  Effect: "Deny",
  NotAction: ["iam:*", "sts:*"],
  Resource: "*",
  Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "us-east-1"] } },
};

function desired(statements: TIamStatement[]): TAwsOrgPolicy {
  const document = { Version: "2012-10-17" as const, Statement: statements.map(canonicalStatement) };
  return {
    name: "parapet-ws-abc",
    description: "Parapet SCP: g1",
    type: "SCP",
    document,
    content: JSON.stringify(document),
    tags: { "parapet:managed": "ws" },
  };
}

/** What DescribePolicy would hand back after a person saved `doc` (any formatting). */
function observed(doc: unknown, over: Partial<{ name: string; description: string }> = {}) {
  return awsPolicyBodyFromCloud({
    name: over.name ?? "parapet-ws-abc",
    description: over.description ?? "Parapet SCP: g1",
    type: "SCP",
    content: typeof doc === "string" ? doc : JSON.stringify(doc, null, 2),
    tags: {},
  });
}

const edit = (s: TIamStatement, patch: Partial<TIamStatement>): TIamStatement => ({ ...s, ...patch });

describe("compareAwsPolicy", () => {
  const want = desired([NO_DELETE, REGION]);

  it("sees no difference when only formatting, ordering or list shape changed", () => {
    const shuffled = {
      Version: "2012-10-17",
      Statement: [
        { ...REGION, NotAction: ["sts:*", "iam:*", "iam:*"] },
        {
          Condition: {
            ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/ParapetConnector"] },
            StringEquals: { "aws:PrincipalTag/agent": "true" },
          },
          Resource: ["*"],
          Action: ["dynamodb:DeleteTable", "s3:DeleteObject", "s3:DeleteBucket"],
          Effect: "Deny",
          Sid: "AgentsNoDelete",
        },
      ],
    };
    expect(compareAwsPolicy(want, observed(shuffled))).toEqual({ equal: true });
  });

  it("accepts a single statement object where the document had a list", () => {
    const one = desired([NO_DELETE]);
    expect(compareAwsPolicy(one, observed({ Version: "2012-10-17", Statement: NO_DELETE }))).toEqual({ equal: true });
  });

  it.each([
    ["a statement removed", [REGION], /AgentsNoDelete was removed/],
    [
      "a denied action removed",
      [edit(NO_DELETE, { Action: ["s3:DeleteBucket", "s3:DeleteObject"] }), REGION],
      /no longer denies dynamodb:DeleteTable/,
    ],
    ["Deny turned into Allow", [edit(NO_DELETE, { Effect: "Allow" }), REGION], /no longer denies \(Effect Allow\)/],
    [
      "an ArnNotLike exclusion added",
      [
        edit(NO_DELETE, {
          Condition: {
            ...NO_DELETE.Condition,
            ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/ParapetConnector", "arn:aws:iam::*:role/ops-*"] },
          },
        }),
        REGION,
      ],
      /exempts more via ArnNotLike aws:PrincipalARN: arn:aws:iam::\*:role\/ops-\*/,
    ],
    [
      "a new condition added",
      [edit(NO_DELETE, { Condition: { ...NO_DELETE.Condition, Bool: { "aws:MultiFactorAuthPresent": "false" } } }), REGION],
      /gained condition Bool/,
    ],
    [
      "a matched value removed",
      [edit(NO_DELETE, { Condition: { ...NO_DELETE.Condition, StringEquals: { "aws:PrincipalTag/agent": "yes" } } }), REGION],
      /no longer matches true/,
    ],
    ["NotAction widened", [NO_DELETE, edit(REGION, { NotAction: ["iam:*", "sts:*", "ec2:*"] })], /exempts more actions: ec2:\*/],
    [
      "an allowed region added to the exclusion",
      [NO_DELETE, edit(REGION, { Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "us-east-1", "ap-south-1"] } } })],
      /exempts more via StringNotEquals/,
    ],
    ["resources narrowed", [edit(NO_DELETE, { Resource: "arn:aws:s3:::prod-*" }), REGION], /no longer covers resources \*/],
  ])("classifies %s", (_label, statements, detail) => {
    const d = compareAwsPolicy(want, observed({ Version: "2012-10-17", Statement: statements }));
    expect(d).toMatchObject({ equal: false, kind: "weakened" });
    if (!d.equal) expect(d.detail).toMatch(detail);
  });

  it.each([
    ["a statement added", [NO_DELETE, REGION, { Sid: "Extra", Effect: "Deny", Action: "ec2:DeleteVpc", Resource: "*" }]],
    // dynamodb:Delete* still covers dynamodb:DeleteTable: the deny got broader.
    [
      "an action broadened to a wildcard",
      [edit(NO_DELETE, { Action: ["s3:DeleteBucket", "s3:DeleteObject", "dynamodb:Delete*"] }), REGION],
    ],
    ["an action added", [edit(NO_DELETE, { Action: [...(NO_DELETE.Action as string[]), "rds:DeleteDBCluster"] }), REGION]],
    [
      "a condition removed (the deny now applies more widely)",
      [edit(NO_DELETE, { Condition: { StringEquals: { "aws:PrincipalTag/agent": "true" } } }), REGION],
    ],
    ["an exclusion narrowed", [NO_DELETE, edit(REGION, { Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } } })]],
  ])("calls %s modified, not weakened", (_label, statements) => {
    expect(compareAwsPolicy(want, observed({ Version: "2012-10-17", Statement: statements }))).toMatchObject({
      equal: false,
      kind: "modified",
    });
  });

  it("reports description and name edits as modified", () => {
    const doc = { Version: "2012-10-17", Statement: [NO_DELETE, REGION] };
    expect(compareAwsPolicy(want, observed(doc, { description: "hand edited" }))).toEqual({
      equal: false,
      kind: "modified",
      detail: "description changed",
    });
    expect(compareAwsPolicy(want, observed(doc, { name: "parapet-ws-renamed" }))).toMatchObject({
      equal: false,
      kind: "modified",
      detail: "renamed to parapet-ws-renamed",
    });
  });

  it("treats content it cannot read as a policy as modified and keeps the raw text", () => {
    const o = observed('{"Version":"2008-10-17","Statement":[]}');
    expect(o.unparsed).toBe('{"Version":"2008-10-17","Statement":[]}');
    expect(compareAwsPolicy(want, o)).toMatchObject({ equal: false, kind: "modified" });
  });

  it("lists weakening first when one edit weakens and another only modifies", () => {
    const d = compareAwsPolicy(want, observed({ Version: "2012-10-17", Statement: [NO_DELETE] }, { description: "x" }));
    expect(d).toEqual({ equal: false, kind: "weakened", detail: "statement DenyOtherRegions was removed; description changed" });
  });
});

describe("awsPolicyBodyFromCloud", () => {
  it("normalises content to canonical minified text", () => {
    const o = observed({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Deny", Action: ["b:B", "a:A"], Resource: ["*"] }] });
    expect(o.content).toBe('{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":["a:A","b:B"],"Resource":"*"}]}');
    expect(o.unparsed).toBeUndefined();
  });
});
