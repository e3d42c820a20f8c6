/**
 * Fuzzed request stream: random methods, paths built from real route fragments, hostile bodies and
 * headers. Every reply must be well-formed JSON and every error must carry Google's shape; the
 * simulator must still serve the real SDK afterwards.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../common/rng.ts";
import { orgPolicyClient } from "./clients.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "./index.ts";

let sim: GcpSim;
let demo: GcpDemo;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false, seed: 7 });
  demo = seedGcpDemo(sim);
});
afterAll(async () => sim.close());

function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // Explicit framing: Node's client sends a DELETE body unframed, which any HTTP server rejects at the parser.
    const framed = body ? { ...headers, "content-length": String(body.length) } : headers;
    const req = request({ host: "127.0.0.1", port: sim.port, method, path, headers: framed }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

describe("fuzzed request stream", () => {
  it("never crashes and always answers errors as {error:{code,message,status}}", async () => {
    const rand = mulberry32(99);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const org = `organizations/${demo.orgId}`;
    const folder = demo.folders.Production ?? "folders/1";
    const proj = `projects/${demo.projects["payments-prod"]?.number ?? "1"}`;
    const att = encodeURIComponent(encodeURIComponent(`cloudresourcemanager.googleapis.com/${org}`));
    const paths = [
      `/v2/${org}/policies`,
      `/v2/${folder}/policies/gcp.resourceLocations`,
      `/v2/${proj}/policies/compute.requireOsLogin:getEffectivePolicy`,
      `/v2/${org}/constraints`,
      `/v2/${org}/customConstraints`,
      `/v2/${org}/customConstraints/custom.a`,
      `/v2/policies/${att}/denypolicies`,
      `/v2/policies/${att}/denypolicies/x`,
      `/v2/policies/${att}/denypolicies/x/operations/y`,
      `/v2/policies/%zz/denypolicies`,
      `/v2/policies/${att}/allowpolicies`,
      "/v3/projects",
      "/v3/projects:search",
      `/v3/${proj}`,
      `/v3/${proj}:move`,
      "/v3/folders",
      `/v3/${folder}:move`,
      "/v3/organizations:search",
      `/v3/${org}`,
      "/v3/operations/cp.1",
      "/v3/operations/%E0%A4%A",
      "/",
      "/v9/nothing",
      "/v2/organizations",
      "/token",
      "/v2/%",
      "/v3/folders/../../etc/passwd",
    ];
    const queries = [
      "",
      "?pageSize=-1",
      "?pageSize=abc",
      "?pageToken=%%%",
      "?pageToken=eyJzIjoxfQ",
      "?parent=folders/0",
      "?parent=../x",
      "?query=labels.%3D%3D",
      "?query=%22unterminated",
      "?updateMask=bogus",
      "?etag=x",
      "?policyId=UPPER",
      "?$alt=json%3Benum-encoding=int",
    ];
    const bodies: Array<string | undefined> = [
      undefined,
      "",
      "{",
      "[]",
      "null",
      "42",
      '"str"',
      "{}",
      '{"name":5}',
      '{"spec":{"rules":"x"}}',
      '{"spec":{"rules":[{"values":{"allowedValues":[1,2]}}]}}',
      '{"rules":[{"denyRule":{"deniedPrincipals":[{}]}}]}',
      '{"parent":"folders/x","displayName":"' + "ü".repeat(40) + '"}',
      '{"projectId":"a","parent":"organizations/123456789012"}',
      '{"labels":{"A":1}}',
      '{"destinationParent":null}',
      JSON.stringify({ spec: { rules: Array.from({ length: 50 }, () => ({ enforce: true })) } }),
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
      "\u0000\u0001\u0002",
      "x".repeat(70_000),
    ];
    const auths = [
      `Bearer ${demo.serviceAccount.token}`,
      `Bearer ${demo.readOnly.token}`,
      "Bearer a.b.c",
      "Basic Zm9vOmJhcg==",
      "",
      "Bearer ",
    ];
    const methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD"];
    let errors = 0;
    let previous = "";
    for (let i = 0; i < 600; i++) {
      const method = pick(methods);
      const path = pick(paths) + pick(queries);
      const bodyText = pick(bodies);
      const headers: Record<string, string> = {
        "content-type": pick(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
      };
      const auth = pick(auths);
      if (auth) headers.authorization = auth;
      const body = bodyText === undefined || method === "GET" || method === "HEAD" ? undefined : Buffer.from(bodyText);
      const res = await raw(method, path, headers, body);
      const current = `${method} ${path} [${bodyText?.slice(0, 40) ?? "no body"}] ${JSON.stringify(headers)}`;
      const before = previous;
      previous = current;
      if (method === "HEAD") continue;
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(res.text) as Record<string, unknown>;
      } catch {
        throw new Error(`non-JSON reply ${res.status} to ${method} ${path} after ${before}: ${res.text.slice(0, 200)}`);
      }
      if (res.status >= 400) {
        errors++;
        if (path.startsWith("/token") && method === "POST") {
          // The OAuth endpoint answers in the OAuth 2.0 error shape, as Google's does.
          expect(typeof json.error).toBe("string");
          continue;
        }
        const err = json.error as { code: number; message: string; status: string };
        expect(err.code).toBe(res.status);
        expect(typeof err.message).toBe("string");
        expect(err.status).toMatch(/^[A-Z_]+$/);
        expect(res.status).toBeLessThan(500);
      }
    }
    expect(errors).toBeGreaterThan(300);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const [policies] = await c.listPolicies({ parent: `organizations/${demo.orgId}` });
    expect(policies.length).toBeGreaterThan(0);
  });
});
