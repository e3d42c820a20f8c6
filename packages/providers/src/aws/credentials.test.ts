import { describe, expect, it } from "vitest";
import { parentFromPaths } from "./adapter.ts";
import { ZAwsCredentials } from "./credentials.ts";
import { auditPermissions, awsConnectorPolicyDocument, minimumActionNames, minimumPermissions } from "./permissions.ts";
import { mapLimit } from "../common/concurrency.ts";
import { TokenBucket } from "./rate.ts";

const role = {
  kind: "assume-role",
  roleArn: "arn:aws:iam::111122223333:role/ParapetConnector",
  externalId: "parapet-demo-7f3c9a2e",
};

function firstIssue(v: unknown): string {
  const r = ZAwsCredentials.safeParse(v);
  if (r.success) return "";
  const i = r.error.issues[0]!;
  return `${i.path.join(".")}: ${i.message}`;
}

describe("ZAwsCredentials", () => {
  it("accepts a role with external id, with or without source keys, and access keys", () => {
    expect(ZAwsCredentials.parse(role)).toEqual(role);
    expect(
      ZAwsCredentials.parse({
        ...role,
        sourceAccessKeyId: "AKIAPARAPETDEMO00001",
        sourceSecretAccessKey: "parapetDemoSecretKey/NotARealAwsSecret0001",
      }).kind,
    ).toBe("assume-role");
    expect(
      ZAwsCredentials.parse({
        kind: "access-keys",
        accessKeyId: "AKIAPARAPETDEMO00001",
        secretAccessKey: "parapetDemoSecretKey/NotARealAwsSecret0001",
      }).kind,
    ).toBe("access-keys");
  });

  it("names the field and what is wrong with it", () => {
    expect(firstIssue({ ...role, roleArn: "arn:aws:iam::1234:user/bob" })).toMatch(/^roleArn: roleArn must be an IAM role ARN/);
    expect(firstIssue({ ...role, externalId: undefined })).toMatch(/^externalId: externalId is required/);
    expect(firstIssue({ ...role, externalId: "has spaces in it" })).toMatch(/^externalId: externalId must be 2-1224 characters/);
    expect(firstIssue({ ...role, sourceAccessKeyId: "AKIAPARAPETDEMO00001" })).toMatch(
      /^sourceSecretAccessKey: sourceAccessKeyId and sourceSecretAccessKey go together/,
    );
    expect(firstIssue({ kind: "access-keys", accessKeyId: "akia-lower", secretAccessKey: "x".repeat(40) })).toMatch(
      /^accessKeyId: accessKeyId must be an AWS access key id/,
    );
    expect(firstIssue({ kind: "access-keys", accessKeyId: "AKIAPARAPETDEMO00001", secretAccessKey: "x".repeat(500) })).toMatch(
      /^secretAccessKey: secretAccessKey must be at most 128 characters/,
    );
    expect(firstIssue({ kind: "password" })).toMatch(/kind must be "assume-role" or "access-keys"/);
  });
});

describe("parentFromPaths", () => {
  it("takes the container right above the account", () => {
    expect(parentFromPaths(["o-abcdefghij/r-ab12/ou-ab12-11111111/ou-ab12-22222222/123456789012/"], "123456789012")).toBe(
      "ou-ab12-22222222",
    );
    expect(parentFromPaths(["o-abcdefghij/r-ab12/123456789012/"], "123456789012")).toBe("r-ab12");
  });
  it("refuses paths that do not end at the account", () => {
    expect(parentFromPaths(undefined, "123456789012")).toBeUndefined();
    expect(parentFromPaths([], "123456789012")).toBeUndefined();
    expect(parentFromPaths(["o-abcdefghij/r-ab12/ou-ab12-11111111/"], "123456789012")).toBeUndefined();
  });
});

describe("minimumPermissions", () => {
  it("is unique and renders as a read, a write and an audit-log statement", () => {
    const names = minimumActionNames();
    expect(new Set(names).size).toBe(names.length);
    const doc = awsConnectorPolicyDocument();
    const all = doc.Statement.flatMap((s) => s.Action as string[]).sort();
    expect(all).toEqual([...minimumPermissions, ...auditPermissions].map((p) => p.permission).sort());
    expect(names).not.toContain("EnablePolicyType");
    // The organization trail's bucket, when named, is the only S3 resource the role may read.
    const withTrail = awsConnectorPolicyDocument("org-trail-logs").Statement.find((st) => st.Sid === "ParapetReadOrgTrail");
    expect(withTrail).toMatchObject({
      Action: ["s3:ListBucket", "s3:GetObject"],
      Resource: ["arn:aws:s3:::org-trail-logs", "arn:aws:s3:::org-trail-logs/*"],
    });
    expect(names).not.toContain("UntagResource");
    // A Config aggregator for principal tags: the one query action, on aggregators of that Region only.
    const withAggregator = awsConnectorPolicyDocument(undefined, "eu-west-1").Statement.find((st) => st.Sid === "ParapetReadPrincipalTags");
    expect(withAggregator).toMatchObject({
      Action: ["config:SelectAggregateResourceConfig"],
      Resource: "arn:aws:config:eu-west-1:*:config-aggregator/*",
    });
    expect(awsConnectorPolicyDocument().Statement.some((st) => st.Sid === "ParapetReadPrincipalTags")).toBe(false);
  });
});

describe("TokenBucket", () => {
  it("hands out the burst at once and then one token per 1/rate seconds", () => {
    let now = 0;
    const b = new TokenBucket({ ratePerSec: 2, burst: 3 }, () => now);
    expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([0, 0, 0]);
    expect(b.tryTake()).toBe(500);
    now = 499;
    expect(b.tryTake()).toBe(2);
    now = 500;
    expect(b.tryTake()).toBe(0);
    now = 10_000;
    // Never more than the burst, however long it was idle.
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([0, 0, 0, 500]);
  });
});

describe("mapLimit", () => {
  it("keeps order and the concurrency bound", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([1, 2, 3, 4, 5, 6], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
  });

  it("starts nothing new after a failure and throws once in-flight work is done", async () => {
    const started: number[] = [];
    let finished = 0;
    const err = await mapLimit([1, 2, 3, 4, 5, 6], 2, async (x) => {
      started.push(x);
      await new Promise((r) => setImmediate(r));
      finished++;
      if (x === 1) throw new Error("boom");
      return x;
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("boom");
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(2);
  });
});
