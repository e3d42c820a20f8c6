import { createHash, createSign } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../common/rng.ts";
import { generateApiKeyPair, startOciSim, type OciDemoCredentials, type OciSim } from "./index.ts";
import { cloudGuardClient, identityClient, ociError } from "./sdk-clients.ts";

let sim: OciSim;
let creds: OciDemoCredentials;

beforeAll(async () => {
  sim = await startOciSim({ seed: 99, throttle: false });
  creds = sim.seedDemo().credentials;
});
afterAll(async () => {
  await sim.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP (not fetch): the fuzzer needs to send paths and headers fetch would refuse. */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawResponse> {
  const u = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

/** An independent implementation of OCI request signing, to prove the verifier checks what OCI checks. */
function signed(
  method: string,
  path: string,
  body: Buffer | undefined,
  o: { privateKeyPem?: string; tamperBody?: Buffer; omit?: string; date?: Date } = {},
): { headers: Record<string, string>; body?: Buffer } {
  const u = new URL(sim.url);
  const headers: Record<string, string> = { host: u.host, "x-date": (o.date ?? new Date()).toUTCString() };
  const names = ["x-date", "(request-target)", "host"];
  if (method === "POST" || method === "PUT") {
    const b = body ?? Buffer.alloc(0);
    headers["content-type"] = "application/json";
    headers["content-length"] = String(b.length);
    headers["x-content-sha256"] = createHash("sha256").update(b).digest("base64");
    names.push("content-type", "content-length", "x-content-sha256");
  }
  const list = names.filter((n) => n !== o.omit);
  const text = list
    .map((n) => (n === "(request-target)" ? `(request-target): ${method.toLowerCase()} ${path}` : `${n}: ${headers[n]}`))
    .join("\n");
  const sig = createSign("RSA-SHA256")
    .update(text)
    .sign(o.privateKeyPem ?? creds.privateKeyPem, "base64");
  headers.authorization = `Signature version="1",headers="${list.join(" ")}",keyId="${creds.tenancyId}/${creds.userId}/${creds.fingerprint}",algorithm="rsa-sha256",signature="${sig}"`;
  const sent = o.tamperBody ?? body;
  if (o.tamperBody) headers["content-length"] = String(o.tamperBody.length);
  return { headers, ...(sent ? { body: sent } : {}) };
}

function expectOciShape(r: RawResponse): void {
  expect(r.headers["content-type"]).toBe("application/json");
  const parsed = JSON.parse(r.body) as { code?: unknown; message?: unknown };
  expect(typeof parsed.code).toBe("string");
  expect(typeof parsed.message).toBe("string");
}

describe("request signing", () => {
  it("accepts the SDK's signature and an independently computed one", async () => {
    const id = identityClient(sim.url, creds);
    expect((await id.getTenancy({ tenancyId: creds.tenancyId })).tenancy.id).toBe(creds.tenancyId);
    const path = `/20160918/tenancies/${creds.tenancyId}`;
    const ok = signed("GET", path, undefined);
    expect((await raw("GET", path, ok.headers)).status).toBe(200);
    const body = Buffer.from(JSON.stringify({ compartmentId: creds.tenancyId, name: "SignedByHand", description: "x" }));
    const post = signed("POST", "/20160918/compartments", body);
    expect((await raw("POST", "/20160918/compartments", post.headers, post.body)).status).toBe(200);
  });

  it("rejects a signature made with the wrong private key", async () => {
    const other = generateApiKeyPair();
    const id = identityClient(sim.url, { ...creds, privateKeyPem: other.privateKeyPem });
    const e = await ociError(id.getTenancy({ tenancyId: creds.tenancyId }));
    expect([e.statusCode, e.serviceCode]).toEqual([401, "NotAuthenticated"]);
    expect(e.message).toContain("signature is invalid");
  });

  it("rejects an unregistered key, user or tenancy", async () => {
    const other = generateApiKeyPair();
    for (const c of [
      { ...creds, privateKeyPem: other.privateKeyPem, fingerprint: "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99" },
      { ...creds, userId: "ocid1.user.oc1..aaaaaaaaunknown" },
      { ...creds, tenancyId: "ocid1.tenancy.oc1..aaaaaaaaunknown" },
    ]) {
      const e = await ociError(identityClient(sim.url, c).listCompartments({ compartmentId: creds.tenancyId }));
      expect([e.statusCode, e.serviceCode]).toEqual([401, "NotAuthenticated"]);
    }
  });

  it("rejects a stale or future date beyond the clock-skew tolerance, configurable", async () => {
    const stale = identityClient(sim.url, creds, { dateOffsetMs: -6 * 60_000 });
    const e = await ociError(stale.getTenancy({ tenancyId: creds.tenancyId }));
    expect([e.statusCode, e.serviceCode]).toEqual([401, "NotAuthenticated"]);
    expect(e.message).toContain("clock skew");
    const future = identityClient(sim.url, creds, { dateOffsetMs: 6 * 60_000 });
    expect((await ociError(future.getTenancy({ tenancyId: creds.tenancyId }))).statusCode).toBe(401);
    const slightly = identityClient(sim.url, creds, { dateOffsetMs: -2 * 60_000 });
    expect((await slightly.getTenancy({ tenancyId: creds.tenancyId })).tenancy.id).toBe(creds.tenancyId);
    sim.configure({ clockSkewToleranceSec: 3600 });
    try {
      expect((await stale.getTenancy({ tenancyId: creds.tenancyId })).tenancy.id).toBe(creds.tenancyId);
    } finally {
      sim.configure({ clockSkewToleranceSec: 300 });
    }
  });

  it("verifies the body hash and the required signed headers", async () => {
    const path = "/20160918/compartments";
    const body = Buffer.from(JSON.stringify({ compartmentId: creds.tenancyId, name: "Tampered", description: "x" }));
    const tampered = signed("POST", path, body, {
      tamperBody: Buffer.from(JSON.stringify({ compartmentId: creds.tenancyId, name: "Evil", description: "x" })),
    });
    const r1 = await raw("POST", path, tampered.headers, tampered.body);
    expect(r1.status).toBe(401);
    expectOciShape(r1);
    for (const omit of ["host", "(request-target)", "x-content-sha256", "content-length", "content-type", "x-date"]) {
      const s = signed("POST", path, body, { omit });
      const r = await raw("POST", path, s.headers, s.body);
      expect(r.status, omit).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ code: "NotAuthenticated" });
    }
    const old = signed("GET", `/20160918/tenancies/${creds.tenancyId}`, undefined, { date: new Date(Date.now() - 3_600_000) });
    expect((await raw("GET", `/20160918/tenancies/${creds.tenancyId}`, old.headers)).status).toBe(401);
    const unsigned = await raw("GET", `/20160918/tenancies/${creds.tenancyId}`, {});
    expect(unsigned.status).toBe(401);
    expect(typeof unsigned.headers["opc-request-id"]).toBe("string");
  });
});

describe("permissions, throttling and faults", () => {
  it("answers 404 NotAuthorizedOrNotFound for an operation the user may not call", async () => {
    const user = sim.createUser({ name: "reader@acme.example", permissions: ["ListCompartments", "GetTenancy"] });
    const c = { tenancyId: user.tenancyId, userId: user.userId, fingerprint: user.fingerprint, privateKeyPem: user.privateKeyPem ?? "" };
    const id = identityClient(sim.url, c);
    expect((await id.listCompartments({ compartmentId: c.tenancyId })).items.length).toBeGreaterThan(0);
    const details = {
      compartmentId: c.tenancyId,
      name: "reader-policy",
      description: "x",
      statements: ["Allow group A to read buckets in tenancy"],
    };
    const e = await ociError(id.createPolicy({ createPolicyDetails: details }));
    expect([e.statusCode, e.serviceCode]).toEqual([404, "NotAuthorizedOrNotFound"]);
    const cgErr = await ociError(cloudGuardClient(sim.url, c).listSecurityPolicies({ compartmentId: c.tenancyId }));
    expect(cgErr.statusCode).toBe(404);
    sim.setUserPermissions(c.userId, ["ListCompartments", "GetTenancy", "CreatePolicy"]);
    expect((await id.createPolicy({ createPolicyDetails: details })).policy.name).toBe("reader-policy");
  });

  it("throttles per call family with 429 TooManyRequests", async () => {
    sim.configure({ throttle: { "identity-read": { burst: 2, ratePerSec: 0.001 } } });
    try {
      const id = identityClient(sim.url, creds);
      await id.getTenancy({ tenancyId: creds.tenancyId });
      await id.getTenancy({ tenancyId: creds.tenancyId });
      const e = await ociError(id.getTenancy({ tenancyId: creds.tenancyId }));
      expect([e.statusCode, e.serviceCode]).toEqual([429, "TooManyRequests"]);
      // other families keep their own bucket
      const cg = cloudGuardClient(sim.url, creds);
      expect((await cg.listSecurityPolicies({ compartmentId: creds.tenancyId })).securityPolicyCollection.items.length).toBe(6);
    } finally {
      sim.configure({ throttle: false });
    }
  });

  it("injects 500 errors and 503 outage windows in OCI's shape", async () => {
    const id = identityClient(sim.url, creds);
    sim.configure({ faults: { errorRate: 1 } });
    try {
      const e = await ociError(id.getTenancy({ tenancyId: creds.tenancyId }));
      expect([e.statusCode, e.serviceCode]).toEqual([500, "InternalServerError"]);
    } finally {
      sim.configure({ faults: {} });
    }
    sim.configure({ faults: { outages: [{ start: Date.now() - 1000, end: Date.now() + 60_000 }] } });
    try {
      const e = await ociError(id.getTenancy({ tenancyId: creds.tenancyId }));
      expect([e.statusCode, e.serviceCode]).toEqual([503, "ServiceUnavailable"]);
    } finally {
      sim.configure({ faults: {} });
    }
    expect((await id.getTenancy({ tenancyId: creds.tenancyId })).tenancy.id).toBe(creds.tenancyId);
  });
});

describe("fuzzed request stream", () => {
  it("never crashes and always answers in OCI's error shape", async () => {
    const rand = mulberry32(2024);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const junk = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join("");
    const policyId = (
      await identityClient(sim.url, creds).createPolicy({
        createPolicyDetails: {
          compartmentId: creds.tenancyId,
          name: "fuzz-target",
          description: "x",
          statements: ["Allow group A to read buckets in tenancy"],
        },
      })
    ).policy.id;
    const paths = [
      "/20160918/policies",
      `/20160918/policies/${policyId}`,
      "/20160918/compartments",
      `/20160918/compartments/${creds.tenancyId}`,
      `/20160918/compartments/${creds.tenancyId}/actions/moveCompartment`,
      `/20160918/tenancies/${creds.tenancyId}`,
      "/20160918/workRequests/x",
      "/20200131/securityZones",
      "/20200131/securityRecipes",
      "/20200131/securityPolicies",
      "/20200131/securityZones/%E0%A4%A",
      "/20160918/policies/%ZZ",
      "/20160918/",
      "/nope",
      "/20160918/policies?compartmentId=" + creds.tenancyId + "&limit=-1",
      "/20160918/compartments?compartmentId=" + creds.tenancyId + "&page=%00%01&compartmentIdInSubtree=maybe",
      "/20200131/securityZones?compartmentId=" + creds.tenancyId + "&sortOrder=SIDEWAYS",
    ];
    const bodies = [
      () => Buffer.from(junk(Math.floor(rand() * 200))),
      () => Buffer.from("{"),
      () => Buffer.from("null"),
      () => Buffer.from("[1,2,3]"),
      () => Buffer.from('"string"'),
      () =>
        Buffer.from(
          JSON.stringify({
            compartmentId: pick([creds.tenancyId, 7, null, "x"]),
            name: pick(["ok", "", 5, "a b", "x".repeat(300)]),
            description: pick(["d", 1, null]),
            statements: pick([[junk(40)], "Allow", [1], [], null, ["Allow group A to read buckets in tenancy"]]),
          }),
        ),
      () =>
        Buffer.from(
          JSON.stringify({
            displayName: pick(["z", 3]),
            securityPolicies: pick([["x"], 5, null]),
            securityZoneRecipeId: pick(["x", null]),
            freeformTags: pick([{ a: 1 }, "t", { "bad key": "v" }, null]),
            definedTags: pick([{ ns: 5 }, { ns: { k: { deep: 1 } } }, null]),
            targetCompartmentId: pick([creds.tenancyId, "x", 1]),
          }),
        ),
      () => Buffer.from("[".repeat(5000)),
    ];
    let signedCount = 0;
    for (let i = 0; i < 400; i++) {
      const method = pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const);
      const path = pick(paths);
      const body = method === "POST" || method === "PUT" || rand() < 0.1 ? pick(bodies)() : undefined;
      let headers: Record<string, string>;
      let send: Buffer | undefined = body;
      const mode = rand();
      if (mode < 0.5 && (method === "GET" || method === "POST" || method === "PUT" || method === "DELETE")) {
        const s = signed(method, path, body);
        headers = s.headers;
        send = s.body;
        signedCount++;
      } else if (mode < 0.75) {
        headers = {
          authorization: pick([
            junk(30),
            'Signature keyId="a/b/c",signature="x"',
            "Signature ",
            'Signature version="2",keyId="x"',
            "Bearer abc",
          ]),
          "x-date": pick([junk(10), new Date().toUTCString()]),
        };
        if (body) headers["content-length"] = String(body.length);
      } else {
        headers = body ? { "content-length": String(body.length), "content-type": pick(["application/json", "text/plain"]) } : {};
      }
      const r = await raw(method, path, headers, send);
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${method} ${path}`).not.toBe(500);
      if (r.status >= 400) {
        expectOciShape(r);
        if (path.startsWith("/2016") || path.startsWith("/2020"))
          expect(typeof r.headers["opc-request-id"], `${method} ${path} ${r.status} ${r.body}`).toBe("string");
      }
    }
    expect(signedCount).toBeGreaterThan(100);
    // signed DELETEs in the stream may legitimately have removed the target policy; the process must still serve
    const after = await identityClient(sim.url, creds).getTenancy({ tenancyId: creds.tenancyId });
    expect(after.tenancy.id).toBe(creds.tenancyId);
  });
});
