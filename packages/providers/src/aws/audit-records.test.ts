import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseAwsAuditExport, parseCloudTrailRecord, parseCloudTrailRecords, servicePrefix } from "./audit-records.ts";

const ACCT = "222233334444";

/** An S3 data event as a trail delivers it (record shape from the CloudTrail record contents page). */
function s3Delete(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAEXAMPLEAGENT0001:run-42",
      arn: `arn:aws:sts::${ACCT}:assumed-role/agent-runner/run-42`,
      accountId: ACCT,
      accessKeyId: "ASIAEXAMPLE00000001",
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAEXAMPLEAGENT0001",
          arn: `arn:aws:iam::${ACCT}:role/agents/agent-runner`,
          accountId: ACCT,
          userName: "agent-runner",
        },
        attributes: { creationDate: "2026-12-01T10:00:00Z", mfaAuthenticated: "false" },
      },
    },
    eventTime: "2026-12-01T10:05:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "DeleteObject",
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.7",
    userAgent: "[aws-sdk-js/3.1175.0]",
    requestParameters: { bucketName: "prod-data", Host: "prod-data.s3.eu-west-1.amazonaws.com", key: "report.csv" },
    responseElements: null,
    requestID: "R1",
    eventID: "11111111-1111-4111-8111-111111111111",
    readOnly: false,
    resources: [
      { type: "AWS::S3::Object", ARN: "arn:aws:s3:::prod-data/report.csv" },
      { accountId: ACCT, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::prod-data" },
    ],
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: ACCT,
    eventCategory: "Data",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: "prod-data.s3.eu-west-1.amazonaws.com",
    },
    ...over,
  };
}

