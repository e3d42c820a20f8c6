/**
 * CloudTrail records → AuditEvent. Pure: used by the LookupEvents reader (each event's `CloudTrailEvent`
 * string is one record) and by the CLI for trail delivery files (`{"Records":[...]}`, optionally gzipped).
 *
 * Field meanings: "CloudTrail record contents" —
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * and "CloudTrail userIdentity element" —
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 *
 * Only what the record carries becomes context: a key the record does not log is left absent, so the
 * evaluator can say it cannot judge instead of guessing.
 */
import { gunzipSync } from "node:zlib";
import type { AuditEvent, AuditPrincipal } from "../contract/audit.ts";

type Json = Record<string, unknown>;

export type TAwsRecordResult = { ok: true; event: AuditEvent } | { ok: false; reason: string };

/**
 * Event sources whose IAM action prefix differs from the host's first label. Source: the Service
 * Authorization Reference ("Actions, resources, and condition keys for AWS services",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
 * each service page's "service prefix" against the endpoint it documents.
 */
const PREFIX_BY_SOURCE: Readonly<Record<string, string>> = {
  "monitoring.amazonaws.com": "cloudwatch",
  "email.amazonaws.com": "ses",
  "tagging.amazonaws.com": "tag",
  "elasticmapreduce.amazonaws.com": "elasticmapreduce",
  "api.ecr.amazonaws.com": "ecr",
  "api.pricing.amazonaws.com": "pricing",
  "api.sso.amazonaws.com": "sso",
  "sso.amazonaws.com": "sso",
  "identitystore.amazonaws.com": "identitystore",
  "execute-api.amazonaws.com": "execute-api",
  "streams.dynamodb.amazonaws.com": "dynamodb",
  "metering-marketplace.amazonaws.com": "aws-marketplace",
  "runtime.sagemaker.amazonaws.com": "sagemaker",
  "bedrock-runtime.amazonaws.com": "bedrock",
  "data.iot.amazonaws.com": "iot",
};

/** `errorCode`s that are authorization refusals (IAM, EC2 query API, SNS/SQS query APIs). */
const DENIED_CODES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "Client.UnauthorizedOperation",
  "UnauthorizedOperation",
  "Client.UnauthorizedAccess",
  "UnauthorizedAccess",
  "AuthorizationError",
  "AuthorizationErrorException",
  "NotAuthorized",
  "Forbidden",
]);

/** Event types that are not API calls a policy authorised (console sign-ins, service events, insights). */
const API_CALL_TYPES = new Set(["AwsApiCall"]);

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

export function servicePrefix(eventSource: string): string | undefined {
  const mapped = PREFIX_BY_SOURCE[eventSource];
  if (mapped) return mapped;
  const m = /^([a-z0-9-]+)\.amazonaws\.com$/.exec(eventSource);
  return m?.[1];
}

/**
 * Some services log the API version in the event name (Lambda `CreateFunction20150331`,
 * `UpdateFunctionCode20150331v2`; CloudFront `CreateDistribution2020_05_31`); the IAM action has none.
 */
function actionName(eventName: string): string {
  return eventName.replace(/20\d{2}_?\d{2}_?\d{2}(v\d+)?$/, "");
}

