import { randomUUID } from "node:crypto";
import type { Principal } from "./iam.ts";
import type { CloudTrailRecord } from "./cloudtrail-history.ts";
import { lowerKeys, type Input, type Output } from "./organizations-api.ts";

/**
 * EventBridge "AWS API Call via CloudTrail" events for Organizations mutations, as delivered in us-east-1
 * (Organizations is a global service homed there). Field names follow the CloudTrail record format.
 */
export interface AwsCloudTrailEvent {
  version: "0";
  id: string;
  "detail-type": "AWS API Call via CloudTrail";
  source: "aws.organizations";
  account: string;
  time: string;
  region: "us-east-1";
  resources: string[];
  detail: {
    eventVersion: "1.08";
    userIdentity: {
      type: "IAMUser" | "AssumedRole";
      principalId: string;
      arn: string;
      accountId: string;
      accessKeyId?: string;
      userName?: string;
      sessionContext?: {
        sessionIssuer: { type: "Role"; principalId: string; arn: string; accountId: string; userName: string };
        attributes: { creationDate: string; mfaAuthenticated: "true" | "false" };
      };
    };
    eventTime: string;
    eventSource: "organizations.amazonaws.com";
    eventName: string;
    awsRegion: "us-east-1";
    sourceIPAddress: string;
    userAgent: string;
    requestParameters: Output | null;
    responseElements: Output | null;
    requestID: string;
    eventID: string;
    readOnly: false;
    eventType: "AwsApiCall";
    managementEvent: true;
    recipientAccountId: string;
    eventCategory: "Management";
  };
}

/** Who made an out-of-band change through the admin API: a person signed in through IAM Identity Center. */
export function humanPrincipal(managementAccountId: string, person = "jane.doe@example.com"): Principal {
  const role = "AWSReservedSSO_AdministratorAccess_4f1c2a9e7b3d5c60";
  return {
    type: "AssumedRole",
    arn: `arn:aws:sts::${managementAccountId}:assumed-role/${role}/${person}`,
    accountId: managementAccountId,
    principalId: `AROAHUMANCONSOLEUSER1:${person}`,
    accessKeyId: "ASIAHUMANCONSOLE0001",
    allowed: null,
    roleArn: `arn:aws:iam::${managementAccountId}:role/aws-reserved/sso.amazonaws.com/${role}`,
    sessionName: person,
  };
}

/** Request elements CloudTrail omits from the record. */
const HIDDEN_REQUEST_KEYS = new Set(["NextToken", "MaxResults"]);

/**
 * One CloudTrail record of an API call the simulator served (record contents page:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 * Shared by the EventBridge events below and the LookupEvents history (cloudtrail-history.ts).
 */
export function buildRecord(args: {
  eventSource: string;
  eventName: string;
  principal: Principal;
  recipientAccountId: string;
  region: string;
  request: Input;
  responseElements: Output | null;
  sourceIp: string;
  userAgent: string;
  readOnly: boolean;
  /** The error the call ended with (AccessDeniedException…), when it failed. */
  error?: { code: string; message: string };
  resources?: { ARN: string; accountId?: string; type: string }[];
  now?: number;
}): CloudTrailRecord {
  const now = new Date(args.now ?? Date.now());
  const time = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const p = args.principal;
  const req: Input = {};
  for (const [k, v] of Object.entries(args.request)) if (!HIDDEN_REQUEST_KEYS.has(k)) req[k] = v;
  const userIdentity: AwsCloudTrailEvent["detail"]["userIdentity"] = {
    type: p.type,
    principalId: p.principalId,
    arn: p.arn,
    accountId: p.accountId,
    accessKeyId: p.accessKeyId,
  };
  if (p.type === "IAMUser") userIdentity.userName = p.arn.slice(p.arn.lastIndexOf("/") + 1);
  if (p.type === "AssumedRole" && p.roleArn) {
    userIdentity.sessionContext = {
      sessionIssuer: {
        type: "Role",
        principalId: p.principalId.split(":")[0] ?? p.principalId,
        arn: p.roleArn,
        accountId: p.accountId,
        userName: p.roleArn.slice(p.roleArn.lastIndexOf("/") + 1),
      },
      attributes: { creationDate: time, mfaAuthenticated: "false" },
    };
  }
  return {
    eventVersion: "1.08",
    userIdentity,
    eventTime: time,
    eventSource: args.eventSource,
    eventName: args.eventName,
    awsRegion: args.region,
    sourceIPAddress: args.sourceIp,
    userAgent: args.userAgent,
    ...(args.error ? { errorCode: args.error.code, errorMessage: args.error.message } : {}),
    requestParameters: Object.keys(req).length ? lowerKeys(req) : null,
    responseElements: args.responseElements,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: args.readOnly,
    ...(args.resources ? { resources: args.resources } : {}),
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: args.recipientAccountId,
    eventCategory: "Management",
  };
}

export function buildEvent(args: {
  eventName: string;
  principal: Principal;
  managementAccountId: string;
  request: Input;
  responseElements: Output | null;
  sourceIp: string;
  userAgent: string;
  now?: number;
}): AwsCloudTrailEvent {
  const detail = buildRecord({
    ...args,
    eventSource: "organizations.amazonaws.com",
    recipientAccountId: args.managementAccountId,
    region: "us-east-1",
    readOnly: false,
  }) as unknown as AwsCloudTrailEvent["detail"];
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.organizations",
    account: args.managementAccountId,
    time: detail.eventTime,
    region: "us-east-1",
    resources: [],
    detail,
  };
}

/**
 * The "AWS Service Event via CloudTrail" Organizations records when an asynchronous CreateAccount finishes
 * (`CreateAccountResult`): the API call's own event only carries the request id (state IN_PROGRESS), this
 * one carries the new account id in `serviceEventDetails.createAccountStatus`. AWS documents it beside
 * CreateAccount ("You can also check the CloudTrail log for the CreateAccountResult event",
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
 */
export function buildCreateAccountResult(args: {
  managementAccountId: string;
  status: { id: string; accountName: string; accountId: string; requestedAt: number; completedAt: number };
  now?: number;
}) {
  const time = new Date(args.now ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const s = args.status;
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "AWS Service Event via CloudTrail",
    source: "aws.organizations",
    account: args.managementAccountId,
    time,
    region: "us-east-1",
    resources: [],
    detail: {
      eventVersion: "1.08",
      userIdentity: { accountId: args.managementAccountId, invokedBy: "AWS Internal" },
      eventTime: time,
      eventSource: "organizations.amazonaws.com",
      eventName: "CreateAccountResult",
      awsRegion: "us-east-1",
      sourceIPAddress: "AWS Internal",
      userAgent: "AWS Internal",
      requestParameters: null,
      responseElements: null,
      eventID: randomUUID(),
      readOnly: false,
      eventType: "AwsServiceEvent",
      managementEvent: true,
      recipientAccountId: args.managementAccountId,
      serviceEventDetails: {
        createAccountStatus: {
          id: s.id,
          state: "SUCCEEDED",
          accountName: "***",
          accountId: s.accountId,
          requestedTimestamp: new Date(s.requestedAt).toISOString(),
          completedTimestamp: new Date(s.completedAt).toISOString(),
        },
      },
      eventCategory: "Management",
    },
  };
}

type AwsServiceEvent = ReturnType<typeof buildCreateAccountResult>;
/** What the simulator emits: API-call records and the CreateAccountResult service event. */
export type AwsOrgEvent = AwsCloudTrailEvent | AwsServiceEvent;
