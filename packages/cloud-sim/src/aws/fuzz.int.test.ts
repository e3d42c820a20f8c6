import { Agent, request } from "node:http";
import { DescribeOrganizationCommand } from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../common/rng.ts";
import { AWS_SIM_DEFAULT_CREDENTIALS, TARGET_PREFIX, seedAwsOrg, signRequest, startAwsSim, type AwsSim } from "./index.ts";
import { OPERATIONS } from "./organizations-api.ts";
import { organizationsClient } from "./sdk-clients.ts";

/**
 * Raw HTTP is used here on purpose (and only here): a fuzzer must be able to send what no SDK would.
 * Many requests are correctly signed so that the stream reaches input validation and the operations.
 */

let sim: AwsSim;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string>, body: Buffer | string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: sim.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const OPS = Object.keys(OPERATIONS);
const FIELD_NAMES = [
  "ParentId",
  "ChildId",
  "AccountId",
  "PolicyId",
  "TargetId",
  "ResourceId",
  "RootId",
  "OrganizationalUnitId",
  "Name",
  "Content",
  "Type",
  "Filter",
  "PolicyType",
  "ChildType",
  "MaxResults",
  "NextToken",
  "Tags",
  "TagKeys",
  "Description",
  "SourceParentId",
  "DestinationParentId",
  "Email",
  "AccountName",
  "CreateAccountRequestId",
  "__proto__",
  "constructor",
];