/** aws:PrincipalArn of an assumed-role session is the role's ARN (IAM global condition keys page). */
function roleArnFromSession(arn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

function principalOf(ui: Json): AuditPrincipal | string {
  const type = str(ui.type);
  const account = str(ui.accountId);
  const withAccount = (p: AuditPrincipal): AuditPrincipal => (account ? { ...p, account } : p);
  switch (type) {
    case "AssumedRole": {
      const sc = isObj(ui.sessionContext) ? ui.sessionContext : undefined;
      const issuer = sc && isObj(sc.sessionIssuer) ? sc.sessionIssuer : undefined;
      const arn = str(ui.arn);
      // The issuer ARN keeps the role's path (`role/aws-service-role/...`); the session ARN loses it.
      const id = str(issuer?.arn) ?? (arn ? roleArnFromSession(arn) : undefined);
      if (!id) return "assumed-role-without-arn";
      const session = arn?.slice(arn.lastIndexOf("/") + 1);
      return withAccount({ id, type: "role", ...(session ? { name: session } : {}) });
    }
    case "IAMUser": {
      const arn = str(ui.arn);
      if (!arn) return "iam-user-without-arn";
      const name = str(ui.userName);
      return withAccount({ id: arn, type: "user", ...(name ? { name } : {}) });
    }
    case "Root":
      if (!account) return "root-without-account";
      return { id: `arn:aws:iam::${account}:root`, type: "root", account, name: "root" };
    case "FederatedUser": {
      const arn = str(ui.arn);
      if (!arn) return "federated-user-without-arn";
      return withAccount({ id: arn, type: "user" });
    }
    case "AWSService": {
      // A service principal acting on its own (`invokedBy` names it); SCPs and RCPs do not restrict it.
      const svc = str(ui.invokedBy);
      if (!svc) return "aws-service-without-invokedBy";
      return { id: svc, type: "service", name: svc };
    }
    case "AWSAccount": {
      // A principal of another account; the record names the account, not the principal's ARN.
      if (!account) return "aws-account-without-account";
      const pid = str(ui.principalId);
      return { id: pid ? `${account}:${pid}` : account, type: "unknown", account };
    }
    default:
      return `unsupported-identity-type:${type ?? "none"}`;
  }
}

/** Looks a field up case-insensitively (services spell `tags` / `Tags` / `tagSet`). */
function field(o: Json, ...names: string[]): unknown {
  for (const n of names) {
    const lower = n.toLowerCase();
    for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  }
  return undefined;
}

/** CloudTrail writes this instead of values it redacts (e.g. AWS Backup tags). */
const REDACTED = "HIDDEN_DUE_TO_SECURITY_REASONS";

/**
 * Tags the request sets: `[{key,value}]` (IAM, STS, RDS, Organizations, Secrets Manager…),
 * `[{tagKey,tagValue}]` (KMS), `{k: v}` maps (SQS, Lambda, Logs), EC2's `{items:[{key,value}]}`.
 */
function requestTags(v: unknown): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const items = isObj(v) && Array.isArray(v.items) ? v.items : v;
  if (Array.isArray(items)) {
    for (const t of items) {
      if (!isObj(t)) continue;
      const k = str(field(t, "key", "tagKey"));
      if (!k) continue;
      const val = field(t, "value", "tagValue");
      out.set(k, typeof val === "string" && val !== REDACTED ? val : undefined);
    }
  } else if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) out.set(k, typeof val === "string" && val !== REDACTED ? val : undefined);
  }
  return out;
}

function tagKeyList(v: unknown): string[] {
  const items = isObj(v) && Array.isArray(v.items) ? v.items : v;
  if (!Array.isArray(items)) return [];
  return items.flatMap((k) => (typeof k === "string" ? [k] : isObj(k) && str(field(k, "key")) ? [str(field(k, "key"))!] : []));
}

/** aws:TagKeys / aws:RequestTag/<k> from a request that sets or removes tags. */
function tagContext(req: Json, ctx: Record<string, string | string[]>): void {
  const tags = requestTags(field(req, "tags", "tagSet", "tagList"));
  for (const spec of asArray(field(req, "tagSpecificationSet", "tagSpecifications"))) {
    if (isObj(spec)) for (const [k, v] of requestTags(field(spec, "tags", "tagSet"))) tags.set(k, v);
  }
  const removed = tagKeyList(field(req, "tagKeys", "tagKeyList"));
  const keys = [...new Set([...tags.keys(), ...removed])];
  if (keys.length === 0) return;
  ctx["aws:TagKeys"] = keys;
  for (const [k, v] of tags) if (v !== undefined) ctx[`aws:RequestTag/${k}`] = v;
}

function asArray(v: unknown): unknown[] {
  if (isObj(v) && Array.isArray(v.items)) return v.items;
  return Array.isArray(v) ? v : [];
}

/**
 * Service condition keys whose value the request parameters carry as logged. Each: the Service
 * Authorization Reference entry of the key against the API reference's request field.
 */
const SERVICE_KEYS: readonly { key: string; actions: RegExp; param: string }[] = [
  // IAM: "iam:PolicyARN — Filters access by the ARN of an IAM policy" (Attach*/Detach*/Put*PermissionsBoundary).
  { key: "iam:PolicyARN", actions: /^iam:(Attach|Detach)(Role|User|Group)Policy$/, param: "policyArn" },
  // RDS: rds:StorageEncrypted / rds:PubliclyAccessible vs CreateDBInstance's StorageEncrypted / PubliclyAccessible.
  { key: "rds:StorageEncrypted", actions: /^rds:(CreateDBInstance|CreateDBCluster|RestoreDBInstanceFromS3)$/, param: "storageEncrypted" },
  { key: "rds:PubliclyAccessible", actions: /^rds:(CreateDBInstance|ModifyDBInstance)$/, param: "publiclyAccessible" },
  // EC2 CreateVolume's Encrypted; EFS CreateFileSystem's Encrypted.
  { key: "ec2:Encrypted", actions: /^ec2:CreateVolume$/, param: "encrypted" },
  { key: "elasticfilesystem:Encrypted", actions: /^elasticfilesystem:CreateFileSystem$/, param: "encrypted" },
];

