/**
 * Denial attribution on the AWS simulator (issue 17): CloudTrail records of refused calls (errorCode
 * AccessDenied; CloudTrail's errorMessage names "an explicit deny in a service control policy" when an
 * SCP refused it — https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)
 * are written to the organization trail's S3 bucket through the simulator's admin API and read through
 * the real S3 SDK, as the impact replay reads them. A member account leaving the organization is denied
 * by the "no leaving" guardrail's SCP; a bucket deletion refused by the customer's own policy is not Parapet's.
 */
import { randomBytes } from "node:crypto";
import { Queue, type Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bullPrefix, QUEUES, requestDenialPoll } from "@parapet/core";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { pollDenials } from "@parapet/core/denials/attribute-denials";
import { requestDenialExemption } from "@parapet/core/denials/request-denial-exemption";
import { demoSpec, reconcileHarness } from "../testing/reconcile-harness.ts";
import { createImpactWorker } from "./impact.worker.ts";

const h = reconcileHarness();
const { prisma } = h;
const BUCKET = "acme-org-trail";
let sim: AwsSim;
let workspaceId: string;
let connectionId: string;
let guardrailId: string;
let prod: string;

function record(account: string, role: string, source: string, name: string, error: { code: string; message: string }, n: number) {
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROA${role.toUpperCase().replace(/[^A-Z]/g, "")}:s${n}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/s${n}`,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAX",
          arn: `arn:aws:iam::${account}:role/${role}`,
          accountId: account,
          userName: role,
        },
      },
    },
    eventTime: new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: source,
    eventName: name,
    awsRegion: "us-east-1",
    sourceIPAddress: "203.0.113.9",
    userAgent: "aws-cli/2.17.0",
    requestParameters: null,
    responseElements: null,
    errorCode: error.code,
    errorMessage: error.message,
    requestID: `req-${n}`,
    eventID: `eeeeeeee-0000-4000-8000-${String(n).padStart(12, "0")}`,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
}

async function admin(path: string, body: unknown) {
  const r = await fetch(`${sim.url}/_admin/cloudtrail/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  sim = await startAwsSim({ seed: 17, throttle: false });
  seedAwsDemo(sim);
  ({ workspaceId, connectionId } = await h.connect(demoSpec({ aws: sim } as never, "aws"), "AWS org"));
  guardrailId = (await h.guardrail(workspaceId, "deny-leave-organization", { all: true }, "enforce", "auto")).id;
  await h.run(connectionId);
  const accounts = await prisma.node.findMany({ where: { connectionId, isEnvironment: true }, select: { externalId: true, name: true } });
  prod = accounts.find((a) => a.externalId !== AWS_DEMO.managementAccountId && /prod/i.test(a.name))?.externalId ?? accounts[1]!.externalId;
  await prisma.connection.update({
    where: { id: connectionId },
    data: { auditSource: { orgTrail: { bucket: BUCKET, regions: ["us-east-1"] } } },
  });
  await admin("trail", { bucket: BUCKET });
});

afterAll(async () => {
  await sim?.close();
});

