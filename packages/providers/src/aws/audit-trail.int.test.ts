import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsDemoResult, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { simulatorEgress } from "../egress/index.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createAwsAdapter, type AwsAdapterConfig } from "./adapter.ts";

const RELAXED = {
  read: { burst: 500, ratePerSec: 1000 },
  write: { burst: 200, ratePerSec: 500 },
  DescribePolicy: { burst: 500, ratePerSec: 1000 },
};
const BUCKET = "org-trail-logs-example";

/** A data event as an organization trail logs it in a member account. */
function deleteObject(account: string, key: string, minutesAgo: number, id: string) {
  const t = new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    eventVersion: "1.10",
    userIdentity: {
      type: "AssumedRole",
      principalId: "AROAAGENT:run",
      arn: `arn:aws:sts::${account}:assumed-role/agent-runner/run`,
      accountId: account,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: "AROAAGENT",
          arn: `arn:aws:iam::${account}:role/agent-runner`,
          accountId: account,
          userName: "agent-runner",
        },
      },
    },
    eventTime: t,
    eventSource: "s3.amazonaws.com",
    eventName: "DeleteObject",
    awsRegion: "eu-west-1",
    sourceIPAddress: "203.0.113.5",
    requestParameters: { bucketName: "prod-data", key },
    responseElements: null,
    eventID: id,
    readOnly: false,
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::prod-data/${key}` },
      { accountId: account, type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::prod-data" },
    ],
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: account,
    eventCategory: "Data",
  };
}

describe("AWS audit reader over an organization trail's S3 log files", () => {
  let sim: AwsSim;
  let demo: AwsDemoResult;
  let prod: string;
  let dev: string;
  const adapterFor = (extra: Partial<AwsAdapterConfig> = {}): CloudAdapter =>
    createAwsAdapter({
      workspaceId: "ws_trail",
      egress: simulatorEgress(),
      credentials: {
        kind: "assume-role",
        roleArn: AWS_DEMO.role.arn,
        externalId: AWS_DEMO.role.externalId,
        sourceAccessKeyId: AWS_DEMO.credentials.accessKeyId,
        sourceSecretAccessKey: AWS_DEMO.credentials.secretAccessKey,
      },
      endpoint: sim.url,
      retry: { attempts: 6, baseMs: 50, maxMs: 500 },
      rateLimits: false,
      orgTrail: { bucket: BUCKET, regions: ["eu-west-1", "us-east-1"] },
      ...extra,
    });

  beforeAll(async () => {
    sim = await startAwsSim({ seed: 61, throttle: RELAXED });
    demo = seedAwsDemo(sim);
    const ids = Object.values(demo.accountIds).filter((a) => a !== AWS_DEMO.managementAccountId);
    prod = ids[0]!;
    dev = ids[1]!;
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}/_admin/cloudtrail/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post("trail", { bucket: BUCKET })).status).toBe(200);
    const records = [
      ...Array.from({ length: 12 }, (_, i) =>
        deleteObject(prod, `report-${i}.csv`, 30 + i, `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, "0")}`),
      ),
      deleteObject(dev, "scratch.txt", 20, "bbbbbbbb-0000-4000-8000-000000000001"),
      // Outside the window asked for below.
      deleteObject(prod, "old.csv", 60 * 24 * 10, "cccccccc-0000-4000-8000-000000000001"),
    ];
    expect((await post("events", { Records: records })).status).toBe(200);
    const delivered = (await (await post("deliver", {})).json()) as { keys: string[] };
    expect(delivered.keys.some((k) => k.startsWith(`AWSLogs/${demo.orgId}/${prod}/CloudTrail/eu-west-1/`))).toBe(true);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("reads every account's data events in the window through ListObjectsV2 and GetObject", async () => {
    const a = adapterFor();
    try {
      // The connector's own management calls land in the trail with the next delivery.
      await a.verify();
      expect((await fetch(`${sim.url}/_admin/cloudtrail/deliver`, { method: "POST" })).status).toBe(200);
      const page = await a.readAuditEvents!({ since: new Date(Date.now() - 24 * 3600_000), until: new Date(), pageSize: 1000 });
      const deletes = page.events.filter((e) => e.action === "s3:DeleteObject");
      expect(deletes.map((e) => e.nodeExternalId).sort()).toEqual([...Array.from({ length: 12 }, () => prod), dev].sort());
      const first = deletes.find((e) => e.nodeExternalId === prod)!;
      expect(first).toMatchObject({ plane: "data", principal: { id: `arn:aws:iam::${prod}:role/agent-runner`, type: "role" } });
      expect(first.context["aws:ResourceAccount"]).toBe(prod);
      expect(page.events.some((e) => e.id === "cccccccc-0000-4000-8000-000000000001")).toBe(false);
      // Management calls the simulator served (AssumeRole in the management account) are in the trail too.
      expect(page.events.some((e) => e.action === "sts:AssumeRole" && e.nodeExternalId === AWS_DEMO.managementAccountId)).toBe(true);
    } finally {
      await a.close();
    }
  });

  it("pages with bounded pages, resuming inside a log file, and filters by account", async () => {
    const a = adapterFor();
    try {
      const ids: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const p = await a.readAuditEvents!({
          since: new Date(Date.now() - 24 * 3600_000),
          until: new Date(),
          pageSize: 5,
          nodeExternalIds: [prod],
          ...(token ? { pageToken: token } : {}),
        });
        expect(p.events.length).toBeLessThanOrEqual(5);
        ids.push(...p.events.map((e) => e.id));
        expect(p.events.every((e) => e.nodeExternalId === prod)).toBe(true);
        token = p.nextPageToken;
        pages++;
      } while (token && pages < 20);
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => id.startsWith("aaaaaaaa-"))).toHaveLength(12);
    } finally {
      await a.close();
    }
  });

  it("answers the bucket's refusal as an error, not as an empty log", async () => {
    const a = adapterFor({ orgTrail: { bucket: "no-such-trail-bucket", regions: ["eu-west-1"] } });
    try {
      const err = await a.readAuditEvents!({ since: new Date(Date.now() - 3600_000), until: new Date() }).catch((e: unknown) => e);
      expect(isProviderError(err)).toBe(true);
    } finally {
      await a.close();
    }
  });
});
