import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requests } from "oci-identity";
import { seedOciTenancy, startOciSim, type OciDemoResult, type OciEventMessage, type OciSim } from "./index.ts";
import { cloudGuardClient, identityClient } from "./sdk-clients.ts";

let hook: Server;
let hookUrl: string;
const received: Array<{ event: OciEventMessage; headers: Record<string, unknown> }> = [];
let sim: OciSim;
let demo: OciDemoResult;

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ event: JSON.parse(Buffer.concat(chunks).toString("utf8")) as OciEventMessage, headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/oci`;
  sim = await startOciSim({ seed: 5, throttle: false, webhook: { url: hookUrl, secret: "s3cret" } });
  demo = sim.seedDemo();
});
afterAll(async () => {
  await sim.close();
  await new Promise<void>((r) => hook.close(() => r()));
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}/_admin/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const cmp = (path: string): string => {
  const v = demo.compartments[path];
  if (!v) throw new Error(`no compartment ${path}`);
  return v;
};

async function eventsOfType(type: string): Promise<OciEventMessage[]> {
  await sim.flushEvents();
  return received.map((r) => r.event).filter((e) => e.eventType === type);
}

describe("webhook events", () => {
  it("posts an OCI Events message for every SDK mutation", async () => {
    const id = identityClient(sim.url, demo.credentials);
    const p = await id.createPolicy({
      createPolicyDetails: {
        compartmentId: cmp("Prod"),
        name: "evented",
        description: "x",
        statements: ["Allow group A to read buckets in compartment Data"],
        freeformTags: { "parapet-managed": "true" },
      },
    });
    await id.updatePolicy({ policyId: p.policy.id, updatePolicyDetails: { description: "y" } });
    await id.deletePolicy({ policyId: p.policy.id });
    const [created] = await eventsOfType("com.oraclecloud.identitycontrolplane.createpolicy");
    expect(created).toMatchObject({
      cloudEventsVersion: "0.1",
      eventTypeVersion: "2.0",
      source: "IdentityControlPlane",
      contentType: "application/json",
      data: {
        compartmentId: cmp("Prod"),
        compartmentName: "Prod",
        resourceName: "evented",
        resourceId: p.policy.id,
        freeformTags: { "parapet-managed": "true" },
        definedTags: {},
        additionalDetails: { principalId: demo.credentials.userId, requestOrigin: "api" },
      },
      extensions: { compartmentId: cmp("Prod") },
    });
    expect(created?.eventID).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(created?.eventTime ?? "")).not.toBeNaN();
    expect(await eventsOfType("com.oraclecloud.identitycontrolplane.updatepolicy")).toHaveLength(1);
    expect(await eventsOfType("com.oraclecloud.identitycontrolplane.deletepolicy")).toHaveLength(1);
    const signed = received.find((r) => r.event.eventType.endsWith("createpolicy"));
    expect(String(signed?.headers["x-parapet-signature"])).toMatch(/^sha256=[0-9a-f]{64}$/);

    const c = await id.createCompartment({ createCompartmentDetails: { compartmentId: cmp("Sandbox"), name: "alice", description: "x" } });
    await id.moveCompartment({ compartmentId: c.compartment.id, moveCompartmentDetails: { targetCompartmentId: cmp("NonProd") } });
    const [moved] = await eventsOfType("com.oraclecloud.identitycontrolplane.movecompartment");
    expect(moved?.data.additionalDetails).toMatchObject({ sourceCompartmentId: cmp("Sandbox"), targetCompartmentId: cmp("NonProd") });
    expect(await eventsOfType("com.oraclecloud.identitycontrolplane.createcompartment")).toHaveLength(1);

    const cg = cloudGuardClient(sim.url, demo.credentials);
    const policies = await cg.listSecurityPolicies({ compartmentId: demo.credentials.tenancyId });
    const recipe = await cg.createSecurityRecipe({
      createSecurityRecipeDetails: {
        displayName: "r",
        compartmentId: demo.credentials.tenancyId,
        securityPolicies: policies.securityPolicyCollection.items.map((x) => x.id),
      },
    });
    await cg.createSecurityZone({
      createSecurityZoneDetails: {
        displayName: "zone-ev",
        compartmentId: cmp("Prod/Data"),
        securityZoneRecipeId: recipe.securityRecipe.id,
      },
    });
    const [zoneEvent] = await eventsOfType("com.oraclecloud.cloudguard.createsecurityzone");
    expect(zoneEvent).toMatchObject({ source: "CloudGuard", data: { compartmentName: "Data", resourceName: "zone-ev" } });
    expect(await eventsOfType("com.oraclecloud.cloudguard.createsecurityrecipe")).toHaveLength(1);
  });
});

describe("admin API", () => {
  it("summarises state and reports counters per operation (and resets them)", async () => {
    const s = await admin("GET", "state");
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ tenancyId: demo.credentials.tenancyId, denyPoliciesEnabled: true });
    const id = identityClient(sim.url, demo.credentials);
    await admin("POST", "counters/reset");
    await id.listCompartments({ compartmentId: demo.credentials.tenancyId });
    await id.listCompartments({ compartmentId: demo.credentials.tenancyId });
    await id.getTenancy({ tenancyId: demo.credentials.tenancyId });
    expect((await admin("GET", "counters")).json).toEqual({ GetTenancy: 1, ListCompartments: 2 });
    expect(sim.counters()).toEqual({ GetTenancy: 1, ListCompartments: 2 });
    const d = await admin("GET", "demo");
    expect(d.json).toMatchObject({ credentials: { fingerprint: demo.credentials.fingerprint } });
  });

  it("reads and validates config", async () => {
    const put = await admin("PUT", "config", { pageSize: 2, clockSkewToleranceSec: 120, limits: { statementsPerPolicy: 10 } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      pageSize: 2,
      clockSkewToleranceSec: 120,
      limits: { statementsPerPolicy: 10, policiesPerTenancy: 100 },
    });
    const id = identityClient(sim.url, demo.credentials);
    const page = await id.listCompartments({ compartmentId: demo.credentials.tenancyId });
    expect(page.items).toHaveLength(2);
    expect(page.opcNextPage).toBeTruthy();
    const bad = await admin("PUT", "config", { throttle: { "identity-read": { burst: "lots" } } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: "InvalidParameter" });
    expect(String((bad.json as { message: string }).message)).toContain("throttle.identity-read.burst");
    const unknown = await admin("PUT", "config", { colour: "blue" });
    expect(unknown.status).toBe(400);
    await admin("PUT", "config", { pageSize: 100, clockSkewToleranceSec: 300, limits: { statementsPerPolicy: 50 } });
    expect((await admin("GET", "config")).json).toMatchObject({ pageSize: 100, limits: { statementsPerPolicy: 50 } });
  });

  it("makes out-of-band human changes that the SDK then sees, each with an event", async () => {
    const id = identityClient(sim.url, demo.credentials);
    const policyId = demo.customerPolicyIds[0] as string;
    const before = await id.getPolicy({ policyId });
    const edited = await admin("PUT", `policies/${policyId}`, {
      statements: ["Allow group NetworkAdmins to read all-resources in tenancy"],
    });
    expect(edited.status).toBe(200);
    const after = await id.getPolicy({ policyId });
    expect(after.policy.statements).toEqual(["Allow group NetworkAdmins to read all-resources in tenancy"]);
    expect(after.etag).not.toBe(before.etag);
    const [ev] = (await eventsOfType("com.oraclecloud.identitycontrolplane.updatepolicy")).filter((e) => e.data.resourceId === policyId);
    expect(ev?.data.additionalDetails).toMatchObject({ principalId: sim.humanUserId, requestOrigin: "console" });
    const invalidEdit = await admin("PUT", `policies/${policyId}`, { statements: ["Allow everyone everything"] });
    expect(invalidEdit).toMatchObject({ status: 400, json: { code: "InvalidParameter" } });

    const created = await admin("POST", "compartments", { parentId: cmp("Prod"), name: "Shadow", freeformTags: { env: "prod" } });
    expect(created.status).toBe(200);
    const shadowId = (created.json as { id: string }).id;
    expect((await id.getCompartment({ compartmentId: shadowId })).compartment.freeformTags).toEqual({ env: "prod" });
    const tagged = await admin("PUT", `compartments/${shadowId}/tags`, { freeformTags: { env: "sandbox", agent: "true" } });
    expect(tagged.status).toBe(200);
    expect((await id.getCompartment({ compartmentId: shadowId })).compartment.freeformTags).toEqual({ env: "sandbox", agent: "true" });
    const moved = await admin("POST", `compartments/${shadowId}/move`, { targetCompartmentId: cmp("Sandbox") });
    expect(moved.status).toBe(200);
    expect((await id.getCompartment({ compartmentId: shadowId })).compartment.compartmentId).toBe(cmp("Sandbox"));

    const toggled = await admin("PUT", "tenancy", { denyPoliciesEnabled: false });
    expect(toggled.json).toMatchObject({ denyPoliciesEnabled: false });
    expect(await eventsOfType("com.oraclecloud.identitycontrolplane.updatetenancy")).toHaveLength(1);
    await admin("PUT", "tenancy", { denyPoliciesEnabled: true });

    const deleted = await admin("DELETE", `policies/${demo.customerPolicyIds[1] ?? ""}`);
    expect(deleted.status).toBe(200);
    const list = await id.listPolicies({ compartmentId: cmp("Prod") });
    expect(list.items.map((p) => p.id)).not.toContain(demo.customerPolicyIds[1]);

    const zones = await cloudGuardClient(sim.url, demo.credentials).listSecurityZones({
      compartmentId: demo.credentials.tenancyId,
      isRequiredSecurityZonesInSubtree: true,
    });
    const zone = zones.securityZoneCollection.items[0];
    expect(zone).toBeDefined();
    expect((await admin("DELETE", `security-zones/${zone?.id ?? ""}`)).status).toBe(200);
    expect(await eventsOfType("com.oraclecloud.cloudguard.deletesecurityzone")).toHaveLength(1);

    const missing = await admin("DELETE", "policies/ocid1.policy.oc1..aaaaaaaanope");
    expect(missing).toMatchObject({ status: 404, json: { code: "NotAuthorizedOrNotFound" } });
    const junk = await fetch(`${sim.url}/_admin/config`, { method: "PUT", body: "{" });
    expect(junk.status).toBe(400);
    expect((await admin("GET", "nothing-here")).status).toBe(404);
  });

  it("registers users with generated keys and scoped permissions", async () => {
    const r = await admin("POST", "users", { name: "ci@acme.example", permissions: ["GetTenancy"] });
    const u = r.json as { userId: string; fingerprint: string; privateKeyPem: string; tenancyId: string };
    expect(u.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const id = identityClient(sim.url, u);
    expect((await id.getTenancy({ tenancyId: u.tenancyId })).tenancy.id).toBe(u.tenancyId);
    const perm = await admin("PUT", `users/${u.userId}/permissions`, { permissions: ["*"] });
    expect(perm.json).toMatchObject({ permissions: ["*"] });
    const badKey = await admin("POST", "users", { publicKeyPem: "not a key" });
    expect(badKey.status).toBe(400);
  });

  it("seeds through the admin API", async () => {
    const r = await admin("POST", "seed", { compartments: 30, depth: 2, tags: true });
    expect(r.json).toMatchObject({ created: 30, depth: 2 });
    const bad = await admin("POST", "seed", { compartments: "many" });
    expect(bad.status).toBe(400);
  });
});

describe("seeding and persistence", () => {
  it("seeds 10,000 compartments and pages through them with the SDK", async () => {
    const big = await startOciSim({ seed: 11, throttle: false });
    try {
      const creds = big.createUser();
      const r = seedOciTenancy(big, { compartments: 10_000, depth: 3, tags: { env: ["prod", "nonprod", "sandbox"] } });
      expect(r.created).toBe(10_000);
      expect(big.summary()).toMatchObject({ compartments: 10_000, maxDepth: 3 });
      const id = identityClient(big.url, { ...creds, privateKeyPem: creds.privateKeyPem ?? "" });
      let page: string | undefined;
      let n = 0;
      let pages = 0;
      const envs = new Set<string>();
      do {
        const res = await id.listCompartments({
          compartmentId: creds.tenancyId,
          compartmentIdInSubtree: true,
          accessLevel: requests.ListCompartmentsRequest.AccessLevel.Any,
          limit: 1000,
          page,
        });
        n += res.items.length;
        for (const c of res.items) envs.add(c.freeformTags?.env ?? "");
        page = res.opcNextPage;
        pages++;
      } while (page);
      expect(n).toBe(10_000);
      expect(pages).toBe(10);
      expect(envs).toEqual(new Set(["prod", "nonprod", "sandbox"]));
      const limited = await id
        .createCompartment({ createCompartmentDetails: { compartmentId: creds.tenancyId, name: "one-more", description: "x" } })
        .catch((e: { statusCode: number; serviceCode: string }) => e);
      expect(limited).toMatchObject({ statusCode: 400, serviceCode: "LimitExceeded" });
    } finally {
      await big.close();
    }
  });

  it("keeps state in a file across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oci-sim-"));
    const file = join(dir, "oci.json");
    try {
      const a = await startOciSim({ persistFile: file, throttle: false });
      const d = a.seedDemo();
      const id = identityClient(a.url, d.credentials);
      const p = await id.createPolicy({
        createPolicyDetails: {
          compartmentId: d.credentials.tenancyId,
          name: "persisted",
          description: "x",
          statements: ["Allow group A to read buckets in tenancy"],
        },
      });
      await a.close();
      const b = await startOciSim({ persistFile: file, throttle: false });
      try {
        expect(b.tenancyId).toBe(d.credentials.tenancyId);
        expect(b.demo?.credentials.fingerprint).toBe(d.credentials.fingerprint);
        const again = identityClient(b.url, d.credentials);
        const got = await again.getPolicy({ policyId: p.policy.id });
        expect(got.policy.name).toBe("persisted");
        expect(got.etag).toBe(p.etag);
        expect((await again.listCompartments({ compartmentId: d.credentials.tenancyId })).items).toHaveLength(6);
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