describe("denials on AWS", () => {
  it("a LeaveOrganization refused by the guardrail's SCP is Parapet's; a bucket deletion refused by the account's own policy is not", async () => {
    await admin("events", {
      Records: [
        record(
          prod,
          "ci-deploy",
          "organizations.amazonaws.com",
          "LeaveOrganization",
          {
            code: "AccessDenied",
            message: `User: arn:aws:sts::${prod}:assumed-role/ci-deploy/s1 is not authorized to perform: organizations:LeaveOrganization with an explicit deny in a service control policy`,
          },
          1,
        ),
        record(
          prod,
          "ci-deploy",
          "s3.amazonaws.com",
          "DeleteBucket",
          {
            code: "AccessDenied",
            message: `User: arn:aws:sts::${prod}:assumed-role/ci-deploy/s2 is not authorized to perform: s3:DeleteBucket because no identity-based policy allows the s3:DeleteBucket action`,
          },
          2,
        ),
      ],
    });
    // CloudTrail writes its log files to the bucket every few minutes; the simulator does it when told.
    await admin("deliver", {});
    const r = await pollDenials({ prisma, keys: h.keys, adapterFor: h.deps().adapterFor }, connectionId);
    expect(r, JSON.stringify(r)).toMatchObject({ denied: 2 });
    const rows = await prisma.denial.findMany({ where: { connectionId }, orderBy: { action: "asc" } });
    expect(rows.map((d) => [d.action, d.parapet, d.guardrailId])).toEqual([
      ["organizations:LeaveOrganization", true, guardrailId],
      ["s3:DeleteBucket", false, null],
    ]);
    expect(rows[0]!.principal).toBe(`arn:aws:iam::${prod}:role/ci-deploy`);
    expect(rows[0]!.statement).toBeTruthy();
    expect(await prisma.notificationEvent.count({ where: { workspaceId, type: "denial.detected" } })).toBe(1);

    // "Request exemption" for the principal the SCP refused: its role ARN (not the session), in every environment.
    const author = {
      workspaceId,
      userId: "user_denial_author",
      role: "author" as const,
      kind: "user" as const,
      label: "author@example.test",
    };
    const { exemption, approval } = await requestDenialExemption({ prisma }, author, rows[0]!.id, {
      of: "principal",
      reason: "ci-deploy leaves a sandbox org once, by design",
      ownerEmail: "author@example.test",
      expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(exemption).toMatchObject({
      node: null,
      principal: { cloud: "aws", id: `arn:aws:iam::${prod}:role/ci-deploy` },
      status: "pending_approval",
    });
    expect(approval.summary).toContain(`arn:aws:iam::${prod}:role/ci-deploy`);
  });

  it("the event path: a storm of cloud events is one poll, and the denial is attributed without the minute poll", async () => {
    // The impact queue on a key prefix of its own with no scheduler on it: only the event path can poll.
    const redisPrefix = `${h.deps().redisPrefix}ev-${randomBytes(3).toString("hex")}:`;
    const { redis } = h.deps();
    const queue = new Queue(QUEUES.impact, { connection: redis, prefix: bullPrefix(redisPrefix) });
    try {
      await admin("events", {
        Records: [
          record(
            prod,
            "ci-deploy",
            "organizations.amazonaws.com",
            "LeaveOrganization",
            {
              code: "AccessDenied",
              message: `User: arn:aws:sts::${prod}:assumed-role/ci-deploy/s3 is not authorized to perform: organizations:LeaveOrganization with an explicit deny in a service control policy`,
            },
            3,
          ),
        ],
      });
      await admin("deliver", {});
      // Fifty events for this connection land at once, as the webhook asks for each (events/[cloud]/[connectionId]).
      const storm = 50;
      await Promise.all(Array.from({ length: storm }, () => requestDenialPoll(queue, redis, redisPrefix, connectionId)));
      expect(await queue.getJobCounts("waiting")).toMatchObject({ waiting: 1 });

      const started = Date.now();
      const done: Array<{ rounds: number; denied: number }> = [];
      const worker = createImpactWorker(
        {
          prisma,
          keys: h.keys,
          adapterFor: h.deps().adapterFor,
          workerId: "test",
          bullPrefix: bullPrefix(redisPrefix),
          redis,
          redisPrefix,
        },
        redis.duplicate({ maxRetriesPerRequest: null }),
      );
      worker.on("completed", (j: Job) => done.push(j.returnvalue as { rounds: number; denied: number }));
      try {
        await expect
          .poll(() => prisma.denial.findFirst({ where: { connectionId, eventId: "eeeeeeee-0000-4000-8000-000000000003" } }), {
            timeout: 30_000,
            interval: 200,
          })
          .toMatchObject({ parapet: true, guardrailId, action: "organizations:LeaveOrganization" });
        // Well inside the minute the periodic poll would have taken.
        expect(Date.now() - started).toBeLessThan(30_000);
        await expect.poll(() => done.length, { timeout: 10_000 }).toBe(1);
        // One job, one read: the flags the storm set were consumed by the first round.
        expect(done).toEqual([{ rounds: 1, denied: 1 }]);
      } finally {
        await worker.close();
      }
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });
});
