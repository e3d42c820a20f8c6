import { createServer, request as httpRequest, type Server } from "node:http";
import { simulatorEgress } from "../egress/index.ts";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OCI_THROTTLE, startOciSim, type Actor, type OciDemoResult, type OciSim } from "@parapet/cloud-sim/oci/index";
import { describeContract } from "../contract/contract-suite.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { createOciAdapter, type OciAdapterConfig, type TOciCredentials } from "./adapter.ts";
import { ociArtifactName, ociOwnerTags } from "./markers.ts";
import { DENY_STATEMENTS_PERMISSION } from "./permissions.ts";

const WS = "ws_oci_contract";
const FAST_RETRY = { attempts: 10, baseMs: 50, maxMs: 2_000 };

function credsOf(c: { tenancyId: string; userId: string; fingerprint: string; privateKeyPem?: string }): TOciCredentials {
  if (!c.privateKeyPem) throw new Error("the simulator generated no private key");
  return { tenancyId: c.tenancyId, userId: c.userId, fingerprint: c.fingerprint, privateKeyPem: c.privateKeyPem, region: "eu-frankfurt-1" };
}

function adapterFor(sim: OciSim, credentials: TOciCredentials, extra: Partial<OciAdapterConfig> = {}): CloudAdapter {
  return createOciAdapter({ workspaceId: WS, egress: simulatorEgress(), credentials, endpoint: sim.url, retry: FAST_RETRY, ...extra });
}

function cmp(demo: OciDemoResult, path: string): string {
  const id = demo.compartments[path];
  if (!id) throw new Error(`demo has no compartment ${path}`);
  return id;
}

function policyArtifact(compartmentId: string, statements: string[], chunk = 0): DesiredArtifact {
  const name = ociArtifactName(WS, `${compartmentId}|${chunk}`);
  return {
    kind: "oci.policy",
    name,
    body: { name, description: "Parapet guardrails: g-agents-no-delete", compartmentId, statements, freeformTags: ociOwnerTags(WS) },
    attachments: [compartmentId],
    guardrailIds: ["g-agents-no-delete"],
  };
}

function zoneArtifact(compartmentId: string, securityPolicyNames: string[], suffix: string): DesiredArtifact {
  const name = `parapet-zone-${suffix}`;
  return {
    kind: "oci.security-zone",
    name,
    body: { displayName: name, compartmentId, securityPolicyNames, workspaceId: WS },
    attachments: [compartmentId],
    guardrailIds: ["g-no-public-buckets"],
  };
}

const denyDeletes = (compartmentId: string): string[] => [
  `deny group Agents to manage buckets in compartment id ${compartmentId} where request.permission = 'BUCKET_DELETE'`,
  `deny group Agents to manage objects in compartment id ${compartmentId} where request.permission = 'OBJECT_DELETE'`,
];

const human = (sim: OciSim): Actor => ({ principalId: sim.humanUserId, via: "admin" });

const STORM = {
  "identity-read": { burst: 1, ratePerSec: 4 },
  "identity-write": { burst: 1, ratePerSec: 4 },
  "cloudguard-read": { burst: 1, ratePerSec: 4 },
  "cloudguard-write": { burst: 1, ratePerSec: 4 },
};