function serviceContext(action: string, req: Json, ctx: Record<string, string | string[]>): void {
  for (const s of SERVICE_KEYS) {
    if (!s.actions.test(action)) continue;
    const v = field(req, s.param);
    if (typeof v === "string" || typeof v === "boolean") ctx[s.key] = String(v);
  }
}

const IP = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+:[0-9a-fA-F:.]*$/;

/** S3 object-level calls act on `bucket/key`; the rest of S3 on the bucket. */
function s3Resource(req: Json): string | undefined {
  const bucket = str(field(req, "bucketName"));
  if (!bucket) return undefined;
  const key = str(field(req, "key"));
  return key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`;
}

const NOT_TARGETS = new Set(["AWS::IAM::AccessKey", "AWS::STS::AssumedRole"]);

function resourceOf(action: string, rec: Json, req: Json | undefined): { arn: string; account?: string } {
  const listed = asArray(rec.resources).filter(isObj);
  if (action.startsWith("s3:") && req) {
    const arn = s3Resource(req);
    if (arn) {
      // The bucket's entry carries the owner account; the object's does not.
      const entry = listed.find((r) => str(r.accountId) && (r.ARN === arn || arn.startsWith(`${String(r.ARN)}/`)));
      const account = str(entry?.accountId);
      return { arn, ...(account ? { account } : {}) };
    }
  }
  const target = listed.find((r) => str(r.ARN) && !NOT_TARGETS.has(String(r.type)));
  if (target) {
    const arn = String(target.ARN);
    const account = str(target.accountId) ?? arnAccount(arn);
    return { arn, ...(account ? { account } : {}) };
  }
  const roleArn = req ? str(field(req, "roleArn")) : undefined;
  if (roleArn) {
    const account = arnAccount(roleArn);
    return { arn: roleArn, ...(account ? { account } : {}) };
  }
  return { arn: "" };
}

function arnAccount(arn: string): string | undefined {
  const a = arn.split(":")[4];
  return a && /^\d{12}$/.test(a) ? a : undefined;
}

/** One CloudTrail record (already JSON-parsed) → an AuditEvent, or why it cannot be one. */
export function parseCloudTrailRecord(rec: unknown): TAwsRecordResult {
  if (!isObj(rec)) return { ok: false, reason: "not-an-object" };
  const eventType = str(rec.eventType);
  if (eventType && !API_CALL_TYPES.has(eventType)) return { ok: false, reason: `event-type:${eventType}` };
  const source = str(rec.eventSource);
  const name = str(rec.eventName);
  if (!source) return { ok: false, reason: "missing-eventSource" };
  if (!name) return { ok: false, reason: "missing-eventName" };
  const prefix = servicePrefix(source);
  if (!prefix) return { ok: false, reason: "unknown-eventSource" };
  const id = str(rec.eventID);
  const time = str(rec.eventTime);
  if (!id) return { ok: false, reason: "missing-eventID" };
  if (!time || Number.isNaN(Date.parse(time))) return { ok: false, reason: "missing-eventTime" };
  if (!isObj(rec.userIdentity)) return { ok: false, reason: "missing-userIdentity" };
  const principal = principalOf(rec.userIdentity);
  if (typeof principal === "string") return { ok: false, reason: principal };

  const action = `${prefix}:${actionName(name)}`;
  const req = isObj(rec.requestParameters) ? rec.requestParameters : undefined;
  const resource = resourceOf(action, rec, req);
  const region = str(rec.awsRegion);
  const ctx: Record<string, string | string[]> = {};
  if (region) ctx["aws:RequestedRegion"] = region;
  if (principal.type !== "service" && principal.type !== "unknown") ctx["aws:PrincipalArn"] = principal.id;
  if (principal.account) ctx["aws:PrincipalAccount"] = principal.account;
  ctx["aws:PrincipalIsAWSService"] = principal.type === "service" ? "true" : "false";
  const ip = str(rec.sourceIPAddress);
  // Calls a service makes on someone's behalf log the service name here; AWS sets no aws:SourceIp then.
  if (ip && IP.test(ip)) ctx["aws:SourceIp"] = ip;
  const invokedBy = str(rec.userIdentity.invokedBy);
  if (principal.type !== "service") {
    // aws:ViaAWSService is true when a service made the call with the principal's credentials (FAS),
    // which CloudTrail records as `invokedBy` (userIdentity element page).
    ctx["aws:ViaAWSService"] = invokedBy && invokedBy.endsWith(".amazonaws.com") ? "true" : "false";
  }
  if (isObj(rec.tlsDetails)) ctx["aws:SecureTransport"] = "true";
  // Calls made through the AWS MCP Server carry a `CalledViaAWSMCP` marker in additionalEventData
  // (AWS Agent Toolkit workshop, "CloudTrail" lab — https://atw.qvdm.people.aws.dev/03_api_tools/04_cloudtrail/);
  // AWS sets aws:ViaAWSMCPService / aws:CalledViaAWSMCP on those requests only (IAM global condition keys).
  const extra = isObj(rec.additionalEventData) ? rec.additionalEventData : undefined;
  const mcp = extra ? field(extra, "CalledViaAWSMCP") : undefined;
  if (mcp !== undefined && mcp !== false && mcp !== "false") {
    ctx["aws:ViaAWSMCPService"] = "true";
    if (typeof mcp === "string" && mcp !== "true") ctx["aws:CalledViaAWSMCP"] = mcp;
  }
  if (resource.account) ctx["aws:ResourceAccount"] = resource.account;
  if (req) {
    tagContext(req, ctx);
    serviceContext(action, req, ctx);
  }

  const errorCode = str(rec.errorCode);
  const recipient = str(rec.recipientAccountId);
  const management = rec.managementEvent !== false && rec.eventCategory !== "Data";
  const event: AuditEvent = {
    cloud: "aws",
    id,
    time: new Date(time).toISOString(),
    principal,
    action,
    resource: resource.arn,
    plane: management ? "management" : "data",
    outcome: errorCode ? (DENIED_CODES.has(errorCode) ? "denied" : "failed") : "success",
    context: ctx,
  };
  if (recipient) event.nodeExternalId = recipient;
  if (region) event.region = region;
  if (typeof rec.readOnly === "boolean") event.readOnly = rec.readOnly;
  if (req) event.request = req;
  return { ok: true, event };
}

/** Session tags an AssumeRole* record gave the session it created, keyed by the new access key id. */
function sessionTagsCreated(rec: Json): { accessKeyId: string; tags: Record<string, string> } | undefined {
  if (rec.eventSource !== "sts.amazonaws.com" || !/^AssumeRole/.test(String(rec.eventName)) || rec.errorCode) return undefined;
  const req = isObj(rec.requestParameters) ? rec.requestParameters : undefined;
  const resp = isObj(rec.responseElements) ? rec.responseElements : undefined;
  const creds = resp && isObj(resp.credentials) ? resp.credentials : undefined;
  const accessKeyId = str(creds?.accessKeyId);
  if (!req || !accessKeyId) return undefined;
  const tags: Record<string, string> = {};
  for (const [k, v] of requestTags(field(req, "tags"))) if (v !== undefined) tags[k] = v;
  return Object.keys(tags).length > 0 ? { accessKeyId, tags } : undefined;
}

export interface TAwsParsedExport {
  events: AuditEvent[];
  /** Records not normalisable, counted by reason. */
  skipped: Record<string, number>;
}

/**
 * Parses a set of records, carrying session tags from the AssumeRole* record that created a session
 * to the later calls made with its access key (CloudTrail logs the tags only on the AssumeRole call).
 */
export function parseCloudTrailRecords(records: readonly unknown[]): TAwsParsedExport {
  const sessionTags = new Map<string, Record<string, string>>();
  for (const r of records) {
    if (!isObj(r)) continue;
    const s = sessionTagsCreated(r);
    if (s) sessionTags.set(s.accessKeyId, s.tags);
  }
  const events: AuditEvent[] = [];
  const skipped: Record<string, number> = {};
  for (const r of records) {
    const out = parseCloudTrailRecord(r);
    if (!out.ok) {
      skipped[out.reason] = (skipped[out.reason] ?? 0) + 1;
      continue;
    }
    const ui = isObj(r) && isObj(r.userIdentity) ? r.userIdentity : undefined;
    const tags = ui && typeof ui.accessKeyId === "string" ? sessionTags.get(ui.accessKeyId) : undefined;
    if (tags) out.event.principal.tags = { ...tags };
    events.push(out.event);
  }
  return { events, skipped };
}

/**
 * A trail delivery file (`{"Records":[...]}`, as CloudTrail writes it to S3, gzipped or not) →
 * events. Throws with a message naming what is wrong when the input is not that format.
 */
export function parseAwsAuditExport(input: string | Uint8Array): TAwsParsedExport {
  let text: string;
  if (typeof input === "string") text = input;
  else if (input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b) text = gunzipSync(input).toString("utf8");
  else text = Buffer.from(input).toString("utf8");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`CloudTrail export is not JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc) || !Array.isArray(doc.Records)) {
    throw new Error('CloudTrail export must be an object with a "Records" array (the trail delivery format)');
  }
  return parseCloudTrailRecords(doc.Records);
}
