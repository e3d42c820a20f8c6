import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AttachPolicyCommand,
  CreateOrganizationalUnitCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  ListAccountsForParentCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  TagResourceCommand,
  UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AwsCloudTrailEvent } from "./cloudtrail.ts";
import { AWS_SIM_DEFAULT_CREDENTIALS, startAwsSim, type AwsSim } from "./index.ts";
import { organizationsClient, rejection } from "./sdk-clients.ts";

const SCP_DOC = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:DeleteBucket", Resource: "*" }] });

async function admin(
  sim: AwsSim,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${sim.url}/_admin/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

describe("throttling", () => {
  let sim: AwsSim;
  afterEach(async () => {
    await sim.close();
  });

  it("surfaces TooManyRequestsException once the family's bucket is empty and SDK retries are off", async () => {
    sim = await startAwsSim({ throttle: { ListRoots: { burst: 2, ratePerSec: 0.001 } } });
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    await c.send(new ListRootsCommand({}));
    await c.send(new ListRootsCommand({}));
    const e = await rejection(c.send(new ListRootsCommand({})));
    expect(e.name).toBe("TooManyRequestsException");
    expect(e.$metadata?.httpStatusCode).toBe(400);
    // Another call family keeps its own bucket.
    expect((await c.send(new DescribeOrganizationCommand({}))).Organization).toBeDefined();
    expect(sim.errorCounters()["ListRoots:TooManyRequestsException"]).toBe(1);
    c.destroy();
  });

  it("lets the SDK's own retries ride out throttling", async () => {
    sim = await startAwsSim({ throttle: { read: { burst: 1, ratePerSec: 5 } } });
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 8 });
    const results = await Promise.all([1, 2, 3].map(() => c.send(new ListRootsCommand({}))));
    expect(results.every((r) => r.Roots!.length === 1)).toBe(true);
    expect(Math.max(...results.map((r) => r.$metadata.attempts ?? 1))).toBeGreaterThan(1);
    expect(sim.errorCounters()["ListRoots:TooManyRequestsException"]).toBeGreaterThan(0);
    c.destroy();
  });

  it("can be reconfigured at runtime through the admin API", async () => {
    sim = await startAwsSim({ throttle: false });
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    for (let i = 0; i < 20; i++) await c.send(new DescribeOrganizationCommand({}));
    const cfg = await admin(sim, "POST", "config", { throttle: { DescribeOrganization: { burst: 1, ratePerSec: 0.001 } } });
    expect(cfg.status).toBe(200);
    await c.send(new DescribeOrganizationCommand({}));
    expect((await rejection(c.send(new DescribeOrganizationCommand({})))).name).toBe("TooManyRequestsException");
    expect((await admin(sim, "POST", "config", { throttle: { read: { burst: 0, ratePerSec: 1 } } })).status).toBe(400);
    c.destroy();
  });
});

