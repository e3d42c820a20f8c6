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

describe("AWS principal tags from an AWS Config aggregator", () => {
  let sim: AwsSim;
  const member = "444455556666";
  const agent = `arn:aws:iam::${member}:role/agent-runner`;
  const pathed = `arn:aws:iam::${member}:role/ci/deployer`;
  const user = `arn:aws:iam::${member}:user/alice`;
  const adapterWith = (role: { arn: string; externalId: string }, aggregator: { name: string; region: string }) =>
    createAwsAdapter({
      workspaceId: "ws_audit",
      egress: simulatorEgress(),
      credentials: {
        kind: "assume-role",
        roleArn: role.arn,
        externalId: role.externalId,
        sourceAccessKeyId: KEYS.accessKeyId,
        sourceSecretAccessKey: KEYS.secretAccessKey,
      },
      endpoint: sim.url,
      configAggregator: aggregator,
      rateLimits: false,
      retry: { attempts: 3, baseMs: 50, maxMs: 500 },
    });
  const admin = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  beforeAll(async () => {
    sim = await startAwsSim({ seed: 17, throttle: RELAXED });
    seedAwsDemo(sim);
    expect((await admin("/_admin/config/aggregator", { name: "org-aggregator" })).status).toBe(200);
    const items = [
      { arn: agent, tags: { agent: "true", team: "platform" } },
      { arn: pathed, tags: { "mcp-server": "true" } },
      { arn: user, tags: {} },
      // Enough roles that one lookup spans several batches and pages.
      ...Array.from({ length: 60 }, (_, i) => ({ arn: `arn:aws:iam::${member}:role/bulk-${i}`, tags: { n: String(i) } })),
    ];
    expect((await admin("/_admin/config/items", { items })).status).toBe(200);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers each principal asked, with its tags, or as not found", async () => {
    const adapter = adapterWith(AWS_DEMO.role, { name: "org-aggregator", region: "us-east-1" });
    try {
      const missing = `arn:aws:iam::${member}:role/gone`;
      const session = `arn:aws:sts::${member}:assumed-role/agent-runner/s1`;
      const bulk = Array.from({ length: 60 }, (_, i) => `arn:aws:iam::${member}:role/bulk-${i}`);
      const facts = await adapter.lookupPrincipals!([agent, pathed, user, missing, session, agent, ...bulk]);
      const by = new Map(facts.map((f) => [f.id, f]));
      expect(by.get(agent)).toEqual({ id: agent, found: true, tags: { agent: "true", team: "platform" } });
      expect(by.get(pathed)).toEqual({ id: pathed, found: true, tags: { "mcp-server": "true" } });
      expect(by.get(user)).toEqual({ id: user, found: true, tags: {} });
      expect(by.get(missing)).toEqual({ id: missing, found: false });
      // A session ARN is no IAM principal: never sent to Config, answered as not found.
      expect(by.get(session)).toEqual({ id: session, found: false });
      expect(bulk.every((a, i) => by.get(a)?.tags?.n === String(i))).toBe(true);
      expect(facts).toHaveLength(65);
      // The queries the simulator served, as CloudTrail logged them: batches of at most 25 ARNs.
      const served = (await (await fetch(`${sim.url}/_admin/cloudtrail/events`)).json()) as {
        Records: Array<{ eventName: string; requestParameters: { expression?: string } }>;
      };
      const queries = served.Records.filter((r) => r.eventName === "SelectAggregateResourceConfig");
      expect(queries.length).toBeGreaterThanOrEqual(4);
    } finally {
      await adapter.close();
    }
  });

  it("is refused for an aggregator that does not exist, and for a role without the permission", async () => {
    const wrong = adapterWith(AWS_DEMO.role, { name: "no-such-aggregator", region: "us-east-1" });
    const ro = adapterWith(AWS_DEMO.readOnlyRole, { name: "org-aggregator", region: "us-east-1" });
    try {
      const e1 = await wrong.lookupPrincipals!([agent]).catch((e: unknown) => e);
      expect(isProviderError(e1)).toBe(true);
      const e2 = await ro.lookupPrincipals!([agent]).catch((e: unknown) => e);
      expect(isProviderError(e2) && e2.kind === "auth").toBe(true);
    } finally {
      await wrong.close();
      await ro.close();
    }
  });

  it("the simulator refuses a query it cannot read, as AWS Config would", async () => {
    const { ConfigServiceClient, SelectAggregateResourceConfigCommand } = await import("@aws-sdk/client-config-service");
    const c = new ConfigServiceClient({
      region: "us-east-1",
      endpoint: sim.url,
      credentials: { accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      const bad = (await c
        .send(new SelectAggregateResourceConfigCommand({ ConfigurationAggregatorName: "org-aggregator", Expression: "DROP TABLE roles" }))
        .catch((e: unknown) => e)) as { name?: string };
      expect(bad.name).toBe("InvalidExpressionException");
      const ok = await c.send(
        new SelectAggregateResourceConfigCommand({
          ConfigurationAggregatorName: "org-aggregator",
          Expression: `SELECT arn, tags WHERE resourceType = 'AWS::IAM::Role' AND arn = '${agent}'`,
        }),
      );
      expect(ok.QueryInfo?.SelectFields?.map((f) => f.Name)).toEqual(["arn", "tags"]);
      expect(ok.Results?.map((r) => JSON.parse(r) as unknown)).toEqual([
        {
          arn: agent,
          tags: [
            { key: "agent", value: "true" },
            { key: "team", value: "platform" },
          ],
        },
      ]);
    } finally {
      c.destroy();
    }
  });
});