describeContract({
  cloud: "oci",
  async setup() {
    const sim = await startOciSim({ seed: 11 });
    const demo = sim.seedDemo();
    // More compartments than one page of 1000 holds, so discovery has to follow opc-next-page.
    sim.seed({ compartments: 1_100, depth: 3, tags: true });
    const adapter = adapterFor(sim, credsOf(demo.credentials));
    const data = cmp(demo, "Prod/Data");
    const prod = cmp(demo, "Prod");
    // The zone comes first: the suite detaches the first artifact with attachments, and a zone can be
    // taken off a compartment whereas an IAM policy cannot leave the compartment it lives in.
    const desired = [
      zoneArtifact(data, ["deny buckets_without_vault_key", "deny public_buckets"], "contract"),
      policyArtifact(prod, denyDeletes(prod)),
    ];
    const zonesOf = (recipeId: string) => [...sim.store.zones.values()].filter((z) => z.securityZoneRecipeId === recipeId);
    return {
      adapter,
      desired,
      minNodes: 1 + 10 + 1_100,
      oob: {
        async edit(a: ObservedArtifact) {
          const r = sim.store.getRecipe(a.externalId);
          sim.store.updateRecipe(a.externalId, { securityPolicies: r.securityPolicies.slice(0, 1) }, undefined, human(sim));
          return "weakened" as const;
        },
        async detach(a: ObservedArtifact) {
          for (const z of zonesOf(a.externalId)) sim.human.deleteSecurityZone(z.id);
        },
        async remove(a: ObservedArtifact) {
          for (const z of zonesOf(a.externalId)) sim.human.deleteSecurityZone(z.id);
          sim.store.deleteRecipe(a.externalId, undefined, human(sim));
        },
        async createUnowned() {
          const p = sim.human.createPolicy({
            compartmentId: sim.tenancyId,
            name: "parapet-lookalike-audit",
            description: "The customer's own policy, named like Parapet's",
            statements: ["Allow group Auditors to read all-resources in tenancy"],
            freeformTags: { "parapet-managed": "some-other-workspace" },
          });
          return { kind: "oci.policy" as const, name: p.name, externalId: p.id, body: {}, attachments: [p.compartmentId], owned: false };
        },
        async readUnowned(a: ObservedArtifact) {
          return structuredClone(sim.store.getPolicy(a.externalId));
        },
        async throttleStorm(on: boolean) {
          sim.configure({ throttle: on ? STORM : DEFAULT_OCI_THROTTLE });
        },
      },
      async close() {
        await adapter.close();
        await sim.close();
      },
    };
  },
});

