import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { AWS_DEMO, seedAwsDemo, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { simulatorEgress } from "../egress/index.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { createAwsAdapter } from "./adapter.ts";

const RELAXED = {
  read: { burst: 500, ratePerSec: 1000 },
  write: { burst: 200, ratePerSec: 500 },
  DescribePolicy: { burst: 500, ratePerSec: 1000 },
};
const KEYS = { accessKeyId: AWS_DEMO.credentials.accessKeyId, secretAccessKey: AWS_DEMO.credentials.secretAccessKey };

describe("AWS audit reader over the simulator's CloudTrail history", () => {
  let sim: AwsSim;
  let adapter: CloudAdapter;
  beforeAll(async () => {
    sim = await startAwsSim({ seed: 16, throttle: RELAXED });
    seedAwsDemo(sim);
    adapter = createAwsAdapter({
      workspaceId: "ws_audit",
      egress: simulatorEgress(),
      credentials: {
        kind: "assume-role",
        roleArn: AWS_DEMO.role.arn,
        externalId: AWS_DEMO.role.externalId,
        sourceAccessKeyId: KEYS.accessKeyId,
        sourceSecretAccessKey: KEYS.secretAccessKey,
      },
      endpoint: sim.url,
      retry: { attempts: 12, baseMs: 50, maxMs: 1000 },
    });
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  it("returns the calls the simulator served, normalised, and appended data events", async () => {
    const since = new Date(Date.now() - 3600_000);
    // AssumeRole + Organizations reads through the real SDKs, recorded by the sim; verify probes LookupEvents.
    const v = await adapter.verify();
    expect(v.checks.find((c) => c.permission === "cloudtrail:LookupEvents")?.ok).toBe(true);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const mgmt = AWS_DEMO.managementAccountId;
    const appended = await fetch(`${sim.url}/_admin/cloudtrail/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        Records: [
          {
            eventVersion: "1.10",
            userIdentity: {
              type: "AssumedRole",
              principalId: "AROAAGENT:run-1",
              arn: `arn:aws:sts::${mgmt}:assumed-role/agent-runner/run-1`,
              accountId: mgmt,
              sessionContext: {
                sessionIssuer: {
                  type: "Role",
                  principalId: "AROAAGENT",
                  arn: `arn:aws:iam::${mgmt}:role/agent-runner`,
                  accountId: mgmt,
                  userName: "agent-runner",
                },
              },
            },
            eventTime: now,
            eventSource: "iam.amazonaws.com",
            eventName: "DeleteRole",
            awsRegion: "us-east-1",
            sourceIPAddress: "203.0.113.9",
            requestParameters: { roleName: "old" },
            responseElements: null,
            errorCode: "AccessDenied",
            eventID: "5f0c1a2b-0000-4000-8000-000000000016",
            readOnly: false,
            eventType: "AwsApiCall",
            managementEvent: true,
            recipientAccountId: mgmt,
            eventCategory: "Management",
          },
        ],
      }),
    });
    expect(appended.status).toBe(200);
    const page = await adapter.readAuditEvents!({ since, until: new Date(), pageSize: 500 });
    const actions = new Set(page.events.map((e) => e.action));
    expect(actions).toContain("sts:AssumeRole");
    expect(actions).toContain("organizations:DescribeOrganization");
    const org = page.events.find((e) => e.action === "organizations:DescribeOrganization")!;
    expect(org).toMatchObject({
      cloud: "aws",
      principal: { id: AWS_DEMO.role.arn, type: "role", account: mgmt },
      nodeExternalId: mgmt,
      readOnly: true,
    });
    const denied = page.events.find((e) => e.id === "5f0c1a2b-0000-4000-8000-000000000016")!;
    expect(denied).toMatchObject({
      action: "iam:DeleteRole",
      outcome: "denied",
      principal: { id: `arn:aws:iam::${mgmt}:role/agent-runner` },
    });
    // Newest first, as LookupEvents orders them.
    const times = page.events.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("is refused for a connector role without cloudtrail:LookupEvents", async () => {
    const ro = createAwsAdapter({
      workspaceId: "ws_audit",
      egress: simulatorEgress(),
      credentials: {
        kind: "assume-role",
        roleArn: AWS_DEMO.readOnlyRole.arn,
        externalId: AWS_DEMO.readOnlyRole.externalId,
        sourceAccessKeyId: KEYS.accessKeyId,
        sourceSecretAccessKey: KEYS.secretAccessKey,
      },
      endpoint: sim.url,
      retry: { attempts: 3, baseMs: 50, maxMs: 500 },
    });
    try {
      const err = await ro.readAuditEvents!({ since: new Date(Date.now() - 3600_000), until: new Date() }).catch((e: unknown) => e);
      expect(isProviderError(err) && err.kind === "auth").toBe(true);
    } finally {
      await ro.close();
    }
  });

  it("pages with bounded pages and continues from the token", async () => {
    const since = new Date(Date.now() - 3600_000);
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await adapter.readAuditEvents!({ since, until: new Date(), pageSize: 7, ...(token ? { pageToken: token } : {}) });
      expect(p.events.length).toBeLessThanOrEqual(7);
      for (const e of p.events) {
        expect(seen.has(e.id)).toBe(false);
        seen.add(e.id);
      }
      token = p.nextPageToken;
      pages++;
    } while (token && pages < 50);
    expect(pages).toBeGreaterThan(1);
    expect(seen.size).toBeGreaterThan(7);
  });

  it("refuses a window older than the 90 days of event history, in the reader and in the simulator", async () => {
    const old = new Date(Date.now() - 100 * 24 * 3600_000);
    const err = await adapter.readAuditEvents!({ since: old, until: new Date(old.getTime() + 3600_000) }).catch((e: unknown) => e);
    expect(isProviderError(err) && err.kind === "invalid" && /90 days/.test(err.message)).toBe(true);

    const ct = new CloudTrailClient({ region: "us-east-1", endpoint: sim.url, credentials: KEYS, maxAttempts: 1 });
    try {
      await new Promise((r) => setTimeout(r, 1100)); // let the 2-per-second bucket refill after the reader
      const refused = await ct
        .send(new LookupEventsCommand({ StartTime: old, EndTime: new Date(old.getTime() + 3600_000) }))
        .catch((e: unknown) => e);
      expect((refused as { name?: string }).name).toBe("InvalidTimeRangeException");
      await new Promise((r) => setTimeout(r, 600));
      const many = await ct
        .send(
          new LookupEventsCommand({
            LookupAttributes: [
              { AttributeKey: "EventName", AttributeValue: "a" },
              { AttributeKey: "EventName", AttributeValue: "b" },
            ],
          }),
        )
        .catch((e: unknown) => e);
      expect((many as { name?: string }).name).toBe("InvalidLookupAttributesException");
      await new Promise((r) => setTimeout(r, 600));
      const tooMany = await ct.send(new LookupEventsCommand({ MaxResults: 51 })).catch((e: unknown) => e);
      expect((tooMany as { name?: string }).name).toBe("InvalidMaxResultsException");
      await new Promise((r) => setTimeout(r, 600));
      const filtered = await ct.send(
        new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "AssumeRole" }], MaxResults: 5 }),
      );
      expect(filtered.Events?.length).toBeGreaterThan(0);
      expect(filtered.Events?.every((e) => e.EventName === "AssumeRole" && e.EventSource === "sts.amazonaws.com")).toBe(true);
      // Two per second per account and Region: a burst past that is throttled.
      const burst = await Promise.all([1, 2, 3].map(() => ct.send(new LookupEventsCommand({ MaxResults: 1 })).catch((e: unknown) => e)));
      expect(burst.some((r) => (r as { name?: string }).name === "ThrottlingException")).toBe(true);
    } finally {
      ct.destroy();
    }
  });
});
