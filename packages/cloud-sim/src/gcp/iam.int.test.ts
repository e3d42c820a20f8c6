import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denyParent, denyPoliciesClient } from "./clients.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, startGcpSim } from "./index.ts";

/** google-gax 5 surfaces non-2xx replies as GaxiosError: HTTP status plus the Google error JSON as message. */
async function rejectCode(p: Promise<unknown>): Promise<{ http: number; status: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; message: string };
    const body = JSON.parse(err.message) as { error: { status: string; message: string } };
    return { http: err.status, status: body.error.status, message: body.error.message };
  }
  throw new Error("expected the call to fail");
}

const rule = (perm = "storage.googleapis.com/buckets.delete") => ({
  description: "agents cannot delete prod data",
  denyRule: {
    deniedPrincipals: ["principalSet://goog/group/agents@example.com"],
    exceptionPrincipals: ["principal://goog/subject/breakglass@example.com"],
    deniedPermissions: [perm],
    denialCondition: { title: "prod", expression: "resource.matchTag('123456789012/env', 'prod')" },
  },
});

let sim: GcpSim;
let demo: GcpDemo;

beforeAll(async () => {
  sim = await startGcpSim({ throttle: false, lroPolls: 2 });
  demo = seedGcpDemo(sim);
});
afterAll(async () => sim.close());

