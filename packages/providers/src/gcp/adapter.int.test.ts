import { denyPoliciesClient } from "@parapet/cloud-sim/gcp/clients";
import { simulatorEgress } from "../egress/index.ts";
import { type GcpDemo, type GcpSim, seedGcpDemo, seedGcpOrg, startGcpSim } from "@parapet/cloud-sim/gcp/index";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converge, describeContract } from "../contract/contract-suite.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { createGcpAdapter } from "./adapter.ts";
import { ZGcpCredentials } from "./credentials.ts";
import { gcpCustomConstraintId, gcpDenyPolicyId, gcpOwnerLabels } from "./markers.ts";
import { normaliseDenyPolicy } from "./policy.ts";
import type { TGcpCustomConstraint, TGcpDenyPolicy, TGcpOrgPolicy } from "./types.ts";

const WS = "ws_gcp_contract";
const FAST_RETRY = { attempts: 14, baseMs: 20, maxMs: 400 };

function denyName(node: string, id: string): string {
  return `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${node}`)}/denypolicies/${id}`;
}

async function startWorld(): Promise<{ sim: GcpSim; demo: GcpDemo; adapter: CloudAdapter }> {
  const sim = await startGcpSim({ throttle: false });
  const demo = seedGcpDemo(sim);
  // 25 folders and 180 projects with 20 per page: every listing discover makes needs several pages.
  seedGcpOrg(sim, { projects: 150, folders: 20, depth: 2, labels: { seeded: "yes" } });
  sim.configure({ limits: { maxPageSize: 20 } });
  const credentials = ZGcpCredentials.parse({ type: "service_account_key", key: demo.serviceAccount.keyFile });
  const adapter = createGcpAdapter({
    workspaceId: WS,
    egress: simulatorEgress(),
    endpoint: sim.url,
    credentials,
    facts: { organizationId: demo.orgId },
    retry: FAST_RETRY,
  });
  return { sim, demo, adapter };
}

function desiredFor(demo: GcpDemo): DesiredArtifact[] {
  const org = `organizations/${demo.orgId}`;
  const prod = demo.folders.Production ?? "";
  const ccId = gcpCustomConstraintId(WS, "nobasicroles");
  const cc: TGcpCustomConstraint = {
    name: `${org}/customConstraints/${ccId}`,
    resourceTypes: ["iam.googleapis.com/AllowPolicy"],
    methodTypes: ["CREATE", "UPDATE"],
    condition: "resource.bindings.exists(binding, RoleNameMatches(binding.role, ['roles/editor', 'roles/owner']))",
    actionType: "DENY",
    displayName: "Parapet: no basic role grants",
    description: `Refuses IAM allow policies that grant roles/editor, roles/owner. Owner: ${WS}`,
  };
  const locations: TGcpOrgPolicy = {
    name: `${prod}/policies/gcp.resourceLocations`,
    spec: { rules: [{ values: { allowedValues: ["europe-west1", "in:eu-locations"] } }] },
  };
  const onCustom: TGcpOrgPolicy = { name: `${prod}/policies/${ccId}`, spec: { rules: [{ enforce: true }] } };
  const deny: TGcpDenyPolicy = {
    name: denyName(prod, gcpDenyPolicyId(WS, prod)),
    displayName: "Parapet guardrails",
    labels: gcpOwnerLabels(WS),
    rules: [
      {
        description: "Agents cannot delete data, backups or keys",
        denyRule: {
          deniedPrincipals: ["principalSet://goog/group/agents@example.com"],
          exceptionPrincipals: ["principalSet://goog/group/break-glass@example.com"],
          deniedPermissions: ["storage.googleapis.com/buckets.delete", "cloudsql.googleapis.com/instances.delete"],
        },
      },
    ],
  };
  // The customer already enforces this one at the organization: Parapet adopts the shared slot.
  const sharedKeys: TGcpOrgPolicy = { name: `${org}/policies/iam.disableServiceAccountKeyCreation`, spec: { rules: [{ enforce: true }] } };
  const a = (kind: DesiredArtifact["kind"], body: { name: string }, attachments: string[]): DesiredArtifact => ({
    kind,
    name: body.name,
    body,
    attachments,
    guardrailIds: ["gr_contract"],
  });
  return [
    a("gcp.org-policy", locations, [prod]),
    a("gcp.custom-constraint", cc, [org]),
    a("gcp.org-policy", onCustom, [prod]),
    a("gcp.deny-policy", deny, [prod]),
    a("gcp.org-policy", sharedKeys, [org]),
  ];
}

describeContract({
  cloud: "gcp",
  async setup() {
    const { sim, demo, adapter } = await startWorld();
    const iam = denyPoliciesClient(sim.port, { token: demo.serviceAccount.token });
    const foreignName = denyName(`organizations/${demo.orgId}`, "parapet-foreign-copy");
    return {
      adapter,
      desired: desiredFor(demo),
      // Only a constraint that takes a dry run can be switched to dry-run only (see detach below).
      detachTarget: `${demo.folders.Production ?? ""}/policies/${gcpCustomConstraintId(WS, "nobasicroles")}`,
      minNodes: 1 + 25 + 180,
      oob: {
        async edit(o: ObservedArtifact) {
          const p = o.body as TGcpOrgPolicy;
          const allowed = p.spec?.rules[0]?.values?.allowedValues ?? [];
          sim.putOrgPolicy(o.name, { spec: { rules: [{ values: { allowedValues: [...allowed, "us-east1"] } }] } });
          return "weakened";
        },
        async detach(o: ObservedArtifact) {
          // The GCP way to take a policy out of force without deleting it: switch it to dry-run only
          // (possible on custom and managed constraints; GCP refuses it on legacy ones).
          sim.setOrgPolicyDryRunOnly(o.name);
        },
        async remove(o: ObservedArtifact) {
          sim.deleteOrgPolicy(o.name);
        },
        async createUnowned() {
          sim.putDenyPolicy(foreignName, {
            displayName: "Hand-made, named like Parapet's",
            rules: [
              {
                denyRule: {
                  deniedPrincipals: ["principalSet://goog/public:all"],
                  deniedPermissions: ["compute.googleapis.com/disks.delete"],
                },
              },
            ],
          });
          const [p] = await iam.getPolicy({ name: foreignName });
          return {
            kind: "gcp.deny-policy",
            name: foreignName,
            externalId: foreignName,
            body: normaliseDenyPolicy(p),
            attachments: [`organizations/${demo.orgId}`],
            owned: false,
          };
        },
        async readUnowned(o: ObservedArtifact) {
          const [p] = await iam.getPolicy({ name: o.externalId });
          return p;
        },
        async throttleStorm(on: boolean) {
          const tiny = { burst: 1, ratePerSec: 4 };
          sim.configure({ throttle: on ? { "orgpolicy.read": tiny, "iam.read": tiny, "crm.read": tiny } : false });
        },
      },
      async close() {
        await iam.close();
        await adapter.close();
        await sim.close();
      },
    };
  },
});

describe("gcp adapter beyond the contract", () => {
  let sim: GcpSim;
  let demo: GcpDemo;
  let adapter: CloudAdapter;
  let org: string;

  beforeAll(async () => {
    ({ sim, demo, adapter } = await startWorld());
    org = `organizations/${demo.orgId}`;
  });
  afterAll(async () => {
    await adapter.close();
    await sim.close();
  });

  const policy = (name: string, spec: TGcpOrgPolicy["spec"]): DesiredArtifact => ({
    kind: "gcp.org-policy",
    name,
    body: { name, spec },
    attachments: [name.split("/policies/")[0] ?? ""],
    guardrailIds: ["gr_x"],
  });

  it("observes steady state with at most one read per owned artifact and no writes", async () => {
    const desired = desiredFor(demo);
    await converge(adapter, desired);
    adapter.resetStats();
    const st = await adapter.observe({ expected: desired });
    expect(st.artifacts.filter((a) => a.owned)).toHaveLength(desired.length);
    // Two org policies on one folder share a ListPolicies; the rest are one Get each.
    expect(adapter.stats()).toMatchObject({
      reads: 4,
      writes: 0,
      byOperation: { "orgpolicy.ListPolicies": 1, "orgpolicy.GetPolicy": 1, "orgpolicy.GetCustomConstraint": 1, "iam.GetPolicy": 1 },
    });
  });

  it("discovers projects as environments with their labels, under their folders", async () => {
    const h = await adapter.discover();
    const payments = h.nodes.find((n) => n.name === "payments-prod");
    expect(payments).toMatchObject({ kind: "project", isEnvironment: true, parentExternalId: demo.folders.Production });
    expect(payments?.labels).toEqual({ env: "prod", data: "regulated", team: "payments" });
    expect(h.nodes.find((n) => n.externalId === demo.folders.Production)).toMatchObject({
      kind: "folder",
      isEnvironment: false,
      parentExternalId: org,
    });
    expect(adapter.stats().byOperation["crm.SearchProjects"]).toBeGreaterThan(1);
  });

  it("names the missing permissions of a read-only connector", async () => {
    const ro = createGcpAdapter({
      workspaceId: WS,
      egress: simulatorEgress(),
      endpoint: sim.url,
      credentials: { type: "access_token", accessToken: demo.readOnly.token },
      facts: { organizationId: demo.orgId },
      retry: FAST_RETRY,
    });
    try {
      const v = await ro.verify();
      expect(v.ok).toBe(false);
      expect(v.rootId).toBe(org);
      expect(v.missing).toContain("orgpolicy.policies.update");
      expect(v.missing).toContain("iam.denypolicies.create");
      expect(v.missing).not.toContain("orgpolicy.policies.list");
      // Custom constraints go over Parapet's own REST call, authenticated by the SDK's token client.
      const cc = `${org}/customConstraints/${gcpCustomConstraintId(WS, "absent")}`;
      expect(await ro.observe({ expected: [{ kind: "gcp.custom-constraint", name: cc }] })).toEqual({
        artifacts: [],
        foreignSlots: {},
        unreadable: [],
      });
    } finally {
      await ro.close();
    }
  });

  it("reports bad credentials as an auth failure, not a crash", async () => {
    const bad = createGcpAdapter({
      workspaceId: WS,
      egress: simulatorEgress(),
      endpoint: sim.url,
      credentials: { type: "access_token", accessToken: "not-a-real-token" },
      facts: { organizationId: demo.orgId },
      retry: FAST_RETRY,
    });
    try {
      const v = await bad.verify();
      expect(v.ok).toBe(false);
      expect(v.error).toMatch(/credentials/);
      const err = await bad.discover().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isProviderError(err) && err.kind === "auth" && !err.retryable).toBe(true);
    } finally {
      await bad.close();
    }
  });

  it("merges its rules into the customer's policy on the same constraint and keeps theirs", async () => {
    // The demo customer allows only in:eu-locations at the organization.
    const name = `${org}/policies/gcp.resourceLocations`;
    const ours = policy(name, { rules: [{ values: { deniedValues: ["in:asia-locations"] } }] });
    await adapter.apply({ op: "create", artifact: ours, reason: "test" });
    const st = await adapter.observe({ expected: [ours] });
    const o = st.artifacts[0];
    expect(o?.body).toEqual({
      name,
      spec: { rules: [{ values: { allowedValues: ["in:eu-locations"], deniedValues: ["in:asia-locations"] } }] },
    });
    expect(adapter.compare(ours, o!)).toEqual({ equal: true });
    // Removing the customer's own allow list is not Parapet's business, and re-applying keeps it.
    expect((await adapter.apply({ op: "update", artifact: ours, externalId: name, reason: "test" })).noop).toBe(true);
  });

  it("refuses to override a customer's enforce:false, naming the conflict, and leaves it alone", async () => {
    const name = `${demo.folders["Non-Production"]}/policies/compute.requireOsLogin`;
    sim.putOrgPolicy(name, { spec: { rules: [{ enforce: false }] } });
    const err = await adapter.apply({ op: "create", artifact: policy(name, { rules: [{ enforce: true }] }), reason: "test" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isProviderError(err)).toBe(true);
    if (isProviderError(err)) {
      expect(err).toMatchObject({ kind: "conflict", code: "CUSTOMER_POLICY_CONFLICT", retryable: false });
      expect(err.message).toMatch(/enforce: false/);
    }
    const [stillOff] = (await adapter.observe({ expected: [{ kind: "gcp.org-policy", name }] })).artifacts;
    expect(stillOff?.body).toEqual({ name, spec: { rules: [{ enforce: false }] } });
  });

  const bodyOf = async (name: string) =>
    (await adapter.observe({ expected: [{ kind: "gcp.org-policy", name }] })).artifacts[0]?.body as TGcpOrgPolicy | undefined;

  it("is refused a dry run on a legacy constraint, as GCP refuses it, and the customer's policy stays as it was", async () => {
    // Parapet's compilers never ask for this (gcp/dry-run.ts keeps audit-mode rules of legacy constraints
    // compiled but unattached); if a desired state ever did, the cloud's refusal reaches reconcile as a
    // validation error that is not retried.
    const name = `${demo.folders.Sandbox}/policies/compute.vmExternalIpAccess`;
    const customer = { values: { deniedValues: ["projects/c/zones/z/instances/customer"] } };
    sim.putOrgPolicy(name, { spec: { rules: [customer] } });
    const audit: DesiredArtifact = {
      kind: "gcp.org-policy",
      name,
      body: { name, dryRunSpec: { rules: [{ values: { deniedValues: ["projects/c/zones/z/instances/parapet"] } }] } },
      attachments: [demo.folders.Sandbox!],
      guardrailIds: ["gr_mode"],
    };
    const err = await adapter.apply({ op: "update", artifact: audit, externalId: name, reason: "to audit" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isProviderError(err)).toBe(true);
    if (isProviderError(err)) {
      expect(err).toMatchObject({ kind: "invalid", retryable: false });
      expect(err.message).toMatch(/does not support dry-run/);
    }
    expect(await bodyOf(name)).toEqual({ name, spec: { rules: [customer] } });
  });

  it("moves its rule between spec and dryRunSpec when a guardrail switches mode (a managed constraint, which takes a dry run)", async () => {
    // A boolean constraint in a slot Parapet has alone: the policy ends up dry-run only, and back.
    const boolName = `${demo.folders.Sandbox}/policies/compute.managed.requireOsLogin`;
    const on: DesiredArtifact = {
      kind: "gcp.org-policy",
      name: boolName,
      body: { name: boolName, spec: { rules: [{ enforce: true }] } },
      attachments: [demo.folders.Sandbox!],
      guardrailIds: ["gr_mode"],
    };
    const dry: DesiredArtifact = { ...on, body: { name: boolName, dryRunSpec: { rules: [{ enforce: true }] } } };
    await adapter.apply({ op: "create", artifact: on, reason: "enforce" });
    const [o1] = (await adapter.observe({ expected: [dry] })).artifacts;
    expect(adapter.compare(dry, o1!).equal).toBe(false);
    await adapter.apply({ op: "update", artifact: dry, externalId: boolName, previous: on.body, reason: "to audit" });
    expect(await bodyOf(boolName)).toEqual({ name: boolName, dryRunSpec: { rules: [{ enforce: true }] } });
    const [o2] = (await adapter.observe({ expected: [dry] })).artifacts;
    expect(adapter.compare(dry, o2!)).toEqual({ equal: true });
    await adapter.apply({ op: "update", artifact: on, externalId: boolName, previous: dry.body, reason: "to enforce" });
    expect(await bodyOf(boolName)).toEqual({ name: boolName, spec: { rules: [{ enforce: true }] } });
    expect((await adapter.apply({ op: "update", artifact: on, externalId: boolName, previous: on.body, reason: "again" })).noop).toBe(true);
  });

  it("takes back only its own rules from a shared org policy, and deletes a policy that held nothing else", async () => {
    const folder = demo.folders.Platform!;
    // Shared: the customer's denied value and conditional rule stay; Parapet's denied value goes.
    const shared = `${folder}/policies/gcp.resourceLocations`;
    const conditional = { condition: { expression: "resource.matchTag('123/env', 'lab')" }, allowAll: true };
    sim.putOrgPolicy(shared, { spec: { rules: [{ values: { deniedValues: ["in:us-locations"] } }, conditional] } });
    const ours: TGcpOrgPolicy = { name: shared, spec: { rules: [{ values: { deniedValues: ["in:asia-locations"] } }] } };
    await adapter.apply({ op: "update", artifact: policy(shared, ours.spec), externalId: shared, reason: "enforce" });
    expect((await bodyOf(shared))?.spec?.rules).toContainEqual({ values: { deniedValues: ["in:asia-locations", "in:us-locations"] } });
    // The cleanup a reconcile plans for a guardrail that is gone: detach (at its node), then delete.
    expect(
      await adapter.apply({
        op: "detach",
        kind: "gcp.org-policy",
        name: shared,
        externalId: shared,
        target: folder,
        previous: ours,
        reason: "cleanup",
      }),
    ).toEqual({ externalId: shared });
    expect(
      await adapter.apply({ op: "delete", kind: "gcp.org-policy", name: shared, externalId: shared, previous: ours, reason: "cleanup" }),
    ).toEqual({ externalId: shared, noop: true });
    const left = await bodyOf(shared);
    expect(left?.spec?.rules).toHaveLength(2);
    expect(left?.spec?.rules).toContainEqual({ values: { deniedValues: ["in:us-locations"] } });
    expect(left?.spec?.rules).toContainEqual(conditional);

    // Parapet's alone (created in an empty slot, in enforce and audit): deleted, nothing left behind.
    const alone = `${folder}/policies/compute.managed.requireOsLogin`;
    const mine: TGcpOrgPolicy = { name: alone, spec: { rules: [{ enforce: true }] }, dryRunSpec: { rules: [{ enforce: true }] } };
    await adapter.apply({ op: "create", artifact: { ...policy(alone, mine.spec), body: mine }, reason: "create" });
    expect(await bodyOf(alone)).toEqual(mine);
    expect(
      await adapter.apply({ op: "delete", kind: "gcp.org-policy", name: alone, externalId: alone, previous: mine, reason: "cleanup" }),
    ).toEqual({ externalId: alone });
    expect(await bodyOf(alone)).toBeUndefined();
    expect(
      await adapter.apply({ op: "delete", kind: "gcp.org-policy", name: alone, externalId: alone, previous: mine, reason: "again" }),
    ).toEqual({ noop: true });
  });

  it("refuses to change a shared org policy it has no record of, and deletes one on its own custom constraint", async () => {
    const shared = `${org}/policies/iam.disableServiceAccountKeyCreation`;
    const err = await adapter.apply({ op: "delete", kind: "gcp.org-policy", name: shared, externalId: shared, reason: "test" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isProviderError(err) && err.code === "NOT_OWNED").toBe(true);
    expect((await adapter.observe({ expected: [{ kind: "gcp.org-policy", name: shared }] })).artifacts).toHaveLength(1);

    const ccName = `${org}/customConstraints/${gcpCustomConstraintId(WS, "nopublicbuckets")}`;
    const cc: DesiredArtifact = {
      kind: "gcp.custom-constraint",
      name: ccName,
      attachments: [org],
      guardrailIds: ["gr_x"],
      body: {
        name: ccName,
        resourceTypes: ["storage.googleapis.com/Bucket"],
        methodTypes: ["CREATE", "UPDATE"],
        condition: "resource.iamConfiguration.publicAccessPrevention != 'enforced'",
        actionType: "DENY",
        displayName: "Parapet: no public buckets",
        description: `Owner: ${WS}`,
      },
    };
    await adapter.apply({ op: "create", artifact: cc, reason: "test" });
    expect((await adapter.apply({ op: "create", artifact: cc, reason: "again" })).noop).toBe(true);
    const onCc = `${demo.folders.Sandbox}/policies/${ccName.split("/").pop()}`;
    await adapter.apply({ op: "create", artifact: policy(onCc, { rules: [{ enforce: true }] }), reason: "test" });
    expect(await adapter.apply({ op: "delete", kind: "gcp.org-policy", name: onCc, externalId: onCc, reason: "test" })).toEqual({
      externalId: onCc,
    });
    expect(await adapter.apply({ op: "delete", kind: "gcp.org-policy", name: onCc, externalId: onCc, reason: "again" })).toEqual({
      noop: true,
    });
    expect(await adapter.apply({ op: "delete", kind: "gcp.custom-constraint", name: ccName, externalId: ccName, reason: "test" })).toEqual({
      externalId: ccName,
    });
    expect((await adapter.observe({ expected: [{ kind: "gcp.custom-constraint", name: ccName }] })).artifacts).toEqual([]);
  });

  it("keeps both writers' rules when two updates race on one policy (etag conflict → re-read → re-merge)", async () => {
    const name = `${demo.folders.Platform}/policies/compute.vmExternalIpAccess`;
    sim.putOrgPolicy(name, { spec: { rules: [{ values: { deniedValues: ["projects/p/zones/z/instances/customer"] } }] } });
    const a = policy(name, { rules: [{ values: { deniedValues: ["projects/p/zones/z/instances/a"] } }] });
    const b = policy(name, { rules: [{ values: { deniedValues: ["projects/p/zones/z/instances/b"] } }] });
    await Promise.all([
      adapter.apply({ op: "update", artifact: a, externalId: name, reason: "a" }),
      adapter.apply({ op: "update", artifact: b, externalId: name, reason: "b" }),
    ]);
    const [o] = (await adapter.observe({ expected: [a] })).artifacts;
    expect((o?.body as TGcpOrgPolicy).spec?.rules[0]?.values?.deniedValues).toEqual([
      "projects/p/zones/z/instances/a",
      "projects/p/zones/z/instances/b",
      "projects/p/zones/z/instances/customer",
    ]);
  });

  it("sees every transient failure itself (SDK retries off) and retries it with backoff", async () => {
    const expected = demo.customerPolicies.map((name) => ({ kind: "gcp.org-policy" as const, name }));
    sim.configure({ faults: { errorRate: 0.3 } });
    adapter.resetStats();
    try {
      for (let i = 0; i < 10; i++) {
        const st = await adapter.observe({ expected, targets: [org] });
        expect(st.unreadable).toEqual([]);
        expect(st.artifacts.map((x) => x.name).sort()).toEqual([...demo.customerPolicies].sort());
      }
    } finally {
      sim.configure({ faults: { errorRate: 0 } });
    }
    expect(adapter.stats().errors).toBeGreaterThan(0);
  });

  it("counts deny-policy slots held by others only where its deny policy is still to be created, and marks failed reads unreadable", async () => {
    const toCreate = denyName(org, gcpDenyPolicyId(WS, "not-yet"));
    const st = await adapter.observe({ expected: [{ kind: "gcp.deny-policy", name: toCreate, attachments: [org] }], targets: [org] });
    expect(st.foreignSlots[org]).toEqual({ "gcp.deny-policy": 1 });
    // Where the expected deny policy exists, nothing new takes a slot: no read.
    const existing = desiredFor(demo).find((d) => d.kind === "gcp.deny-policy")!;
    const prod = demo.folders.Production!;
    adapter.resetStats();
    const steady = await adapter.observe({ expected: [existing], targets: [prod] });
    expect(steady.foreignSlots).toEqual({});
    expect(adapter.stats().byOperation["iam.ListPolicies"]).toBeUndefined();
    const ghost = `folders/999999/policies/gcp.resourceLocations`;
    const bad = await adapter.observe({ expected: [{ kind: "gcp.org-policy", name: ghost }] });
    expect(bad.artifacts).toEqual([]);
    expect(bad.unreadable).toHaveLength(1);
    expect(bad.unreadable[0]).toMatchObject({ kind: "gcp.org-policy", name: ghost });
  });
});