describe("oci adapter against the simulator", () => {
  let sim: OciSim;
  let demo: OciDemoResult;
  let adapter: CloudAdapter;

  beforeAll(async () => {
    sim = await startOciSim({ seed: 23, throttle: false });
    demo = sim.seedDemo();
    adapter = adapterFor(sim, credsOf(demo.credentials));
  });
  afterAll(async () => {
    await adapter?.close();
    await sim?.close();
  });

  it("discovers compartments with tag labels and counts only leaf compartments as environments", async () => {
    const h = await adapter.discover();
    expect(h.rootExternalId).toBe(demo.credentials.tenancyId);
    const byName = new Map(h.nodes.map((n) => [n.name, n]));
    const root = h.nodes.find((n) => n.externalId === h.rootExternalId);
    expect(root).toMatchObject({ kind: "tenancy", name: "acme-corp", parentExternalId: null, isEnvironment: false });
    expect(byName.get("Prod")).toMatchObject({ kind: "compartment", isEnvironment: false, labels: { env: "prod" } });
    expect(byName.get("Data")).toMatchObject({
      isEnvironment: true,
      parentExternalId: cmp(demo, "Prod"),
      labels: { env: "prod", data: "regulated" },
    });
    expect(byName.get("AI-Agents")?.labels).toEqual({ agent: "true", env: "sandbox" });
    expect(
      h.nodes
        .filter((n) => n.isEnvironment)
        .map((n) => n.name)
        .sort(),
    ).toEqual(["AI-Agents", "App", "Data", "Dev", "Network", "Sandbox", "Security", "Test"].sort());
  });

  it("follows every page of a paged compartment listing", async () => {
    sim.seed({ compartments: 25, depth: 2 });
    const small = adapterFor(sim, credsOf(demo.credentials), { pageLimit: 7 });
    small.resetStats();
    const h = await small.discover();
    expect(h.nodes.length).toBe(1 + 10 + 25);
    expect(small.stats().byOperation.ListCompartments).toBe(Math.ceil(35 / 7));
    await small.close();
  });

  it("classifies policy drift: a removed statement weakens, an added one modifies, customer tags are no drift", async () => {
    const dev = cmp(demo, "NonProd/Dev");
    const d = policyArtifact(dev, denyDeletes(dev));
    const { externalId } = await adapter.apply({ op: "create", artifact: d, reason: "test" });
    expect(externalId).toMatch(/^ocid1\.policy\./);
    const observe = async () =>
      (await adapter.observe({ expected: [{ kind: d.kind, name: d.name, attachments: d.attachments }] })).artifacts[0]!;
    expect(adapter.compare(d, await observe())).toEqual({ equal: true });

    sim.human.editPolicy(externalId!, { freeformTags: { "parapet-managed": WS, "cost-center": "42" } });
    expect(adapter.compare(d, await observe())).toEqual({ equal: true });

    const stmts = (d.body as { statements: string[] }).statements;
    sim.human.editPolicy(externalId!, { statements: [...stmts, "Allow group Agents to read buckets in compartment Dev"] });
    const added = adapter.compare(d, await observe());
    expect(added).toMatchObject({ equal: false, kind: "modified" });

    sim.human.editPolicy(externalId!, { statements: [stmts[0]!.replace("BUCKET_DELETE", "BUCKET_UPDATE"), stmts[1]!] });
    const weakened = adapter.compare(d, await observe());
    expect(weakened).toMatchObject({ equal: false, kind: "weakened" });
    if (!weakened.equal) expect(weakened.detail).toContain("BUCKET_DELETE");

    await adapter.apply({ op: "update", artifact: d, externalId: externalId!, reason: "repair" });
    expect(adapter.compare(d, await observe())).toEqual({ equal: true });
    // The repair wrote Parapet's fields only; the customer's tag stayed.
    expect(sim.store.getPolicy(externalId!).freeformTags).toEqual({ "parapet-managed": WS, "cost-center": "42" });
  });

  it("create adopts its own policy left by an interrupted run, and refuses one that is not its own", async () => {
    const test = cmp(demo, "NonProd/Test");
    const d = policyArtifact(test, denyDeletes(test));
    const first = await adapter.apply({ op: "create", artifact: d, reason: "test" });
    adapter.resetStats();
    const again = await adapter.apply({ op: "create", artifact: d, reason: "retry after a crash" });
    expect(again.externalId).toBe(first.externalId);
    expect(adapter.stats().byOperation.UpdatePolicy ?? 0).toBe(0);
    expect([...sim.store.policies.values()].filter((p) => p.name === d.name)).toHaveLength(1);

    sim.human.editPolicy(first.externalId!, { freeformTags: { "parapet-managed": "another-workspace" } });
    const err = await adapter.apply({ op: "create", artifact: d, reason: "test" }).catch((e: unknown) => e);
    expect(isProviderError(err) && err.code).toBe("NOT_OWNED");
    const del = await adapter
      .apply({ op: "delete", kind: d.kind, name: d.name, externalId: first.externalId!, reason: "test" })
      .catch((e: unknown) => e);
    expect(isProviderError(del) && del.kind === "invalid" && del.code).toBe("NOT_OWNED");
    expect(sim.store.getPolicy(first.externalId!).name).toBe(d.name);
  });

  it("deletes idempotently and treats an already-gone policy as done", async () => {
    const sandbox = cmp(demo, "Sandbox");
    const d = policyArtifact(sandbox, denyDeletes(sandbox));
    const { externalId } = await adapter.apply({ op: "create", artifact: d, reason: "test" });
    expect(
      await adapter.apply({ op: "detach", kind: d.kind, name: d.name, externalId: externalId!, target: sandbox, reason: "cleanup" }),
    ).toMatchObject({ noop: true });
    expect(await adapter.apply({ op: "delete", kind: d.kind, name: d.name, externalId: externalId!, reason: "cleanup" })).toEqual({
      externalId,
    });
    expect(await adapter.apply({ op: "delete", kind: d.kind, name: d.name, externalId: externalId!, reason: "cleanup" })).toEqual({
      noop: true,
    });
    const state = await adapter.observe({ expected: [{ kind: d.kind, name: d.name, externalId, attachments: [sandbox] }] });
    expect(state.artifacts).toEqual([]);
    expect(state.unreadable).toEqual([]);
  });

  it("never takes over a compartment that is already in a customer's security zone", async () => {
    const app = cmp(demo, "Prod/App");
    const maxRecipe = [...sim.store.recipes.values()].find((r) => r.owner === "ORACLE")!;
    const customerZone = sim.store.createZone(
      { displayName: "customer-app-zone", compartmentId: app, securityZoneRecipeId: maxRecipe.id },
      human(sim),
    );
    const z = zoneArtifact(app, ["deny public_buckets"], "app");
    const err = await adapter.apply({ op: "create", artifact: z, reason: "test" }).catch((e: unknown) => e);
    expect(isProviderError(err) && err.code).toBe("CUSTOMER_ZONE_CONFLICT");
    expect(isProviderError(err) && err.retryable).toBe(false);
    expect(sim.store.getZone(customerZone.id).securityZoneRecipeId).toBe(maxRecipe.id);
    const state = await adapter.observe({
      expected: [{ kind: z.kind, name: z.name, attachments: [app] }],
      targets: [app, cmp(demo, "Prod")],
    });
    const o = state.artifacts[0]!;
    expect(o.attachments).toEqual([]);
    // A compartment holds one security zone: the customer's takes Prod/App's only slot.
    expect(state.foreignSlots).toEqual({ [app]: { "oci.security-zone": 1 } });
    // The customer's zone on the compartment uses another recipe: detaching ours from it is a no-op.
    expect(
      await adapter.apply({ op: "detach", kind: z.kind, name: z.name, externalId: o.externalId, target: app, reason: "test" }),
    ).toEqual({ noop: true });
    expect(await adapter.apply({ op: "delete", kind: z.kind, name: z.name, externalId: o.externalId, reason: "test" })).toEqual({
      externalId: o.externalId,
    });
    expect(sim.store.getZone(customerZone.id).lifecycleState).toBe("ACTIVE");
  });

  it("serves a second compartment from the same recipe with a zone of its own name, and detaches it again", async () => {
    const dev = cmp(demo, "NonProd/Dev");
    const test = cmp(demo, "NonProd/Test");
    const z = zoneArtifact(dev, ["deny db_instance_public_access"], "shared");
    const { externalId } = await adapter.apply({ op: "create", artifact: z, reason: "test" });
    expect(
      await adapter.apply({ op: "attach", kind: z.kind, name: z.name, externalId: externalId!, target: dev, reason: "dup" }),
    ).toMatchObject({ noop: true });
    // The planner attaches a just-created artifact by name (externalId ""): found beside its zone.
    expect(await adapter.apply({ op: "attach", kind: z.kind, name: z.name, externalId: "", target: dev, reason: "by name" })).toMatchObject(
      { noop: true },
    );
    const byName = await adapter
      .apply({ op: "attach", kind: z.kind, name: z.name, externalId: "", target: test, reason: "by name" })
      .catch((e: unknown) => e);
    expect(isProviderError(byName) && byName.kind).toBe("not_found");
    await adapter.apply({ op: "attach", kind: z.kind, name: z.name, externalId: externalId!, target: test, reason: "second compartment" });
    const names = [...sim.store.zones.values()]
      .filter((x) => x.securityZoneRecipeId === externalId)
      .map((x) => x.displayName)
      .sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(z.name);
    expect(names[1]).toMatch(new RegExp(`^${z.name}-[0-9a-f]{12}$`));
    const o = (await adapter.observe({ expected: [{ kind: z.kind, name: z.name, attachments: [dev] }] })).artifacts[0]!;
    expect(o.attachments).toEqual([dev, test].sort());
    await adapter.apply({ op: "detach", kind: z.kind, name: z.name, externalId: externalId!, target: test, reason: "no longer desired" });
    expect(
      await adapter.apply({ op: "detach", kind: z.kind, name: z.name, externalId: externalId!, target: test, reason: "again" }),
    ).toEqual({ noop: true });
    const after = (await adapter.observe({ expected: [{ kind: z.kind, name: z.name, attachments: [dev] }] })).artifacts[0]!;
    expect(after.attachments).toEqual([dev]);
  });

  it("refuses a policy over OCI's statement limit before calling OCI", async () => {
    const app = cmp(demo, "Prod/App");
    const many = Array.from({ length: 51 }, (_, i) => `Allow group G${i} to read buckets in compartment id ${app}`);
    adapter.resetStats();
    const err = await adapter.apply({ op: "create", artifact: policyArtifact(app, many), reason: "test" }).catch((e: unknown) => e);
    expect(isProviderError(err) && [err.kind, err.code]).toEqual(["limit", "STATEMENTS_PER_POLICY"]);
    expect(adapter.stats().writes).toBe(0);
  });

  it("refuses to detach a zone a human created with Parapet's recipe", async () => {
    const security = cmp(demo, "Security");
    const z = zoneArtifact(security, ["deny public_buckets"], "security");
    const { externalId } = await adapter.apply({ op: "create", artifact: z, reason: "test" });
    const network = cmp(demo, "Network");
    sim.store.createZone({ displayName: "human-network-zone", compartmentId: network, securityZoneRecipeId: externalId }, human(sim));
    const o = (await adapter.observe({ expected: [{ kind: z.kind, name: z.name, attachments: [security] }] })).artifacts[0]!;
    expect(o.attachments).toEqual([network, security].sort());
    const err = await adapter
      .apply({ op: "detach", kind: z.kind, name: z.name, externalId: externalId!, target: network, reason: "unexpected attachment" })
      .catch((e: unknown) => e);
    expect(isProviderError(err) && err.code).toBe("NOT_OWNED");
    const del = await adapter
      .apply({ op: "delete", kind: z.kind, name: z.name, externalId: externalId!, reason: "cleanup" })
      .catch((e: unknown) => e);
    expect(isProviderError(del) && del.code).toBe("RECIPE_IN_USE");
    expect(sim.store.getRecipe(externalId!).lifecycleState).toBe("ACTIVE");
  });

  it("observes with one list per compartment of policies and two reads for all zones", async () => {
    const prod = cmp(demo, "Prod");
    const data = cmp(demo, "Prod/Data");
    const desired = [
      policyArtifact(prod, denyDeletes(prod)),
      policyArtifact(data, denyDeletes(data)),
      zoneArtifact(data, ["deny public_buckets"], "data-count"),
    ];
    for (const d of desired) await adapter.apply({ op: "create", artifact: d, reason: "test" });
    await adapter.observe({ expected: desired.slice(2) }); // warms the security-policy catalogue
    adapter.resetStats();
    const state = await adapter.observe({ expected: desired });
    expect(state.artifacts.map((a) => a.name).sort()).toEqual(desired.map((d) => d.name).sort());
    for (const d of desired)
      expect(
        adapter.compare(
          d,
          state.artifacts.find((a) => a.name === d.name)!,
        ),
      ).toEqual({ equal: true });
    const s = adapter.stats();
    expect(s.byOperation).toEqual({ ListPolicies: 2, ListSecurityRecipes: 1, ListSecurityZones: 1 });
    expect(s.writes).toBe(0);
  });

  it("reports reads it may not make as unreadable, never as missing", async () => {
    const limited = sim.createUser({ permissions: ["GetTenancy", "ListCompartments", "ListSecurityPolicies"] });
    const a = adapterFor(sim, credsOf(limited), { retry: { attempts: 2, baseMs: 1, maxMs: 1 } });
    const prod = cmp(demo, "Prod");
    const data = cmp(demo, "Prod/Data");
    const state = await a.observe({
      expected: [policyArtifact(prod, denyDeletes(prod)), zoneArtifact(data, ["deny public_buckets"], "unreadable")],
    });
    expect(state.artifacts).toEqual([]);
    expect(state.unreadable.map((u) => [u.kind, u.target])).toEqual([
      ["oci.policy", prod],
      ["oci.security-zone", data],
    ]);
    await a.close();
  });

  it("verify names the missing grants in OCI policy terms", async () => {
    const readOnly = sim.createUser({
      permissions: [
        "GetTenancy",
        "ListCompartments",
        "ListPolicies",
        "ListSecurityPolicies",
        "ListSecurityRecipes",
        "ListTargets",
        "ListSecurityZones",
        "ListEvents",
        "ListUserGroupMemberships",
        "ListGroups",
      ],
    });
    const a = adapterFor(sim, credsOf(readOnly));
    const v = await a.verify();
    expect(v.ok).toBe(false);
    expect(v.rootId).toBe(demo.credentials.tenancyId);
    expect(v.identity).toBe(readOnly.userId);
    expect(v.missing.sort()).toEqual([
      "manage policies in tenancy",
      "manage security-recipe in tenancy",
      "manage security-zone in tenancy",
      DENY_STATEMENTS_PERMISSION,
    ]);
    expect(v.checks.find((c) => c.permission === "inspect compartments in tenancy")?.ok).toBe(true);
    // Write probes are built to fail validation, so verifying never creates anything.
    expect(sim.summary()).toMatchObject({ policies: sim.store.policies.size });
    await a.close();
  });

  it("verify finds the tenancy's deny-policy guard and names the exact statement change; applying it lets deny guardrails deploy", async () => {
    const connector = sim.createUser({ name: "parapet-connector@acme.example", groups: ["ParapetConnector"] });
    const a = adapterFor(sim, credsOf(connector), { retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    try {
      const sandbox = cmp(demo, "Sandbox");
      const d = policyArtifact(sandbox, denyDeletes(sandbox), 7);
      // OCI refuses the deny statements while the guard does not except the connector.
      const refused = await a.apply({ op: "create", artifact: d, reason: "test" }).catch((e: unknown) => e);
      expect(isProviderError(refused) && refused.code).toBe("NotAuthorizedOrNotFound");
      const v = await a.verify();
      expect(v.ok).toBe(false);
      expect(v.missing).toEqual([DENY_STATEMENTS_PERMISSION]);
      const guard = [...sim.store.policies.values()].find(
        (p) => p.compartmentId === demo.credentials.tenancyId && /target\.policy\.type/.test(p.statements.join()),
      )!;
      const before = guard.statements[0]!;
      const after = before.replace(/\}$/, `, request.principal.id!='${connector.userId}'}`);
      const detail = v.checks.find((c) => c.permission === DENY_STATEMENTS_PERMISSION)?.detail ?? "";
      expect(detail).toContain(`replace the statement "${before}" with "${after}"`);
      expect(detail).toContain(guard.id);
      sim.human.editPolicy(guard.id, { statements: [after] });
      expect((await a.verify()).ok).toBe(true);
      const created = await a.apply({ op: "create", artifact: d, reason: "test" });
      expect(sim.store.getPolicy(created.externalId!).statements).toEqual(d.body && (d.body as { statements: string[] }).statements);
    } finally {
      await a.close();
    }
  });

  it("never places a security zone over a customer's Cloud Guard target (Cloud Guard would delete it), and writes nothing", async () => {
    const target = sim.human.createCloudGuardTarget(cmp(demo, "NonProd/Test"), "test-monitoring");
    const z = zoneArtifact(cmp(demo, "NonProd"), ["deny public_buckets"], "over-target");
    const before = { recipes: sim.store.recipes.size, zones: sim.store.zones.size };
    const e = await adapter.apply({ op: "create", artifact: z, reason: "test" }).catch((x: unknown) => x);
    expect(isProviderError(e) && e.code).toBe("CLOUD_GUARD_TARGETS");
    expect(isProviderError(e) && e.message).toContain(`'test-monitoring' (${target.id})`);
    expect({ recipes: sim.store.recipes.size, zones: sim.store.zones.size }).toEqual(before);
    expect(sim.store.targets.has(target.id)).toBe(true);
    // A sibling compartment with no target below it gets its zone.
    const ok = await adapter.apply({
      op: "create",
      artifact: zoneArtifact(cmp(demo, "Sandbox"), ["deny public_buckets"], "no-target"),
      reason: "test",
    });
    expect(ok.externalId).toMatch(/^ocid1\.securityzonessecurityrecipe\./);
    expect(sim.store.targets.has(target.id)).toBe(true);
  });

  it("verify reports a key OCI does not know as an authentication error", async () => {
    const stranger = sim.createUser({});
    const wrongKey = { ...credsOf(demo.credentials), privateKeyPem: stranger.privateKeyPem! };
    const a = adapterFor(sim, wrongKey);
    const v = await a.verify();
    expect(v.ok).toBe(false);
    // The classified text (never OCI's own answer): the code and what to check.
    expect(v.error).toMatch(/NotAuthenticated.*fingerprint/);
    const unreadable = adapterFor(sim, {
      ...credsOf(demo.credentials),
      privateKeyPem: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    });
    expect((await unreadable.verify()).error).toMatch(/private key/);
    await a.close();
    await unreadable.close();
  });

  it("re-reads the etag and retries when the policy changes between read and write (412)", async () => {
    const nonprod = cmp(demo, "NonProd");
    const d = policyArtifact(nonprod, denyDeletes(nonprod));
    const { externalId } = await adapter.apply({ op: "create", artifact: d, reason: "test" });
    sim.human.editPolicy(externalId!, { statements: denyDeletes(nonprod).slice(0, 1) });
    // A pass-through HTTP hop that lets a human edit land right before the first PUT reaches OCI.
    let raced = false;
    const proxy: Server = createServer((req, res) => {
      if (!raced && req.method === "PUT" && req.url?.includes("/policies/")) {
        raced = true;
        sim.human.editPolicy(externalId!, { description: "edited by a human at the same moment" });
      }
      const up = httpRequest(`${sim.url}${req.url ?? "/"}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const via = adapterFor(sim, credsOf(demo.credentials), { endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    try {
      await via.apply({ op: "update", artifact: d, externalId: externalId!, reason: "repair" });
      expect(raced).toBe(true);
      expect(via.stats().byOperation).toMatchObject({ GetPolicy: 2, UpdatePolicy: 2 });
      expect(via.stats().errors).toBe(1);
      const p = sim.store.getPolicy(externalId!);
      expect(p.statements).toEqual(denyDeletes(nonprod));
      expect(p.description).toBe((d.body as { description: string }).description);
    } finally {
      await via.close();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
