import { createSign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denyParent, denyPoliciesClient, orgPolicyClient, projectsClient } from "./clients.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "./index.ts";

async function rejectCode(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: number; message: string };
  }
  throw new Error("expected the call to fail");
}

async function admin(
  sim: GcpSim,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function signJwt(claims: Record<string, unknown>, privateKey: string, kid: string): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = enc({ alg: "RS256", typ: "JWT", kid });
  const body = enc(claims);
  const sig = createSign("RSA-SHA256").update(`${head}.${body}`).sign(privateKey).toString("base64url");
  return `${head}.${body}.${sig}`;
}

interface PushMessage {
  message: { data: string; messageId: string; publishTime: string; attributes: Record<string, string> };
  subscription: string;
}

interface LogEntry {
  logName: string;
  insertId: string;
  timestamp: string;
  resource: { type: string; labels: Record<string, string> };
  protoPayload: {
    "@type": string;
    serviceName: string;
    methodName: string;
    resourceName: string;
    authenticationInfo: { principalEmail: string };
  };
}

describe("GCP simulator operations: admin API, events, throttling, faults, auth, persistence", () => {
  let sim: GcpSim;
  let demo: GcpDemo;
  let hook: Server;
  const received: PushMessage[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push(JSON.parse(body) as PushMessage);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    sim = await startGcpSim({ throttle: false });
    demo = seedGcpDemo(sim);
    sim.configure({ webhook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events` } });
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((r) => hook.close(r));
  });

  const entries = (): LogEntry[] => received.map((m) => JSON.parse(Buffer.from(m.message.data, "base64").toString("utf8")) as LogEntry);

  it("posts a Pub/Sub push message carrying a Cloud Audit Log entry after SDK and human mutations", async () => {
    received.length = 0;
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const name = `organizations/${demo.orgId}/policies/compute.disableSerialPortAccess`;
    await c.createPolicy({ parent: `organizations/${demo.orgId}`, policy: { name, spec: { rules: [{ enforce: true }] } } });
    const human = await admin(sim, "DELETE", `/_admin/org-policies?name=${encodeURIComponent(name)}&actor=mallory@example.com`);
    expect(human.status).toBe(200);
    await sim.flushEvents();
    expect(received).toHaveLength(2);
    const [push] = received;
    expect(push?.subscription).toBe("projects/parapet-sim/subscriptions/parapet-audit");
    expect(push?.message.messageId).toBeTruthy();
    const [create, del] = entries();
    expect(create).toMatchObject({
      logName: `organizations/${demo.orgId}/logs/cloudaudit.googleapis.com%2Factivity`,
      resource: { type: "organization", labels: { organization_id: demo.orgId } },
      protoPayload: {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        serviceName: "orgpolicy.googleapis.com",
        methodName: "google.cloud.orgpolicy.v2.OrgPolicy.CreatePolicy",
        resourceName: name,
        authenticationInfo: { principalEmail: demo.serviceAccount.email },
      },
    });
    expect(del?.protoPayload).toMatchObject({
      methodName: "google.cloud.orgpolicy.v2.OrgPolicy.DeletePolicy",
      authenticationInfo: { principalEmail: "mallory@example.com" },
    });
  });

  it("emits events for Resource Manager and IAM mutations with their service names", async () => {
    received.length = 0;
    const p = projectsClient(sim.port, { token: demo.serviceAccount.token });
    const [op] = await p.createProject({ project: { projectId: "events-proj-1", parent: demo.folders.Sandbox } });
    const [proj] = await op.promise();
    const d = denyPoliciesClient(sim.port, { token: demo.serviceAccount.token });
    const [dop] = await d.createPolicy({
      parent: denyParent(demo.folders.Sandbox ?? ""),
      policyId: "events-deny",
      policy: {
        rules: [
          {
            denyRule: {
              deniedPrincipals: ["principalSet://goog/public:all"],
              deniedPermissions: ["storage.googleapis.com/buckets.delete"],
            },
          },
        ],
      },
    });
    await dop.promise();
    await sim.flushEvents();
    const e = entries();
    expect(e.map((x) => x.protoPayload.methodName)).toEqual([
      "google.cloud.resourcemanager.v3.Projects.CreateProject",
      "google.iam.v2.Policies.CreatePolicy",
    ]);
    expect(e[0]).toMatchObject({
      resource: { type: "project", labels: { project_id: "events-proj-1" } },
      protoPayload: { resourceName: proj.name, serviceName: "cloudresourcemanager.googleapis.com" },
    });
    expect(e[1]?.protoPayload.serviceName).toBe("iam.googleapis.com");
  });

  it("applies out-of-band human changes through the admin API that the SDK then observes", async () => {
    const org = `organizations/${demo.orgId}`;
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const locName = `${org}/policies/gcp.resourceLocations`;
    const edited = await admin(sim, "POST", "/_admin/org-policies", { name: locName, spec: { rules: [{ allowAll: true }] } });
    expect(edited.status).toBe(200);
    expect((await c.getPolicy({ name: locName }))[0].spec?.rules?.[0]?.allowAll).toBe(true);
    // Switching a policy to dry-run only works where the constraint takes a dry run (a managed one here);
    // on a legacy constraint the console refuses, as the API does.
    const managed = `${org}/policies/compute.managed.requireOsLogin`;
    expect((await admin(sim, "POST", "/_admin/org-policies", { name: managed, spec: { rules: [{ enforce: true }] } })).status).toBe(200);
    expect((await admin(sim, "POST", "/_admin/org-policies/dry-run-only", { name: managed })).status).toBe(200);
    const [dry] = await c.getPolicy({ name: managed });
    expect(dry.spec).toBeNull();
    expect(dry.dryRunSpec?.rules?.[0]?.enforce).toBe(true);
    const legacy = await admin(sim, "POST", "/_admin/org-policies/dry-run-only", {
      name: `${org}/policies/iam.disableServiceAccountKeyCreation`,
    });
    expect(legacy.status).toBe(400);
    expect((await c.getPolicy({ name: `${org}/policies/iam.disableServiceAccountKeyCreation` }))[0].spec?.rules?.[0]?.enforce).toBe(true);

    const denyName = demo.customerDenyPolicies[0] ?? "";
    const d = denyPoliciesClient(sim.port, { token: demo.serviceAccount.token });
    const editDeny = await admin(sim, "POST", "/_admin/deny-policies", {
      name: denyName,
      displayName: "weakened",
      rules: [
        { denyRule: { deniedPrincipals: ["principalSet://goog/public:all"], deniedPermissions: ["logging.googleapis.com/sinks.delete"] } },
      ],
    });
    expect(editDeny.status).toBe(200);
    expect((await d.getPolicy({ name: denyName }))[0].displayName).toBe("weakened");
    expect((await admin(sim, "DELETE", `/_admin/deny-policies?name=${encodeURIComponent(denyName)}`)).status).toBe(200);
    await expect(d.getPolicy({ name: denyName })).rejects.toMatchObject({ status: 404 });

    const created = await admin(sim, "POST", "/_admin/projects", {
      parent: demo.folders.Production,
      projectId: "shadow-prod-1",
      labels: { env: "prod" },
    });
    expect(created.status).toBe(200);
    const pname = created.json.name as string;
    await admin(sim, "POST", "/_admin/projects/move", { project: pname, destinationParent: demo.folders.Sandbox });
    await admin(sim, "POST", "/_admin/projects/labels", { project: "shadow-prod-1", labels: { env: "sandbox" } });
    const p = projectsClient(sim.port, { token: demo.serviceAccount.token });
    const [got] = await p.getProject({ name: pname });
    expect(got).toMatchObject({ parent: demo.folders.Sandbox, labels: { env: "sandbox" } });
    const folder = await admin(sim, "POST", "/_admin/folders", { parent: org, displayName: "Shadow IT" });
    expect(folder.json.parent).toBe(org);
    const bad = await admin(sim, "POST", "/_admin/projects", { parent: org });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { status: "INVALID_ARGUMENT" } });
  });

  it("reports state, seeds, configures paging and counts requests", async () => {
    const other = await startGcpSim({ throttle: false, orgId: "999000111222" });
    try {
      const seeded = await admin(other, "POST", "/_admin/seed", { projects: 120, folders: 6, depth: 2 });
      expect(seeded.json).toMatchObject({ projects: 120, folders: 6 });
      expect((await admin(other, "GET", "/_admin/state")).json).toMatchObject({ orgId: "999000111222", projects: 120, folders: 6 });
      await admin(other, "POST", "/_admin/service-accounts", {
        email: "ops@x.iam.gserviceaccount.com",
        permissions: ["resourcemanager.projects.*"],
        tokens: ["ops-token"],
      });
      await admin(other, "POST", "/_admin/config", { pageSize: 7 });
      await admin(other, "POST", "/_admin/counters/reset");
      const p = projectsClient(other.port, { token: "ops-token" });
      const [all] = await p.searchProjects({ query: "" });
      expect(all).toHaveLength(120);
      const counters = (await admin(other, "GET", "/_admin/counters")).json;
      expect(counters).toMatchObject({ counters: { "crm.SearchProjects": Math.ceil(120 / 7) } });
      const demoSeed = await admin(other, "POST", "/_admin/seed", { demo: true });
      expect(demoSeed.json.orgId).toBe("123456789012");
      expect(Object.keys(demoSeed.json.projects as object)).toHaveLength(30);
    } finally {
      await other.close();
    }
  });

  it("throttles per call family with 429 RESOURCE_EXHAUSTED and Retry-After", async () => {
    sim.configure({ throttle: { "orgpolicy.read": { burst: 2, ratePerSec: 0.001 } } });
    try {
      const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
      const name = `organizations/${demo.orgId}/policies/gcp.resourceLocations`;
      await c.getPolicy({ name });
      await c.getPolicy({ name });
      const limited = await rejectCode(c.getPolicy({ name }));
      expect(limited.code).toBe(8);
      expect(limited.message).toMatch(/Quota exceeded/);
      const raw = await fetch(`${sim.url}/v2/${name}`, { headers: { authorization: `Bearer ${demo.serviceAccount.token}` } });
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get("retry-after"))).toBeGreaterThan(0);
      // Writes are a separate family and still pass.
      const p = projectsClient(sim.port, { token: demo.serviceAccount.token });
      await p.getProject({ name: `projects/${demo.projects["qa-shared"]?.number ?? ""}` });
    } finally {
      sim.configure({ throttle: false });
    }
  });

  it("injects 503 UNAVAILABLE faults and outage windows", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const name = `organizations/${demo.orgId}/policies/gcp.resourceLocations`;
    const noRetry = {
      retry: {
        retryCodes: [],
        backoffSettings: { initialRetryDelayMillis: 1, retryDelayMultiplier: 1, maxRetryDelayMillis: 1, totalTimeoutMillis: 1 },
      },
    };
    sim.configure({ faults: { outages: [{ start: Date.now() - 1000, end: Date.now() + 3_600_000 }] } });
    try {
      const down = await rejectCode(c.getPolicy({ name }, noRetry));
      expect(down.code).toBe(14);
    } finally {
      sim.configure({ faults: {} });
    }
    sim.configure({ faults: { errorRate: 1 } });
    try {
      const p = projectsClient(sim.port, { token: demo.serviceAccount.token });
      await expect(p.getProject({ name: `projects/${demo.projects["qa-shared"]?.number ?? ""}` }, noRetry)).rejects.toMatchObject({
        status: 503,
      });
    } finally {
      sim.configure({ faults: {} });
    }
    expect((await c.getPolicy({ name }))[0].name).toBe(name);
  });

  it("issues access tokens for a JWT-bearer grant signed with a registered key, and rejects forged ones", async () => {
    const kf = demo.serviceAccount.keyFile;
    expect(kf.token_uri).toBe(`${sim.url}/token`);
    const t = Math.floor(Date.now() / 1000);
    const claims = {
      iss: kf.client_email,
      scope: "https://www.googleapis.com/auth/cloud-platform",
      aud: kf.token_uri,
      iat: t,
      exp: t + 3600,
    };
    const assertion = signJwt(claims, kf.private_key, kf.private_key_id);
    const res = await fetch(kf.token_uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
    });
    expect(res.status).toBe(200);
    const tok = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(tok.token_type).toBe("Bearer");
    const c = orgPolicyClient(sim.port, { token: tok.access_token });
    expect((await c.listPolicies({ parent: `organizations/${demo.orgId}` }))[0].length).toBeGreaterThan(0);

    const forged = assertion.slice(0, assertion.lastIndexOf(".") + 1) + Buffer.from("forged").toString("base64url");
    const bad = await fetch(kf.token_uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: forged }).toString(),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_grant" });
    const expired = signJwt({ ...claims, iat: t - 7200, exp: t - 3600 }, kf.private_key, kf.private_key_id);
    const anon = orgPolicyClient(sim.port, { token: expired });
    expect((await rejectCode(anon.listPolicies({ parent: `organizations/${demo.orgId}` }))).code).toBe(16);
  });

  it("keeps state in a file across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gcp-sim-"));
    const file = join(dir, "state.json");
    try {
      const a = await startGcpSim({ throttle: false, persistFile: file });
      const d = seedGcpDemo(a);
      await admin(a, "POST", "/_admin/projects", { parent: d.folders.Production, projectId: "persisted-proj" });
      await a.close();
      const b = await startGcpSim({ throttle: false, persistFile: file });
      try {
        const p = projectsClient(b.port, { token: d.serviceAccount.token });
        const [got] = await p.getProject({ name: "projects/persisted-proj" });
        expect(got.parent).toBe(d.folders.Production);
        expect(b.summary()).toMatchObject({ orgId: d.orgId, projects: 31, orgPolicies: 3, denyPolicies: 1 });
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
