import { describe, expect, it } from "vitest";
import { AwsError } from "./errors.ts";
import { validatePolicyDocument } from "./policy-doc.ts";

function problem(doc: unknown, type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY" = "SERVICE_CONTROL_POLICY"): string | undefined {
  try {
    validatePolicyDocument(typeof doc === "string" ? doc : JSON.stringify(doc), type);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    expect((e as AwsError).code).toBe("MalformedPolicyDocumentException");
    return (e as AwsError).message;
  }
}

const stmt = { Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" };

describe("policy document validation", () => {
  it("accepts SCPs with conditions, NotAction and lists", () => {
    expect(problem({ Version: "2012-10-17", Statement: [stmt] })).toBeUndefined();
    expect(problem({ Version: "2012-10-17", Statement: stmt })).toBeUndefined();
    expect(
      problem({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "A1",
            Effect: "Deny",
            NotAction: ["iam:*", "sts:*"],
            Resource: "*",
            Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1"] } },
          },
        ],
      }),
    ).toBeUndefined();
  });

  it('rejects a resource that is neither "*" nor an ARN, and accepts ARN patterns', () => {
    expect(problem({ Version: "2012-10-17", Statement: [{ ...stmt, Resource: "my-bucket" }] })).toContain(
      'Resource my-bucket must be in ARN format or "*"',
    );
    expect(problem({ Version: "2012-10-17", Statement: [{ ...stmt, Resource: ["*", "volume/*"] }] })).toContain("must be in ARN format");
    expect(
      problem({ Version: "2012-10-17", Statement: [{ ...stmt, Action: "ec2:RunInstances", Resource: "arn:aws:ec2:*:*:volume/*" }] }),
    ).toBeUndefined();
  });

  it("rejects condition values that are objects", () => {
    const cond = (v: unknown) => ({
      Version: "2012-10-17",
      Statement: [{ ...stmt, Condition: { StringEquals: { "aws:PrincipalTag/team": v } } }],
    });
    expect(problem(cond({ nested: "x" }))).toContain("Condition.StringEquals.aws:PrincipalTag/team");
    expect(problem(cond([{ a: 1 }]))).toContain("must be a string, number, boolean or a list of them");
    expect(problem(cond(["admin", "ops"]))).toBeUndefined();
    expect(problem(cond(true))).toBeUndefined();
  });

  it("rejects what is not an IAM policy", () => {
    expect(problem("{")).toMatch(/not valid JSON/);
    expect(problem([stmt])).toMatch(/JSON object/);
    expect(problem({ Statement: [stmt] })).toMatch(/Version/);
    expect(problem({ Version: "2012-10-17", Statement: [] })).toMatch(/at least one/);
    expect(problem({ Version: "2012-10-17", Statement: [{ Action: "s3:*", Resource: "*" }] })).toMatch(/Effect/);
    expect(problem({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Resource: "*" }] })).toMatch(/Action or NotAction/);
    expect(problem({ Version: "2012-10-17", Statement: [{ ...stmt, Action: "not an action" }] })).toMatch(/invalid action/);
    expect(problem({ Version: "2012-10-17", Statement: [{ ...stmt, Condition: "x" }] })).toMatch(/Condition/);
    expect(
      problem({
        Version: "2012-10-17",
        Statement: [
          { ...stmt, Sid: "a" },
          { ...stmt, Sid: "a" },
        ],
      }),
    ).toMatch(/duplicate Sid/);
    expect(problem({ Version: "2012-10-17", Statement: [stmt], Extra: 1 })).toMatch(/Extra/);
  });

  it("applies the SCP and RCP differences", () => {
    expect(problem({ Version: "2012-10-17", Statement: [{ ...stmt, Principal: "*" }] })).toMatch(/SCPs do not support Principal/);
    const rcp = { Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "*" };
    expect(problem({ Version: "2012-10-17", Statement: [rcp] }, "RESOURCE_CONTROL_POLICY")).toBeUndefined();
    expect(problem({ Version: "2012-10-17", Statement: [stmt] }, "RESOURCE_CONTROL_POLICY")).toMatch(/Principal/);
    expect(problem({ Version: "2012-10-17", Statement: [{ ...rcp, Effect: "Allow" }] }, "RESOURCE_CONTROL_POLICY")).toMatch(/only Deny/);
    expect(problem({ Version: "2012-10-17", Statement: [{ ...rcp, Action: "ec2:RunInstances" }] }, "RESOURCE_CONTROL_POLICY")).toMatch(
      /not supported in RCPs/,
    );
  });
});