describe("parseCloudTrailRecord", () => {
  it("normalises an assumed-role S3 data event to the role ARN (with its path), the object ARN and the logged context", () => {
    const r = parseCloudTrailRecord(s3Delete());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toMatchObject({
      cloud: "aws",
      id: "11111111-1111-4111-8111-111111111111",
      time: "2026-12-01T10:05:00.000Z",
      principal: { id: `arn:aws:iam::${ACCT}:role/agents/agent-runner`, type: "role", name: "run-42", account: ACCT },
      action: "s3:DeleteObject",
      resource: "arn:aws:s3:::prod-data/report.csv",
      nodeExternalId: ACCT,
      region: "eu-west-1",
      readOnly: false,
      plane: "data",
      outcome: "success",
    });
    expect(r.event.context).toEqual({
      "aws:RequestedRegion": "eu-west-1",
      "aws:PrincipalArn": `arn:aws:iam::${ACCT}:role/agents/agent-runner`,
      "aws:PrincipalAccount": ACCT,
      "aws:PrincipalIsAWSService": "false",
      "aws:SourceIp": "203.0.113.7",
      "aws:ViaAWSService": "false",
      "aws:SecureTransport": "true",
      "aws:ResourceAccount": ACCT,
    });
  });

  it("classifies authorization refusals as denied and other errors as failed", () => {
    const denied = parseCloudTrailRecord(
      s3Delete({ errorCode: "AccessDenied", errorMessage: "explicit deny in a service control policy" }),
    );
    const ec2 = parseCloudTrailRecord(s3Delete({ errorCode: "Client.UnauthorizedOperation" }));
    const failed = parseCloudTrailRecord(s3Delete({ errorCode: "NoSuchKey" }));
    expect([denied, ec2, failed].map((r) => r.ok && r.event.outcome)).toEqual(["denied", "denied", "failed"]);
  });

  it("maps event sources whose IAM prefix differs, and strips API versions from event names", () => {
    expect(servicePrefix("monitoring.amazonaws.com")).toBe("cloudwatch");
    expect(servicePrefix("email.amazonaws.com")).toBe("ses");
    expect(servicePrefix("kms.amazonaws.com")).toBe("kms");
    const lambda = parseCloudTrailRecord(
      s3Delete({
        eventSource: "lambda.amazonaws.com",
        eventName: "UpdateFunctionCode20150331v2",
        requestParameters: { functionName: "f" },
        resources: [],
      }),
    );
    expect(lambda.ok && lambda.event.action).toBe("lambda:UpdateFunctionCode");
    const cw = parseCloudTrailRecord(s3Delete({ eventSource: "monitoring.amazonaws.com", eventName: "DeleteAlarms", resources: [] }));
    expect(cw.ok && cw.event.action).toBe("cloudwatch:DeleteAlarms");
  });

  it("names the root user, an IAM user, a service principal and a cross-account caller", () => {
    const root = parseCloudTrailRecord(
      s3Delete({ userIdentity: { type: "Root", principalId: ACCT, arn: `arn:aws:iam::${ACCT}:root`, accountId: ACCT } }),
    );
    expect(root.ok && root.event.principal).toEqual({ id: `arn:aws:iam::${ACCT}:root`, type: "root", account: ACCT, name: "root" });
    const user = parseCloudTrailRecord(
      s3Delete({
        userIdentity: { type: "IAMUser", principalId: "AIDAX", arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT, userName: "alice" },
      }),
    );
    expect(user.ok && user.event.principal).toEqual({ id: `arn:aws:iam::${ACCT}:user/alice`, type: "user", name: "alice", account: ACCT });
    const svc = parseCloudTrailRecord(
      s3Delete({ userIdentity: { type: "AWSService", invokedBy: "backup.amazonaws.com" }, sourceIPAddress: "backup.amazonaws.com" }),
    );
    expect(svc.ok && svc.event.principal.type).toBe("service");
    expect(svc.ok && svc.event.context["aws:PrincipalIsAWSService"]).toBe("true");
    expect(svc.ok && "aws:SourceIp" in svc.event.context).toBe(false);
    const other = parseCloudTrailRecord(
      s3Delete({ userIdentity: { type: "AWSAccount", principalId: "AIDAOTHER", accountId: "999988887777" } }),
    );
    expect(other.ok && other.event.principal).toEqual({ id: "999988887777:AIDAOTHER", type: "unknown", account: "999988887777" });
    expect(other.ok && "aws:PrincipalArn" in other.event.context).toBe(false);
  });

  it("records a call a service made with the caller's credentials as aws:ViaAWSService", () => {
    const base = s3Delete();
    const r = parseCloudTrailRecord({
      ...base,
      userIdentity: { ...(base.userIdentity as object), invokedBy: "cloudformation.amazonaws.com" },
    });
    expect(r.ok && r.event.context["aws:ViaAWSService"]).toBe("true");
  });

  it("reads aws:TagKeys and aws:RequestTag from the tag shapes services log", () => {
    const iam = parseCloudTrailRecord(
      s3Delete({
        eventSource: "iam.amazonaws.com",
        eventName: "UntagRole",
        requestParameters: { roleName: "agent-runner", tagKeys: ["agent"] },
        resources: [],
      }),
    );
    expect(iam.ok && iam.event.context["aws:TagKeys"]).toEqual(["agent"]);
    const ec2 = parseCloudTrailRecord(
      s3Delete({
        eventSource: "ec2.amazonaws.com",
        eventName: "CreateTags",
        requestParameters: { resourcesSet: { items: [{ resourceId: "i-1" }] }, tagSet: { items: [{ key: "env", value: "prod" }] } },
        resources: [],
      }),
    );
    expect(ec2.ok && ec2.event.context).toMatchObject({ "aws:TagKeys": ["env"], "aws:RequestTag/env": "prod" });
    const kms = parseCloudTrailRecord(
      s3Delete({
        eventSource: "kms.amazonaws.com",
        eventName: "TagResource",
        requestParameters: { keyId: "k", tags: [{ tagKey: "data", tagValue: "public" }] },
        resources: [],
      }),
    );
    expect(kms.ok && kms.event.context).toMatchObject({ "aws:TagKeys": ["data"], "aws:RequestTag/data": "public" });
    const sqs = parseCloudTrailRecord(
      s3Delete({
        eventSource: "sqs.amazonaws.com",
        eventName: "TagQueue",
        requestParameters: { queueUrl: "q", tags: { data: "x" } },
        resources: [],
      }),
    );
    expect(sqs.ok && sqs.event.context).toMatchObject({ "aws:TagKeys": ["data"], "aws:RequestTag/data": "x" });
  });

  it("takes service condition keys from the logged request (iam:PolicyARN)", () => {
    const r = parseCloudTrailRecord(
      s3Delete({
        eventSource: "iam.amazonaws.com",
        eventName: "AttachRolePolicy",
        requestParameters: { roleName: "app", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        resources: [],
      }),
    );
    expect(r.ok && r.event.context["iam:PolicyARN"]).toBe("arn:aws:iam::aws:policy/AdministratorAccess");
  });

  it("refuses what is not an API call, with a reason", () => {
    expect(parseCloudTrailRecord(s3Delete({ eventType: "AwsConsoleSignIn" }))).toEqual({
      ok: false,
      reason: "event-type:AwsConsoleSignIn",
    });
    expect(parseCloudTrailRecord(s3Delete({ eventSource: undefined }))).toEqual({ ok: false, reason: "missing-eventSource" });
    expect(parseCloudTrailRecord("x")).toEqual({ ok: false, reason: "not-an-object" });
  });
});

describe("parseCloudTrailRecords / parseAwsAuditExport", () => {
  const assume = {
    ...s3Delete(),
    eventSource: "sts.amazonaws.com",
    eventName: "AssumeRole",
    managementEvent: true,
    eventCategory: "Management",
    requestParameters: { roleArn: `arn:aws:iam::${ACCT}:role/deployer`, roleSessionName: "s", tags: [{ key: "project", value: "atlas" }] },
    responseElements: { credentials: { accessKeyId: "ASIANEWSESSION00001", expiration: "Dec 1, 2026, 11:05:00 AM" } },
    resources: [
      { accountId: ACCT, type: "AWS::IAM::AccessKey", ARN: `arn:aws:iam::${ACCT}:accessKey/ASIAEXAMPLE00000001` },
      { accountId: ACCT, type: "AWS::IAM::Role", ARN: `arn:aws:iam::${ACCT}:role/deployer` },
    ],
  };
  const later = s3Delete({ eventID: "22222222-2222-4222-8222-222222222222" });
  (later.userIdentity as { accessKeyId: string }).accessKeyId = "ASIANEWSESSION00001";

  it("carries session tags from the AssumeRole record to the session's later calls", () => {
    const out = parseCloudTrailRecords([assume, later]);
    expect(out.events[0]).toMatchObject({ action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCT}:role/deployer` });
    expect(out.events[0]?.context).toMatchObject({ "aws:TagKeys": ["project"], "aws:RequestTag/project": "atlas" });
    expect(out.events[1]?.principal.tags).toEqual({ project: "atlas" });
  });

  it("accepts the trail delivery format, plain or gzipped, and counts skipped records", () => {
    const file = JSON.stringify({ Records: [s3Delete(), { eventType: "AwsServiceEvent", eventSource: "kms.amazonaws.com" }] });
    for (const input of [file, gzipSync(file)]) {
      const out = parseAwsAuditExport(input);
      expect(out.events).toHaveLength(1);
      expect(out.skipped).toEqual({ "event-type:AwsServiceEvent": 1 });
    }
  });

  it("names what is wrong with a file that is not a trail export", () => {
    expect(() => parseAwsAuditExport("[1]")).toThrow(/"Records" array/);
    expect(() => parseAwsAuditExport("{")).toThrow(/not JSON/);
  });
});