describe("faults and injected errors", () => {
  let sim: AwsSim;
  beforeAll(async () => {
    sim = await startAwsSim({ throttle: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers ServiceException for the configured error rate and ServiceUnavailable during an outage", async () => {
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    sim.configure({ faults: { errorRate: 1 } });
    const e = await rejection(c.send(new ListRootsCommand({})));
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(["ServiceException", 500]);
    sim.configure({ faults: { outages: [{ start: Date.now() - 1000, end: Date.now() + 60_000 }] } });
    const o = await rejection(c.send(new ListRootsCommand({})));
    expect(o.$metadata?.httpStatusCode).toBe(503);
    sim.configure({ faults: {} });
    expect((await c.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    c.destroy();
  });

  it("injects ConcurrentModificationException on writes, which the SDK does not retry", async () => {
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 3 });
    sim.configure({ concurrentModificationRate: 1 });
    const e = await rejection(c.send(new CreateOrganizationalUnitCommand({ ParentId: sim.state.root.id, Name: "x" })));
    expect(e.name).toBe("ConcurrentModificationException");
    expect(e.$metadata?.attempts).toBe(1);
    expect((await c.send(new ListRootsCommand({}))).Roots).toHaveLength(1);
    sim.configure({ concurrentModificationRate: 0 });
    expect(
      (await c.send(new CreateOrganizationalUnitCommand({ ParentId: sim.state.root.id, Name: "x" }))).OrganizationalUnit,
    ).toBeDefined();
    c.destroy();
  });

  it("queues one-shot errors per operation through the admin API", async () => {
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    const p = (await c.send(new CreatePolicyCommand({ Name: "p", Description: "", Type: "SERVICE_CONTROL_POLICY", Content: SCP_DOC })))
      .Policy!.PolicySummary!.Id!;
    const r = await admin(sim, "POST", "config", {
      injectErrors: [{ operation: "UpdatePolicy", code: "PolicyChangesInProgressException", count: 1 }],
    });
    expect(r.status).toBe(200);
    expect((await rejection(c.send(new UpdatePolicyCommand({ PolicyId: p, Description: "v2" })))).name).toBe(
      "PolicyChangesInProgressException",
    );
    expect((await c.send(new UpdatePolicyCommand({ PolicyId: p, Description: "v2" }))).Policy!.PolicySummary!.Description).toBe("v2");
    c.destroy();
  });
});

describe("CloudTrail events to a webhook", () => {
  let sim: AwsSim;
  let hook: Server;
  const received: Array<{ event: AwsCloudTrailEvent; signature: string; timestamp: string; body: string }> = [];
  const secret = "hook-secret";

  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        received.push({
          event: JSON.parse(body) as AwsCloudTrailEvent,
          signature: String(req.headers["x-parapet-signature"]),
          timestamp: String(req.headers["x-parapet-timestamp"]),
          body,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    sim = await startAwsSim({ throttle: false });
    const r = await admin(sim, "POST", "config", {
      webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`, secret },
    });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((r) => hook.close(r));
  });

  // Deliveries run concurrently, as EventBridge's do, so arrival order is not asserted; events are
  // compared as a multiset and looked up by name.
  const names = () => received.map((r) => r.event.detail.eventName).sort();
  const byName = (n: string) => received.find((r) => r.event.detail.eventName === n)!;

  it("posts a signed EventBridge event after every API mutation and none for reads", async () => {
    received.length = 0;
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    const root = sim.state.root.id;
    const ou = (await c.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: "Prod" }))).OrganizationalUnit!.Id!;
    const p = (await c.send(new CreatePolicyCommand({ Name: "deny", Description: "", Type: "SERVICE_CONTROL_POLICY", Content: SCP_DOC })))
      .Policy!.PolicySummary!.Id!;
    await c.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }));
    await c.send(new UpdatePolicyCommand({ PolicyId: p, Description: "v2" }));
    await c.send(new DescribePolicyCommand({ PolicyId: p }));
    await c.send(new DetachPolicyCommand({ PolicyId: p, TargetId: ou }));
    await c.send(new DeletePolicyCommand({ PolicyId: p }));
    await c.send(new MoveAccountCommand({ AccountId: sim.state.managementAccountId, SourceParentId: root, DestinationParentId: ou }));
    await c.send(new TagResourceCommand({ ResourceId: ou, Tags: [{ Key: "env", Value: "prod" }] }));
    await c.send(new DisablePolicyTypeCommand({ RootId: root, PolicyType: "RESOURCE_CONTROL_POLICY" }));
    await sim.flushEvents();
    expect(names()).toEqual(
      [
        "CreateOrganizationalUnit",
        "CreatePolicy",
        "AttachPolicy",
        "UpdatePolicy",
        "DetachPolicy",
        "DeletePolicy",
        "MoveAccount",
        "TagResource",
        "DisablePolicyType",
      ].sort(),
    );
    const attach = byName("AttachPolicy");
    expect(attach.event).toMatchObject({
      version: "0",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.organizations",
      account: sim.state.managementAccountId,
      region: "us-east-1",
      detail: {
        eventSource: "organizations.amazonaws.com",
        eventName: "AttachPolicy",
        awsRegion: "us-east-1",
        eventType: "AwsApiCall",
        requestParameters: { policyId: p, targetId: ou },
        userIdentity: {
          type: "IAMUser",
          arn: `arn:aws:iam::${sim.state.managementAccountId}:user/parapet-sim`,
          accessKeyId: AWS_SIM_DEFAULT_CREDENTIALS.accessKeyId,
        },
      },
    });
    expect(attach.event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(attach.event.time))).toBe(false);
    expect(attach.signature).toBe("sha256=" + createHmac("sha256", secret).update(`${attach.timestamp}.${attach.body}`).digest("hex"));
    expect(byName("TagResource").event.detail.requestParameters).toEqual({ resourceId: ou, tags: [{ key: "env", value: "prod" }] });
    expect(byName("CreatePolicy").event.detail.responseElements).toMatchObject({ policy: { policySummary: { id: p, name: "deny" } } });
    c.destroy();
  });

  it("out-of-band admin changes take effect in the API and emit events with a human identity", async () => {
    received.length = 0;
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    const root = sim.state.root.id;
    const { json: ouRes } = await admin(sim, "POST", "create-ou", { parentId: root, name: "Sandbox", person: "bob@example.com" });
    const ou = ouRes.ouId as string;
    const { json: pol } = await admin(sim, "POST", "create-policy", { name: "human-scp", content: SCP_DOC });
    const p = pol.policyId as string;
    expect((await admin(sim, "POST", "attach-policy", { policyId: p, targetId: ou })).status).toBe(200);
    const edited = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
    expect((await admin(sim, "POST", "update-policy", { policyId: p, content: edited })).status).toBe(200);
    expect((await c.send(new DescribePolicyCommand({ PolicyId: p }))).Policy!.Content).toBe(edited);
    const { json: acct } = await admin(sim, "POST", "create-account", { name: "shadow-it", parentId: ou, tags: { env: "sandbox" } });
    const accountId = acct.accountId as string;
    expect((await c.send(new DescribeAccountCommand({ AccountId: accountId }))).Account!.Name).toBe("shadow-it");
    expect((await c.send(new ListAccountsForParentCommand({ ParentId: ou }))).Accounts!.map((a) => a.Id)).toEqual([accountId]);
    expect((await admin(sim, "POST", "tag-resource", { resourceId: accountId, tags: { env: "prod" } })).status).toBe(200);
    expect((await c.send(new ListTagsForResourceCommand({ ResourceId: accountId }))).Tags).toEqual([{ Key: "env", Value: "prod" }]);
    expect((await admin(sim, "POST", "move-account", { accountId, destinationParentId: root })).status).toBe(200);
    expect((await admin(sim, "POST", "detach-policy", { policyId: p, targetId: ou })).status).toBe(200);
    expect(
      (await c.send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: "SERVICE_CONTROL_POLICY" }))).Policies!.map((x) => x.Id),
    ).toEqual(["p-FullAWSAccess"]);
    await admin(sim, "POST", "attach-policy", { policyId: p, targetId: ou });
    expect((await admin(sim, "POST", "delete-policy", { policyId: p, force: true })).status).toBe(200);
    expect((await rejection(c.send(new DescribePolicyCommand({ PolicyId: p })))).name).toBe("PolicyNotFoundException");
    await sim.flushEvents();
    expect(names()).toEqual(
      [
        "CreateOrganizationalUnit",
        "CreatePolicy",
        "AttachPolicy",
        "UpdatePolicy",
        "CreateAccount",
        // The service event AWS records when the asynchronous creation finishes; it names the account id.
        "CreateAccountResult",
        "MoveAccount",
        "TagResource",
        "MoveAccount",
        "DetachPolicy",
        "AttachPolicy",
        "DetachPolicy",
        "DeletePolicy",
      ].sort(),
    );
    expect(byName("CreateOrganizationalUnit").event.detail.userIdentity.arn).toMatch(
      /assumed-role\/AWSReservedSSO_AdministratorAccess_[0-9a-f]+\/bob@example.com$/,
    );
    expect(byName("UpdatePolicy").event.detail.userIdentity.arn).toMatch(/\/jane.doe@example.com$/);
    expect(byName("UpdatePolicy").event.detail.requestParameters).toEqual({ policyId: p, content: edited });
    const result = byName("CreateAccountResult").event as unknown as {
      "detail-type": string;
      detail: { eventType: string; serviceEventDetails: { createAccountStatus: { state: string; accountId: string } } };
    };
    expect(result["detail-type"]).toBe("AWS Service Event via CloudTrail");
    expect(result.detail.eventType).toBe("AwsServiceEvent");
    expect(result.detail.serviceEventDetails.createAccountStatus.state).toBe("SUCCEEDED");
    expect(result.detail.serviceEventDetails.createAccountStatus.accountId).toMatch(/^\d{12}$/);
    c.destroy();
  });

  it("admin changes obey the same rules and answer the AWS error", async () => {
    const acct = sim.admin.createAccount({ name: "lonely" }).accountId;
    const r = await admin(sim, "POST", "detach-policy", { policyId: "p-FullAWSAccess", targetId: acct });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: "ConstraintViolationException", reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" });
  });
});

describe("admin API", () => {
  let sim: AwsSim;
  beforeAll(async () => {
    sim = await startAwsSim({ throttle: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("seeds an organization of a given shape and summarises it", async () => {
    const seeded = await admin(sim, "POST", "seed", { accounts: 120, ous: 30, depth: 4, customerScps: 3 });
    expect(seeded.status).toBe(200);
    expect(seeded.json).toMatchObject({ accounts: 121, ous: 30, policies: 3 });
    const state = await admin(sim, "GET", "state");
    expect(state.json.counts).toMatchObject({ accounts: 121, ous: 30 });
    expect(state.json.organization).toMatchObject({ managementAccountId: sim.state.managementAccountId });
    let maxDepth = 0;
    for (const o of sim.state.ous.values()) maxDepth = Math.max(maxDepth, o.depth);
    expect(maxDepth).toBeLessThanOrEqual(4);
    const demo = await admin(sim, "POST", "seed", { demo: true });
    expect(demo.json).toMatchObject({ managementAccountId: "111122223333" });
    expect((await admin(sim, "GET", "find?ou=Workloads/Prod")).json.id).toBe((demo.json.ouIds as Record<string, string>)["Workloads/Prod"]);
  });

  it("counts requests per operation and resets them", async () => {
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    sim.resetCounters();
    await c.send(new ListRootsCommand({}));
    await c.send(new ListRootsCommand({}));
    await rejection(c.send(new DescribeAccountCommand({ AccountId: "000000000000" })));
    const counters = await admin(sim, "GET", "counters");
    expect(counters.json.operations).toEqual({ DescribeAccount: 1, ListRoots: 2 });
    expect(counters.json.errors).toEqual({ "DescribeAccount:AccountNotFoundException": 1 });
    expect(sim.counters()).toEqual({ DescribeAccount: 1, ListRoots: 2 });
    await admin(sim, "POST", "counters/reset", {});
    expect(sim.counters()).toEqual({});
    c.destroy();
  });

  it("answers bad admin input with 400 and unknown routes with 404", async () => {
    expect((await admin(sim, "POST", "create-ou", "{nope")).status).toBe(400);
    expect((await admin(sim, "POST", "create-ou", { name: "x" })).status).toBe(400);
    expect((await admin(sim, "POST", "seed", { accounts: -1 })).status).toBe(400);
    expect((await admin(sim, "GET", "nothing-here")).status).toBe(404);
    expect((await admin(sim, "GET", "config")).json).toMatchObject({
      trailingEmptyPage: false,
      limits: { scpPerTarget: 10, scpMaxChars: 10240 },
    });
  });
});

describe("file persistence", () => {
  it("reloads the organization, attachments and keys from the file on restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aws-sim-"));
    const file = join(dir, "aws.json");
    try {
      const a = await startAwsSim({
        throttle: false,
        persistFile: file,
        credentials: [{ accessKeyId: "AKIAPERSIST000000001", secretAccessKey: "persist-secret" }],
      });
      const creds = { accessKeyId: "AKIAPERSIST000000001", secretAccessKey: "persist-secret" };
      const c1 = organizationsClient(a.url, creds, { maxAttempts: 1 });
      const ou = (
        await c1.send(
          new CreateOrganizationalUnitCommand({ ParentId: a.state.root.id, Name: "Kept", Tags: [{ Key: "env", Value: "prod" }] }),
        )
      ).OrganizationalUnit!.Id!;
      const p = (
        await c1.send(new CreatePolicyCommand({ Name: "kept", Description: "", Type: "SERVICE_CONTROL_POLICY", Content: SCP_DOC }))
      ).Policy!.PolicySummary!.Id!;
      await c1.send(new AttachPolicyCommand({ PolicyId: p, TargetId: ou }));
      const orgId = a.state.orgId;
      c1.destroy();
      await a.close();

      const b = await startAwsSim({ throttle: false, persistFile: file });
      expect(b.sim.loadedFromFile).toBe(true);
      const c2 = organizationsClient(b.url, creds, { maxAttempts: 1 });
      expect((await c2.send(new DescribeOrganizationCommand({}))).Organization!.Id).toBe(orgId);
      expect(
        (await c2.send(new ListPoliciesForTargetCommand({ TargetId: ou, Filter: "SERVICE_CONTROL_POLICY" }))).Policies!.map((x) => x.Id),
      ).toEqual(["p-FullAWSAccess", p]);
      expect((await c2.send(new ListTagsForResourceCommand({ ResourceId: ou }))).Tags).toEqual([{ Key: "env", Value: "prod" }]);
      c2.destroy();
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
