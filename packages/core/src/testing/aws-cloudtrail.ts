/**
 * Renders an `aws-simulate` catalog scenario as the CloudTrail record AWS would log for that call
 * (record fields: "CloudTrail record contents",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
 * plus the principal facts `lookupPrincipals` would answer for the actor. Scenario context that a record
 * cannot carry is reported in `notLogged`, never smuggled into the record.
 */
import type { PrincipalFacts } from "@parapet/providers/contract";
import type { TAwsPrincipalClasses } from "../catalog/principals.ts";
import { awsActor } from "../catalog/scenarios.ts";
import type { TScenario } from "../catalog/types.ts";

type TAwsScenario = Extract<TScenario<unknown>, { kind: "aws-simulate" }>;

/** An account of the organisation the scenario's guardrail does not target. */
const OUT_OF_SCOPE_ACCOUNT = "333344445555";

/** IAM prefixes whose CloudTrail event source is another host (Service Authorization Reference). */
const SOURCE_OF_PREFIX: Readonly<Record<string, string>> = { cloudwatch: "monitoring.amazonaws.com", ses: "email.amazonaws.com" };

/** Condition keys CloudTrail never logs: the resource's tags, the caller's tags (looked up instead). */
const NOT_IN_RECORD = [/^aws:ResourceTag\//i, /^aws:PrincipalTag\//i];

const RESOURCE_TYPES: Readonly<Record<string, string>> = {
  s3: "AWS::S3::Bucket",
  kms: "AWS::KMS::Key",
  rds: "AWS::RDS::DBInstance",
  iam: "AWS::IAM::Role",
};

export interface TRenderedScenario {
  record: Record<string, unknown>;
  facts: Map<string, PrincipalFacts>;
  /** Scenario context keys a CloudTrail record cannot express. */
  notLogged: string[];
}

let seq = 0;

export function renderAwsScenario(s: TAwsScenario, classes: TAwsPrincipalClasses, orgId: string): TRenderedScenario {
  const actor = awsActor(s.actor, classes, orgId);
  const inScope = s.inScope !== false;
  // Out of scope: the same call in an account the guardrail does not target.
  const recipient = inScope ? "222233334444" : OUT_OF_SCOPE_ACCOUNT;
  const account = actor.account === "222233334444" ? recipient : actor.account;
  const arn = actor.arn.replace(/:222233334444:/, `:${account}:`);
  const [prefix = "", op = ""] = s.action.split(":");
  const ctx = s.context ?? {};
  const notLogged = Object.keys(ctx).filter((k) => NOT_IN_RECORD.some((r) => r.test(k)));

  const n = ++seq;
  const userIdentity: Record<string, unknown> = arn.endsWith(":root")
    ? { type: "Root", principalId: account, arn, accountId: account, accessKeyId: `ASIAROOT${String(n).padStart(12, "0")}` }
    : (() => {
        const roleName = arn.slice(arn.lastIndexOf("/") + 1);
        return {
          type: "AssumedRole",
          principalId: `AROASCENARIO${String(n).padStart(8, "0")}:session-${n}`,
          arn: `arn:aws:sts::${account}:assumed-role/${roleName}/session-${n}`,
          accountId: account,
          accessKeyId: `ASIASCENARIO${String(n).padStart(8, "0")}`,
          sessionContext: {
            sessionIssuer: {
              type: "Role",
              principalId: `AROASCENARIO${String(n).padStart(8, "0")}`,
              arn,
              accountId: account,
              userName: roleName,
            },
            attributes: { creationDate: "2026-12-01T09:00:00Z", mfaAuthenticated: "false" },
          },
        };
      })();

  // The call as logged: session tags are passed on AssumeRole (authorised as sts:TagSession); S3 bucket
  // listing is the ListObjects call.
  let eventName = op;
  if (s.action === "sts:TagSession") eventName = "AssumeRole";
  if (s.action === "s3:ListBucket") eventName = "ListObjects";

  const req: Record<string, unknown> = {};
  const resources: Record<string, unknown>[] = [];
  const resource = s.resource.replace(/:222233334444:/, `:${recipient}:`);
  if (prefix === "s3" && resource.startsWith("arn:aws:s3:::")) {
    const [bucket = "", ...key] = resource.slice("arn:aws:s3:::".length).split("/");
    req.bucketName = bucket;
    req.Host = `${bucket}.s3.eu-west-1.amazonaws.com`;
    if (key.length > 0) {
      req.key = key.join("/");
      resources.push({ type: "AWS::S3::Object", ARN: resource });
    }
    resources.push({ accountId: recipient, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::${bucket}` });
  } else if (resource !== "*") {
    resources.push({ accountId: recipient, type: RESOURCE_TYPES[prefix] ?? `AWS::${prefix}::Resource`, ARN: resource });
    if (prefix === "sts") req.roleArn = resource;
  }
  if (prefix === "sts") req.roleSessionName = `session-${n}`;

  const tagKeys = ctx["aws:TagKeys"];
  if (Array.isArray(tagKeys)) {
    const removing = /^(Untag|Remove|DeleteTags)/.test(op);
    const value = (k: string): string => {
      const v = ctx[`aws:RequestTag/${k}`];
      return typeof v === "string" ? v : "scenario";
    };
    if (removing) req.tagKeys = tagKeys;
    else if (prefix === "ec2") req.tagSet = { items: tagKeys.map((k) => ({ key: k, value: value(k) })) };
    else if (prefix === "kms") req.tags = tagKeys.map((k) => ({ tagKey: k, tagValue: value(k) }));
    else req.tags = tagKeys.map((k) => ({ key: k, value: value(k) }));
  }
  const bool = (k: string): boolean | undefined => (ctx[k] === undefined ? undefined : ctx[k] === "true");
  if (typeof ctx["iam:PolicyARN"] === "string") req.policyArn = ctx["iam:PolicyARN"];
  if (ctx["rds:StorageEncrypted"] !== undefined) req.storageEncrypted = bool("rds:StorageEncrypted");
  if (ctx["rds:PubliclyAccessible"] !== undefined) req.publiclyAccessible = bool("rds:PubliclyAccessible");
  if (ctx["elasticfilesystem:Encrypted"] !== undefined) req.encrypted = bool("elasticfilesystem:Encrypted");
  if (ctx["ec2:Encrypted"] !== undefined) {
    // CreateVolume logs `encrypted`; RunInstances logs the volume under its block device mapping.
    if (op === "CreateVolume") req.encrypted = bool("ec2:Encrypted");
    else req.blockDeviceMapping = { items: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 8, encrypted: bool("ec2:Encrypted") } }] };
  }

  const record: Record<string, unknown> = {
    eventVersion: "1.10",
    userIdentity,
    eventTime: "2026-12-01T10:00:00Z",
    eventSource: SOURCE_OF_PREFIX[prefix] ?? `${prefix}.amazonaws.com`,
    eventName,
    awsRegion: typeof ctx["aws:RequestedRegion"] === "string" ? ctx["aws:RequestedRegion"] : "eu-west-1",
    sourceIPAddress: "203.0.113.10",
    userAgent: "aws-cli/2.22.0",
    requestParameters: req,
    responseElements: null,
    requestID: `req-${n}`,
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    readOnly: /^(Get|List|Describe|Head)/.test(op),
    ...(resources.length > 0 ? { resources } : {}),
    eventType: "AwsApiCall",
    managementEvent: !(prefix === "s3" && req.key !== undefined),
    recipientAccountId: recipient,
    eventCategory: prefix === "s3" && req.key !== undefined ? "Data" : "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${prefix}.eu-west-1.amazonaws.com`,
    },
  };
  if (ctx["aws:ViaAWSMCPService"] === "true") {
    const via = ctx["aws:CalledViaAWSMCP"];
    record.additionalEventData = { CalledViaAWSMCP: typeof via === "string" ? via : true };
  }

  // lookupPrincipals reads the tags of this organisation's roles; another organisation's are unreadable.
  const facts = new Map<string, PrincipalFacts>();
  if (actor.orgId === orgId && !arn.endsWith(":root")) facts.set(arn, { id: arn, found: true, tags: { ...actor.tags } });
  return { record, facts, notLogged };
}
