/**
 * Audit history for the demo's "Would have blocked" tab: the AWS demo organisation gets an organization
 * trail (the connection's audit source) holding two weeks of realistic management calls in its member
 * accounts — an agent role deleting tables and snapshots in prod, a developer stopping the trail, a CI role
 * deleting a dev trail, break-glass and the connector at work, and plenty of reads — appended through the
 * simulator's admin API and delivered as trail files, so a replay reads them through the real S3 SDK. An
 * AWS Config aggregator holds the member accounts' role tags, so agent guardrails (aws:PrincipalTag/agent)
 * judge the agent's calls instead of answering "cannot judge".
 */
import type { PrismaClient } from "@parapet/db";
import type { AllSims } from "@parapet/cloud-sim/index";

const BUCKET = "acme-org-trail";
/** The AWS Config aggregator replays read member accounts' role tags from (aws:PrincipalTag/agent…). */
const AGGREGATOR = { name: "acme-org-aggregator", region: "us-east-1" };
/** Tags of the demo's roles, as IAM in each member account holds them. */
const ROLE_TAGS: Record<string, Record<string, string>> = {
  "agent-runner": { agent: "true", team: "data-platform" },
  Developer: { team: "payments" },
  "ci-deploy": { team: "platform" },
  BreakGlassAdmin: {},
  ParapetConnector: {},
};
const REGIONS = ["eu-west-1", "us-east-1"];
const DAY_MS = 86_400_000;

type TCall = [role: string, source: string, name: string, params: Record<string, unknown>, readOnly: boolean];

const PROD_CALLS: TCall[] = [
  ["agent-runner", "dynamodb.amazonaws.com", "DeleteTable", { tableName: "orders-staging-copy" }, false],
  ["agent-runner", "rds.amazonaws.com", "DeleteDBSnapshot", { dBSnapshotIdentifier: "nightly-2026-11-28" }, false],
  ["agent-runner", "dynamodb.amazonaws.com", "DescribeTable", { tableName: "orders" }, true],
  ["Developer", "cloudtrail.amazonaws.com", "StopLogging", { name: "org-trail" }, false],
  ["Developer", "ec2.amazonaws.com", "DescribeInstances", {}, true],
  ["BreakGlassAdmin", "cloudtrail.amazonaws.com", "UpdateTrail", { name: "org-trail" }, false],
  ["ParapetConnector", "cloudtrail.amazonaws.com", "DescribeTrails", {}, true],
];
const OTHER_CALLS: TCall[] = [
  ["ci-deploy", "cloudtrail.amazonaws.com", "DeleteTrail", { name: "dev-trail" }, false],
  ["ci-deploy", "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", { functionName: "api" }, false],
  ["Developer", "s3.amazonaws.com", "ListBuckets", {}, true],
];

function record(account: string, [role, source, name, params, readOnly]: TCall, at: Date, n: number, region: string) {
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROADEMO${String(n % 97).padStart(4, "0")}:session-${n}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${n}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROADEMO",
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
        attributes: { creationDate: at.toISOString().replace(/\.\d{3}Z$/, "Z"), mfaAuthenticated: "false" },
      },
    },
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: source,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: "203.0.113.24",
    userAgent: "aws-sdk-js/3.0",
    requestParameters: params,
    responseElements: null,
    requestID: `demo-req-${n}`,
    eventID: `5eed0000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    readOnly,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
}

async function post(url: string, body: unknown): Promise<void> {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`demo audit history: ${url} answered ${r.status} ${await r.text()}`);
}

export async function seedDemoAuditHistory(
  prisma: PrismaClient,
  sims: AllSims,
  awsConnectionId: string | undefined,
  now = new Date(),
): Promise<void> {
  if (!awsConnectionId) return;
  await prisma.connection.update({
    where: { id: awsConnectionId },
    data: { auditSource: { orgTrail: { bucket: BUCKET, regions: REGIONS }, configAggregator: AGGREGATOR } },
  });
  const base = sims.aws.url;
  await post(`${base}/_admin/cloudtrail/trail`, { bucket: BUCKET });
  await post(`${base}/_admin/config/aggregator`, { name: AGGREGATOR.name });
  const members = [...sims.aws.state.accounts.values()].filter((a) => a.id !== sims.aws.state.managementAccountId);
  await post(`${base}/_admin/config/items`, {
    items: members.flatMap((a) => Object.entries(ROLE_TAGS).map(([role, tags]) => ({ arn: `arn:aws:iam::${a.id}:role/${role}`, tags }))),
  });
  // The simulator keeps its history across restarts of a persisted demo: seed it once.
  const have = (await (await fetch(`${base}/_admin/cloudtrail/events`)).json()) as { Records?: { eventID?: string }[] };
  if (!have.Records?.some((r) => r.eventID?.startsWith("5eed0000-"))) {
    const accounts = [...sims.aws.state.accounts.values()].filter(
      (a) => a.id !== sims.aws.state.managementAccountId && a.status !== "SUSPENDED",
    );
    const prod = accounts.filter((a) => a.tags.get("env") === "prod");
    const other = accounts.filter((a) => a.tags.get("env") !== "prod");
    const records: unknown[] = [];
    let n = 0;
    for (let day = 13; day >= 0; day--) {
      for (const [i, a] of prod.slice(0, 6).entries()) {
        for (const [j, c] of PROD_CALLS.entries()) {
          // Destructive calls are rarer than reads: every few days per account.
          if (!c[4] && (day + i + j) % 4 !== 0) continue;
          records.push(
            record(a.id, c, new Date(now.getTime() - day * DAY_MS - (i * 7 + j) * 60_000 - 3_600_000), ++n, REGIONS[(i + j) % 2]!),
          );
        }
      }
      for (const [i, a] of other.slice(0, 4).entries()) {
        for (const [j, c] of OTHER_CALLS.entries()) {
          if (!c[4] && (day + i + j) % 5 !== 0) continue;
          records.push(record(a.id, c, new Date(now.getTime() - day * DAY_MS - (i * 5 + j) * 60_000 - 7_200_000), ++n, REGIONS[0]!));
        }
      }
    }
    await post(`${base}/_admin/cloudtrail/events`, { Records: records });
  }
  await post(`${base}/_admin/cloudtrail/deliver`, {});
}