describe("fuzzed request stream", () => {
  beforeAll(async () => {
    sim = await startAwsSim({ throttle: false, seed: 99 });
    seedAwsOrg(sim, { accounts: 60, ous: 12, depth: 3, customerScps: 2 });
  });
  afterAll(async () => {
    agent.destroy();
    await sim.close();
  });

  it("answers every request in the AWS error shape and never crashes", async () => {
    const rand = mulberry32(12345);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const st = sim.state;
    const ids = () => [
      st.root.id,
      pick([...st.ous.keys()]),
      pick(st.allAccounts.toArray()),
      pick([...st.policies.keys()]),
      "p-FullAWSAccess",
      "ou-zzzz-zzzzzzzz",
      "r-0000",
      "000000000000",
      "",
      "x".repeat(300),
      "../../etc/passwd",
      "\u0000\uffff",
    ];
    const randomValue = (depth = 0): unknown => {
      switch (Math.floor(rand() * (depth > 2 ? 6 : 9))) {
        case 0:
          return pick(ids());
        case 1:
          return Math.floor(rand() * 50) - 10;
        case 2:
          return rand() < 0.5;
        case 3:
          return null;
        case 4:
          return pick(["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "ACCOUNT", "ORGANIZATIONAL_UNIT", "nope"]);
        case 5:
          return pick([
            '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
            '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}',
            "{",
            "[]",
            " ".repeat(20_000),
          ]);
        case 6:
          return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(depth + 1));
        case 7:
          return [{ Key: pick(["env", "aws:x", ""]), Value: randomValue(depth + 1) }];
        default: {
          const o: Record<string, unknown> = {};
          for (let i = 0; i < Math.floor(rand() * 5); i++) o[pick(FIELD_NAMES)] = randomValue(depth + 1);
          return o;
        }
      }
    };
    const randomBody = (): Buffer => {
      const kind = Math.floor(rand() * 6);
      if (kind === 0) return Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
      if (kind === 1) return Buffer.from(pick(["", "null", "[]", "42", '"str"', "{", '{"a":', "\u0000"]));
      const input: Record<string, unknown> = {};
      for (let i = 0; i < 1 + Math.floor(rand() * 6); i++) input[pick(FIELD_NAMES)] = randomValue();
      return Buffer.from(JSON.stringify(input));
    };
    const randomTarget = (): string | undefined =>
      pick([
        () => TARGET_PREFIX + pick(OPS),
        () => TARGET_PREFIX + pick(OPS),
        () => TARGET_PREFIX + pick(OPS),
        () => TARGET_PREFIX + pick(["__proto__", "constructor", "toString", "LeaveOrganization", "", "x".repeat(500)]),
        () => "DynamoDB_20120810.ListTables",
        () => undefined,
      ])();

    let answered = 0;
    for (let i = 0; i < 1500; i++) {
      const body = randomBody();
      const target = randomTarget();
      const form = rand() < 0.1;
      const headers: Record<string, string> = {
        "content-type": form ? "application/x-www-form-urlencoded" : pick(["application/x-amz-json-1.1", "text/plain", "application/json"]),
      };
      if (target !== undefined && !form) headers["x-amz-target"] = target;
      const method = rand() < 0.9 ? "POST" : pick(["GET", "PUT", "DELETE", "PATCH"]);
      const path = rand() < 0.9 ? "/" : pick(["/x", "/?a=b&c", "/%zz", "//..//", "/_admin/state"]);
      const auth = rand();
      let sent: Record<string, string>;
      const hostHeader = `127.0.0.1:${sim.port}`;
      if (auth < 0.75) {
        sent = signRequest({
          method,
          host: hostHeader,
          path,
          headers,
          body,
          ...AWS_SIM_DEFAULT_CREDENTIALS,
          service: form ? "sts" : "organizations",
        });
      } else if (auth < 0.85) {
        sent = {
          ...headers,
          authorization: pick([
            "AWS4-HMAC-SHA256 garbage",
            "Bearer x",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=zz",
          ]),
        };
      } else {
        sent = headers;
      }
      const r = await send(method, path, sent, body);
      answered++;
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(500);
      if (path.startsWith("/_admin")) continue;
      const parseLevel = r.status === 400 && r.headers.connection === "close" && r.headers["x-amzn-errortype"] === "SerializationException";
      if (form && !parseLevel) {
        expect(r.body).toMatch(
          r.status === 200
            ? /^<\w+Response xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/
            : /^<ErrorResponse .*<Code>\w+<\/Code>/,
        );
        continue;
      }
      if (!r.body.startsWith("{"))
        throw new Error(
          `non-JSON reply ${r.status} to ${method} ${path} ${JSON.stringify(sent)} ${body.toString("utf8").slice(0, 200)}: ${r.body}`,
        );
      const json = JSON.parse(r.body) as Record<string, unknown>;
      if (r.status === 200) {
        expect(typeof json).toBe("object");
      } else {
        expect(r.status).toBe(400);
        expect(typeof json.__type).toBe("string");
        expect(typeof json.Message).toBe("string");
        expect(r.headers["x-amzn-errortype"]).toBe(json.__type);
      }
    }
    expect(answered).toBe(1500);
    expect(sim.errorCounters()["internal:InternalFailure"]).toBeUndefined();
    const counted = sim.counters();
    expect(Object.keys(counted).every((k) => k in OPERATIONS || k === "UnknownOperation" || k.startsWith("sts:"))).toBe(true);

    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    expect((await c.send(new DescribeOrganizationCommand({}))).Organization!.Id).toBe(sim.state.orgId);
    c.destroy();
  });

  it("rejects an oversized body without reading it all into memory", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 0x20);
    const r = await send(
      "POST",
      "/",
      { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET_PREFIX + "ListRoots" },
      big,
    ).catch((e: unknown) => ({ status: -1, headers: {}, body: String(e) }));
    // Either the 413 in AWS shape arrives, or the server cut the upload short; it must still serve afterwards.
    if (r.status !== -1) {
      expect(r.status).toBe(413);
      expect((JSON.parse(r.body) as { __type: string }).__type).toBe("RequestEntityTooLargeException");
    }
    // The same keep-alive pool must still work: the half-read connection was closed, not left hanging.
    expect((await send("GET", "/_admin/state", {}, "")).status).toBe(200);
    const c = organizationsClient(sim.url, undefined, { maxAttempts: 1 });
    expect((await c.send(new DescribeOrganizationCommand({}))).Organization).toBeDefined();
    c.destroy();
  });

  it("admin routes survive junk too", async () => {
    const rand = mulberry32(777);
    const routes = [
      "seed",
      "config",
      "create-ou",
      "create-account",
      "move-account",
      "update-policy",
      "attach-policy",
      "detach-policy",
      "delete-policy",
      "tag-resource",
      "untag-resource",
      "roles",
      "credentials",
      "create-policy",
    ];
    for (let i = 0; i < 300; i++) {
      const route = routes[Math.floor(rand() * routes.length)]!;
      const body =
        rand() < 0.3
          ? "{bad"
          : JSON.stringify({
              accounts: rand() < 0.5 ? "x" : 3,
              ous: 1,
              parentId: rand() < 0.5 ? sim.state.root.id : 7,
              name: rand() < 0.5 ? "n" : null,
              policyId: "p-zzzzzzzz",
              targetId: "nope",
              throttle: rand() < 0.5 ? "fast" : false,
              tags: rand() < 0.5 ? { a: 1 } : { a: "b" },
              arn: "arn:bad",
              accessKeyId: 5,
            });
      const r = await send("POST", `/_admin/${route}`, { "content-type": "application/json" }, body);
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(500);
      expect(() => JSON.parse(r.body) as unknown).not.toThrow();
    }
  });
});