describe("IAM v2 deny policies through @google-cloud/iam (REST fallback, google-gax 5)", () => {
  it("creates (LRO), gets, lists without rules, updates with etag, rejects stale etag, deletes (LRO)", async () => {
    const kf = demo.serviceAccount.keyFile;
    const c = denyPoliciesClient(sim.port, { credentials: { client_email: kf.client_email, private_key: kf.private_key } });
    const folder = demo.folders.Production ?? "";
    const parent = denyParent(folder);
    const [op] = await c.createPolicy({
      parent,
      policyId: "parapet-agents-no-delete",
      policy: { displayName: "Parapet: agents", rules: [rule()] },
    });
    expect(op.done).toBe(false);
    const [created] = await op.promise();
    const name = `${parent}/parapet-agents-no-delete`;
    expect(created).toMatchObject({ name, kind: "DenyPolicy", displayName: "Parapet: agents" });
    expect(created.rules?.[0]?.denyRule?.deniedPermissions).toEqual(["storage.googleapis.com/buckets.delete"]);
    expect(sim.counters()["iam.GetOperation"]).toBeGreaterThanOrEqual(2);

    const [got] = await c.getPolicy({ name });
    expect(got.rules?.[0]?.denyRule?.denialCondition?.expression).toContain("matchTag");
    const [listed] = await c.listPolicies({ parent });
    expect(listed.map((p) => p.name)).toEqual([name]);
    expect(listed[0]?.rules).toEqual([]);

    const [upOp] = await c.updatePolicy({
      policy: { name, etag: got.etag, displayName: "Parapet: agents v2", rules: [rule(), rule("bigquery.googleapis.com/datasets.delete")] },
    });
    const [updated] = await upOp.promise();
    expect(updated.rules).toHaveLength(2);
    expect(updated.etag).not.toBe(got.etag);

    const stale = await rejectCode(c.updatePolicy({ policy: { name, etag: got.etag, rules: [rule()] } }));
    expect(stale).toMatchObject({ http: 409, status: "ABORTED" });
    const staleDelete = await rejectCode(c.deletePolicy({ name, etag: got.etag }));
    expect(staleDelete).toMatchObject({ http: 409, status: "ABORTED" });

    const [delOp] = await c.deletePolicy({ name, etag: updated.etag });
    const [deleted] = await delOp.promise();
    expect(deleted.name).toBe(name);
    expect(Number(deleted.deleteTime?.seconds)).toBeGreaterThan(0);
    expect((await rejectCode(c.getPolicy({ name }))).status).toBe("NOT_FOUND");
  });

  it("sees the customer's pre-existing deny policy at the organization", async () => {
    const c = denyPoliciesClient(sim.port, { token: demo.readOnly.token });
    const [list] = await c.listPolicies({ parent: denyParent(`organizations/${demo.orgId}`) });
    expect(list.map((p) => p.displayName)).toEqual(["Protect audit log sinks"]);
  });

  it("validates ids, principals and permission format; refuses duplicates", async () => {
    const c = denyPoliciesClient(sim.port, { token: demo.serviceAccount.token });
    const parent = denyParent(demo.folders.Sandbox ?? "");
    const badPerm = await rejectCode(c.createPolicy({ parent, policyId: "bad-perm", policy: { rules: [rule("storage.buckets.delete")] } }));
    expect(badPerm).toMatchObject({ http: 400, status: "INVALID_ARGUMENT" });
    expect(badPerm.message).toMatch(/service\.googleapis\.com\/resource\.verb/);
    const badPrincipal = await rejectCode(
      c.createPolicy({
        parent,
        policyId: "bad-principal",
        policy: {
          rules: [
            { denyRule: { deniedPrincipals: ["user:bob@example.com"], deniedPermissions: ["storage.googleapis.com/buckets.delete"] } },
          ],
        },
      }),
    );
    expect(badPrincipal.status).toBe("INVALID_ARGUMENT");
    const badId = await rejectCode(c.createPolicy({ parent, policyId: "X", policy: { rules: [rule()] } }));
    expect(badId.message).toMatch(/policy_id/);
    const noRules = await rejectCode(c.createPolicy({ parent, policyId: "no-rules", policy: { rules: [] } }));
    expect(noRules.status).toBe("INVALID_ARGUMENT");
    const [op] = await c.createPolicy({
      parent,
      policyId: "wildcards",
      policy: { rules: [rule("storage.googleapis.com/buckets.*"), rule("compute.googleapis.com/*.*")] },
    });
    await op.promise();
    const dup = await rejectCode(c.createPolicy({ parent, policyId: "wildcards", policy: { rules: [rule()] } }));
    expect(dup).toMatchObject({ http: 409, status: "ALREADY_EXISTS" });
  });

  it("refuses a well-formed permission that is not supported in deny policies, as IAM does (400, nothing created)", async () => {
    const c = denyPoliciesClient(sim.port, { token: demo.serviceAccount.token });
    const parent = denyParent(demo.folders.Sandbox ?? "");
    // All exist as IAM permissions, but deny policies support none (deny-permissions-support): tag
    // bindings among them, which Parapet once compiled for its label lock.
    for (const perm of [
      "bigqueryreservation.googleapis.com/capacityCommitments.delete",
      "compute.googleapis.com/instances.frobnicate",
      "cloudresourcemanager.googleapis.com/tagValueBindings.create",
      "cloudresourcemanager.googleapis.com/tagValueBindings.delete",
    ]) {
      const r = await rejectCode(c.createPolicy({ parent, policyId: "unsupported", policy: { rules: [rule(perm)] } }));
      expect(r).toMatchObject({ http: 400, status: "INVALID_ARGUMENT" });
      expect(r.message).toContain(`"${perm}" is not supported in deny policies`);
    }
    const [listed] = await c.listPolicies({ parent });
    expect(listed.map((p) => p.name)).not.toContain(`${parent}/unsupported`);
    // The whole vendored list is accepted, not only what Parapet emits: services Parapet never names,
    // and the page's per-resource wildcard.
    const [op] = await c.createPolicy({
      parent,
      policyId: "whole-list",
      policy: { rules: [rule("alloydb.googleapis.com/clusters.delete"), rule("aiplatform.googleapis.com/endpoints.*")] },
    });
    await op.promise();
  });

  it("enforces 5 deny policies per attachment point and 500 rules per policy", async () => {
    const c = denyPoliciesClient(sim.port, { token: demo.serviceAccount.token });
    const proj = `projects/${demo.projects["agent-evals"]?.number ?? ""}`;
    const parent = denyParent(proj);
    for (let i = 0; i < 5; i++) {
      const [op] = await c.createPolicy({ parent, policyId: `policy-${i}`, policy: { rules: [rule()] } });
      await op.promise();
    }
    const sixth = await rejectCode(c.createPolicy({ parent, policyId: "policy-6", policy: { rules: [rule()] } }));
    expect(sixth).toMatchObject({ http: 400, status: "FAILED_PRECONDITION" });
    expect(sixth.message).toMatch(/limit is 5/);
    const tooMany = await rejectCode(
      c.updatePolicy({ policy: { name: `${parent}/policy-0`, rules: Array.from({ length: 501 }, () => rule()) } }),
    );
    expect(tooMany.message).toMatch(/at most 500 rules/);
  });

  it("answers 403 naming iam.denypolicies.create for a read-only caller and for unknown attachment points", async () => {
    const ro = denyPoliciesClient(sim.port, { token: demo.readOnly.token });
    const denied = await rejectCode(
      ro.createPolicy({ parent: denyParent(`organizations/${demo.orgId}`), policyId: "nope-nope", policy: { rules: [rule()] } }),
    );
    expect(denied).toMatchObject({ http: 403, status: "PERMISSION_DENIED" });
    expect(denied.message).toMatch(/iam\.denypolicies\.create/);
    const unknown = await rejectCode(ro.listPolicies({ parent: denyParent("folders/424242") }));
    expect(unknown.http).toBe(403);
  });
});
