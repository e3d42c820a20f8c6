import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orgPolicyClient } from "./clients.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "./index.ts";

/** gRPC status codes as google-gax reports them. */
const Code = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, ABORTED: 10, UNAUTHENTICATED: 16 };

async function rejectCode(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: number; message: string };
  }
  throw new Error("expected the call to fail");
}

let sim: GcpSim;
let demo: GcpDemo;
let org: string;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false, seed: 1 });
  demo = seedGcpDemo(sim);
  org = `organizations/${demo.orgId}`;
});
afterAll(async () => sim.close());

describe("Org Policy v2 through @google-cloud/org-policy (REST fallback)", () => {
  it("lists the customer's pre-existing policies and gets one with etags", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const [policies] = await c.listPolicies({ parent: org });
    expect(policies.map((p) => p.name).sort()).toEqual([
      `${org}/policies/gcp.resourceLocations`,
      `${org}/policies/iam.disableServiceAccountKeyCreation`,
    ]);
    const [p] = await c.getPolicy({ name: `${org}/policies/gcp.resourceLocations` });
    expect(p.spec?.rules?.[0]?.values?.allowedValues).toEqual(["in:eu-locations"]);
    expect(p.spec?.etag).toBeTruthy();
    expect(Number(p.spec?.updateTime?.seconds)).toBeGreaterThan(0);
  });

  it("creates, conflicts on duplicate, updates with etag, rejects a stale etag, deletes", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const folder = demo.folders.Production ?? "";
    const name = `${folder}/policies/storage.publicAccessPrevention`;
    const [created] = await c.createPolicy({ parent: folder, policy: { name, spec: { rules: [{ enforce: true }] } } });
    expect(created.name).toBe(name);
    expect(created.spec?.rules?.[0]?.enforce).toBe(true);

    const dup = await rejectCode(c.createPolicy({ parent: folder, policy: { name, spec: { rules: [{ enforce: true }] } } }));
    expect(dup.code).toBe(Code.ABORTED); // HTTP 409 ALREADY_EXISTS maps to ABORTED in google-gax
    expect(dup.message).toMatch(/already exists/);

    const etag = created.spec?.etag ?? "";
    const [updated] = await c.updatePolicy({ policy: { name, spec: { etag, rules: [{ enforce: false }] } } });
    expect(updated.spec?.rules?.[0]?.enforce).toBe(false);
    expect(updated.spec?.etag).not.toBe(etag);

    const stale = await rejectCode(c.updatePolicy({ policy: { name, spec: { etag, rules: [{ enforce: true }] } } }));
    expect(stale.code).toBe(Code.ABORTED);
    expect(stale.message).toMatch(/etag/);

    await c.deletePolicy({ name });
    const gone = await rejectCode(c.getPolicy({ name }));
    expect(gone.code).toBe(Code.NOT_FOUND);
    const again = await rejectCode(c.deletePolicy({ name }));
    expect(again.code).toBe(Code.NOT_FOUND);
  });

  it("reports per constraint whether it takes a dry-run policy: legacy constraints do not, managed and custom ones do", async () => {
    // The field is read over REST: @google-cloud/org-policy 3.0.1's protos predate supports_dry_run.
    const constraints: Array<{ name: string; supportsDryRun?: boolean }> = [];
    let pageToken = "";
    do {
      const res = await fetch(
        `http://127.0.0.1:${sim.port}/v2/${org}/constraints?pageSize=100${pageToken ? `&pageToken=${pageToken}` : ""}`,
        { headers: { authorization: `Bearer ${demo.serviceAccount.token}` } },
      );
      const body = (await res.json()) as { constraints: typeof constraints; nextPageToken?: string };
      constraints.push(...body.constraints);
      pageToken = body.nextPageToken ?? "";
    } while (pageToken);
    const support = (id: string) => {
      const found = constraints.find((x) => x.name === `${org}/constraints/${id}`);
      expect(found, id).toBeDefined();
      return found!.supportsDryRun;
    };
    expect(support("compute.requireOsLogin")).toBe(false);
    expect(support("compute.managed.requireOsLogin")).toBe(true);
  });

  it("refuses a dry-run policy on a constraint that does not support dry run, as GCP does, and changes nothing", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const folder = demo.folders.Sandbox ?? "";
    const legacy = `${folder}/policies/compute.requireOsLogin`;
    const created = await rejectCode(
      c.createPolicy({ parent: folder, policy: { name: legacy, dryRunSpec: { rules: [{ enforce: true }] } } }),
    );
    expect(created.code).toBe(Code.INVALID_ARGUMENT);
    expect(created.message).toMatch(/compute\.requireOsLogin does not support dry-run/);
    expect((await rejectCode(c.getPolicy({ name: legacy }))).code).toBe(Code.NOT_FOUND);

    // Enforced alongside a dry run, or a dry run added later by update mask: refused the same way.
    const both = await rejectCode(
      c.createPolicy({
        parent: folder,
        policy: { name: legacy, spec: { rules: [{ enforce: true }] }, dryRunSpec: { rules: [{ enforce: true }] } },
      }),
    );
    expect(both.code).toBe(Code.INVALID_ARGUMENT);
    await c.createPolicy({ parent: folder, policy: { name: legacy, spec: { rules: [{ enforce: true }] } } });
    const masked = await rejectCode(
      c.updatePolicy({ policy: { name: legacy, dryRunSpec: { rules: [{ enforce: false }] } }, updateMask: { paths: ["dry_run_spec"] } }),
    );
    expect(masked.code).toBe(Code.INVALID_ARGUMENT);
    const [after] = await c.getPolicy({ name: legacy });
    expect(after.spec?.rules?.[0]?.enforce).toBe(true);
    expect(after.dryRunSpec).toBeNull();

    // A list constraint too; a person in the console meets the same refusal (admin API answers 400).
    const list = `${folder}/policies/gcp.resourceLocations`;
    const listDry = await rejectCode(
      c.createPolicy({
        parent: folder,
        policy: { name: list, dryRunSpec: { rules: [{ values: { allowedValues: ["in:eu-locations"] } }] } },
      }),
    );
    expect(listDry.code).toBe(Code.INVALID_ARGUMENT);
    const console = await fetch(`${sim.url}/_admin/org-policies/dry-run-only`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: legacy }),
    });
    expect(console.status).toBe(400);
    expect((await c.getPolicy({ name: legacy }))[0].spec?.rules?.[0]?.enforce).toBe(true);
    await c.deletePolicy({ name: legacy });
  });

  it("takes a dry-run policy on a custom constraint", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const id = "custom.parapetDryRunProbe";
    const res = await fetch(`${sim.url}/v2/${org}/customConstraints?$alt=json%3Benum-encoding=int`, {
      method: "POST",
      headers: { authorization: `Bearer ${demo.serviceAccount.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: `${org}/customConstraints/${id}`,
        resourceTypes: ["container.googleapis.com/NodePool"],
        methodTypes: [1, 2],
        condition: "resource.management.autoUpgrade == false",
        actionType: 2,
        displayName: "probe",
      }),
    });
    expect(res.status).toBe(200);
    const project = `projects/${demo.projects["sandbox-bob"]?.number ?? ""}`;
    const name = `${project}/policies/${id}`;
    const [p] = await c.createPolicy({ parent: project, policy: { name, dryRunSpec: { rules: [{ enforce: true }] } } });
    expect(p.spec).toBeNull();
    expect(p.dryRunSpec?.rules?.[0]?.enforce).toBe(true);
    await c.deletePolicy({ name });
  });

  it("keeps dryRunSpec separate and drops it on a full overwrite, as the API documents", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const project = `projects/${demo.projects["sandbox-bob"]?.number ?? ""}`;
    const name = `${project}/policies/compute.managed.requireOsLogin`;
    const [p] = await c.createPolicy({
      parent: project,
      policy: { name, spec: { rules: [{ enforce: false }] }, dryRunSpec: { rules: [{ enforce: true }] } },
    });
    expect(p.dryRunSpec?.rules?.[0]?.enforce).toBe(true);
    const [u] = await c.updatePolicy({ policy: { name, spec: { rules: [{ enforce: true }] } } });
    expect(u.dryRunSpec).toBeNull();
    const [masked] = await c.updatePolicy({
      policy: { name, dryRunSpec: { rules: [{ enforce: false }] } },
      updateMask: { paths: ["dry_run_spec"] },
    });
    expect(masked.spec?.rules?.[0]?.enforce).toBe(true);
    expect(masked.dryRunSpec?.rules?.[0]?.enforce).toBe(false);
  });

  it("accepts a project id in names and answers with the project number", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const proj = demo.projects["qa-shared"];
    const [p] = await c.createPolicy({
      parent: `projects/${proj?.projectId ?? ""}`,
      policy: { name: `projects/${proj?.projectId ?? ""}/policies/sql.restrictPublicIp`, spec: { rules: [{ enforce: true }] } },
    });
    expect(p.name).toBe(`projects/${proj?.number ?? ""}/policies/sql.restrictPublicIp`);
  });

  it("computes effective list policies through inheritance, replacement and reset", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const folder = demo.folders["Non-Production"] ?? "";
    const proj = `projects/${demo.projects["payments-dev"]?.number ?? ""}`;
    const other = `projects/${demo.projects["ledger-dev"]?.number ?? ""}`;
    const c1 = "gcp.resourceLocations";
    // Folder inherits the org's in:eu-locations and adds us-east1.
    await c.createPolicy({
      parent: folder,
      policy: { name: `${folder}/policies/${c1}`, spec: { inheritFromParent: true, rules: [{ values: { allowedValues: ["us-east1"] } }] } },
    });
    const [eff] = await c.getEffectivePolicy({ name: `${proj}/policies/${c1}` });
    expect(eff.spec?.rules?.[0]?.values?.allowedValues).toEqual(["in:eu-locations", "us-east1"]);
    expect(eff.spec?.etag).toBe("");
    // The project replaces (no inheritance).
    await c.createPolicy({
      parent: proj,
      policy: { name: `${proj}/policies/${c1}`, spec: { rules: [{ values: { deniedValues: ["asia-east1"] } }] } },
    });
    const [eff2] = await c.getEffectivePolicy({ name: `${proj}/policies/${c1}` });
    expect(eff2.spec?.rules?.[0]?.values).toMatchObject({ allowedValues: [], deniedValues: ["asia-east1"] });
    // Reset restores the constraint default (allow all).
    await c.createPolicy({ parent: other, policy: { name: `${other}/policies/${c1}`, spec: { reset: true } } });
    const [eff3] = await c.getEffectivePolicy({ name: `${other}/policies/${c1}` });
    expect(eff3.spec?.rules?.[0]?.allowAll).toBe(true);
  });

  it("computes effective boolean policies: the lowest policy wins, default is not enforced", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const proj = `projects/${demo.projects["sandbox-alice"]?.number ?? ""}`;
    const key = "iam.disableServiceAccountKeyCreation";
    const [inherited] = await c.getEffectivePolicy({ name: `${proj}/policies/${key}` });
    expect(inherited.spec?.rules?.[0]?.enforce).toBe(true);
    await c.createPolicy({ parent: proj, policy: { name: `${proj}/policies/${key}`, spec: { rules: [{ enforce: false }] } } });
    const [overridden] = await c.getEffectivePolicy({ name: `${proj}/policies/${key}` });
    expect(overridden.spec?.rules?.[0]?.enforce).toBe(false);
    const [untouched] = await c.getEffectivePolicy({ name: `${proj}/policies/compute.disableSerialPortAccess` });
    expect(untouched.spec?.rules?.[0]?.enforce).toBe(false);
  });

  it("rejects invalid policies with INVALID_ARGUMENT and unknown constraints with NOT_FOUND", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const folder = demo.folders.Sandbox ?? "";
    const bad = async (constraint: string, spec: object): Promise<{ code: number; message: string }> =>
      rejectCode(c.createPolicy({ parent: folder, policy: { name: `${folder}/policies/${constraint}`, spec } }));
    expect((await bad("compute.requireOsLogin", { rules: [{ values: { allowedValues: ["x"] } }] })).code).toBe(Code.INVALID_ARGUMENT);
    expect((await bad("gcp.resourceLocations", { rules: [{ enforce: true }] })).code).toBe(Code.INVALID_ARGUMENT);
    expect((await bad("compute.requireOsLogin", { inheritFromParent: true, rules: [{ enforce: true }] })).message).toMatch(
      /inherit_from_parent/,
    );
    expect((await bad("gcp.resourceLocations", { reset: true, rules: [{ allowAll: true }] })).message).toMatch(/reset/);
    expect((await bad("iam.allowedPolicyMemberDomains", { rules: [{ values: { allowedValues: ["under:folders/1"] } }] })).message).toMatch(
      /under:/,
    );
    expect((await bad("compute.requireOsLogin", { rules: [{ enforce: true }, { enforce: false }] })).message).toMatch(/exactly one rule/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({
      values: { allowedValues: [`v${i}`] },
      condition: { expression: "resource.matchTag('123456789012/env', 'prod')" },
    }));
    expect((await bad("gcp.restrictServiceUsage", { rules: eleven })).message).toMatch(/at most 10 rules/);
    const huge = {
      rules: [{ values: { allowedValues: Array.from({ length: 400 }, (_, i) => `service-${i}-${"x".repeat(80)}.googleapis.com`) } }],
    };
    expect((await bad("gcp.restrictServiceUsage", huge)).message).toMatch(/exceeds the maximum of 32768 bytes/);
    expect((await bad("no.suchConstraint", { rules: [{ enforce: true }] })).code).toBe(Code.NOT_FOUND);
  });

  it("lists built-in and custom constraints with enum values decoded by the SDK", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const [constraints] = await c.listConstraints({ parent: org });
    const loc = constraints.find((x) => x.name === `${org}/constraints/gcp.resourceLocations`);
    expect(loc?.listConstraint?.supportsIn).toBe(true);
    expect(loc?.constraintDefault).toBe("ALLOW");
    const bool = constraints.find((x) => x.name === `${org}/constraints/storage.uniformBucketLevelAccess`);
    expect(bool?.booleanConstraint).toEqual({});
  });

  it("pages ListPolicies beyond one page with pageSize/pageToken", async () => {
    const c = orgPolicyClient(sim.port, { token: demo.serviceAccount.token });
    const proj = `projects/${demo.projects["sandbox-carol"]?.number ?? ""}`;
    const bools = [
      "compute.requireOsLogin",
      "compute.disableSerialPortAccess",
      "storage.publicAccessPrevention",
      "storage.uniformBucketLevelAccess",
      "sql.restrictPublicIp",
    ];
    for (const b of bools)
      await c.createPolicy({ parent: proj, policy: { name: `${proj}/policies/${b}`, spec: { rules: [{ enforce: true }] } } });
    const [page1, next] = await c.listPolicies({ parent: proj, pageSize: 2 }, { autoPaginate: false });
    expect(page1).toHaveLength(2);
    expect(next?.pageToken).toBeTruthy();
    const all: string[] = [];
    for await (const p of c.listPoliciesAsync({ parent: proj, pageSize: 2 })) all.push(p.name ?? "");
    expect(all).toHaveLength(5);
    expect(new Set(all).size).toBe(5);
  });

  it("answers 403 PERMISSION_DENIED naming the permission, and 401 for unknown tokens", async () => {
    const ro = orgPolicyClient(sim.port, { token: demo.readOnly.token });
    const [list] = await ro.listPolicies({ parent: org });
    expect(list.length).toBeGreaterThan(0);
    const denied = await rejectCode(
      ro.updatePolicy({ policy: { name: `${org}/policies/iam.disableServiceAccountKeyCreation`, spec: { rules: [{ enforce: false }] } } }),
    );
    expect(denied.code).toBe(Code.PERMISSION_DENIED);
    expect(denied.message).toMatch(/orgpolicy\.policies\.update/);
    const missing = await rejectCode(ro.listPolicies({ parent: "folders/999" }));
    expect(missing.code).toBe(Code.PERMISSION_DENIED);
    const anon = orgPolicyClient(sim.port, { token: "not-a-token" });
    expect((await rejectCode(anon.listPolicies({ parent: org }))).code).toBe(Code.UNAUTHENTICATED);
  });

  it("authenticates a service-account key file through the SDK's self-signed JWT", async () => {
    const kf = demo.serviceAccount.keyFile;
    const c = orgPolicyClient(sim.port, { credentials: { client_email: kf.client_email, private_key: kf.private_key } });
    const [p] = await c.getPolicy({ name: `${org}/policies/gcp.resourceLocations` });
    expect(p.name).toBe(`${org}/policies/gcp.resourceLocations`);
  });
});
