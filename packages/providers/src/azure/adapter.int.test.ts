import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatorEgress } from "../egress/index.ts";
import { DEFAULT_THROTTLE, startAzureSim, type AzureSim, type DemoInfo } from "@parapet/cloud-sim/azure/index";
import { policyClient } from "@parapet/cloud-sim/azure/test-clients";
import { converge, describeContract } from "../contract/contract-suite.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { isProviderError } from "../contract/errors.ts";
import type { CloudAdapter, DesiredArtifact, ObservedArtifact } from "../contract/types.ts";
import { createAzureAdapter, type AzureAdapterConfig, type TAzureCredentials } from "./adapter.ts";
import { AzureClientCredential } from "./credentials.ts";
import { azureArtifactName, azureAssignmentName, azureOwnerMetadata } from "./markers.ts";
import type { TAzurePolicyAssignment, TAzurePolicyDefinition, TAzurePolicyExemption, TAzurePolicySetDefinition } from "./types.ts";

const WS = "ws_azure_contract";
const FAST_RETRY = { attempts: 10, baseMs: 20, maxMs: 1_500 };
const MG = "providers/Microsoft.Management/managementGroups/";

function secretCreds(sim: AzureSim, app: { appId: string; secret: string }): Extract<TAzureCredentials, { kind: "client-secret" }> {
  return { kind: "client-secret", tenantId: sim.tenantId, clientId: app.appId, clientSecret: app.secret };
}

function adapterFor(sim: AzureSim, credentials: TAzureCredentials, extra: Partial<AzureAdapterConfig> = {}): CloudAdapter {
  return createAzureAdapter({
    workspaceId: WS,
    egress: simulatorEgress(),
    credentials,
    endpoint: sim.url,
    authorityHost: sim.authorityHost,
    tlsCa: sim.caPem,
    facts: { rootManagementGroupId: sim.rootManagementGroupId },
    retry: FAST_RETRY,
    ...extra,
  });
}

/** What core's desired-state builder produces for one scope: definitions, one initiative, one assignment. */
function artifactsFor(sim: AzureSim, scope: string, guardrail: string, mode: "Default" | "DoNotEnforce" = "Default"): DesiredArtifact[] {
  const definitionScope = `${MG}${sim.rootManagementGroupId}`;
  const def = (purpose: string, types: string[]): TAzurePolicyDefinition => ({
    name: azureArtifactName(WS, `${guardrail}|${purpose}`),
    properties: {
      policyType: "Custom",
      mode: "Indexed",
      displayName: `Parapet: ${guardrail} ${purpose}`,
      description: `Blocks delete requests on ${types.join(", ")} (denyAction).`,
      policyRule: {
        if: { field: "type", in: types },
        then: { effect: "[parameters('effect')]", details: { actionNames: ["delete"], cascadeBehaviors: { resourceGroup: "deny" } } },
      },
      parameters: {
        effect: {
          type: "String",
          metadata: { displayName: "Effect", description: "What happens when the rule matches." },
          allowedValues: ["denyAction", "disabled"],
          defaultValue: "denyAction",
        },
      },
      metadata: { ...azureOwnerMetadata(WS), category: "Parapet", parapetGuardrailId: guardrail, parapetGuardrailVersion: 1 },
    },
  });
  const defs = [
    def("storage", ["Microsoft.Storage/storageAccounts"]),
    def("databases", ["Microsoft.Sql/servers", "Microsoft.Sql/servers/databases"]),
  ];
  const initiativeName = azureArtifactName(WS, `initiative|${scope}|${mode}`);
  const initiative: TAzurePolicySetDefinition = {
    name: initiativeName,
    properties: {
      policyType: "Custom",
      displayName: `Parapet guardrails (${mode === "Default" ? "enforce" : "audit"}) for ${scope}`.slice(0, 128),
      description: `Guardrails: ${guardrail}`,
      metadata: { ...azureOwnerMetadata(WS), category: "Parapet" },
      parameters: {},
      policyDefinitions: defs.map((d, i) => ({
        policyDefinitionId: `/${definitionScope}/providers/Microsoft.Authorization/policyDefinitions/${d.name}`,
        policyDefinitionReferenceId: `${guardrail}-${i === 0 ? "storage" : "databases"}`,
        parameters: { effect: { value: "denyAction" } },
      })),
    },
  };
  const assignment: TAzurePolicyAssignment = {
    name: azureAssignmentName(WS, `${scope}|${mode}`),
    properties: {
      displayName: `Parapet guardrails (${mode === "Default" ? "enforce" : "audit"})`,
      description: `Guardrails: ${guardrail}`,
      policyDefinitionId: `/${definitionScope}/providers/Microsoft.Authorization/policySetDefinitions/${initiativeName}`,
      enforcementMode: mode,
      notScopes: [],
      parameters: {},
      metadata: { ...azureOwnerMetadata(WS), parapetScope: scope },
    },
  };
  return [
    ...defs.map((d): DesiredArtifact => ({
      kind: "azure.policy-definition",
      name: d.name,
      body: d,
      attachments: [definitionScope],
      guardrailIds: [guardrail],
    })),
    {
      kind: "azure.policy-set-definition",
      name: initiative.name,
      body: initiative,
      attachments: [definitionScope],
      guardrailIds: [guardrail],
    },
    { kind: "azure.policy-assignment", name: assignment.name, body: assignment, attachments: [scope], guardrailIds: [guardrail] },
  ];
}

/** A person (or another tool) working through ARM with an app of their own. */
function customerClient(sim: AzureSim) {
  const app = sim.registerApp({ displayName: "platform-team", grants: [{ role: "Owner", scope: "/" }] });
  return policyClient(sim, sim.issueToken(app.appId), { maxRetries: 0 });
}

const STORM = { read: { burst: 2, ratePerSec: 4 }, write: { burst: 2, ratePerSec: 4 } };

describeContract({
  cloud: "azure",
  async setup() {
    const sim = await startAzureSim({ seed: 5 });
    const demo = sim.seedAzureDemo();
    // More management groups and subscriptions than one page (100) holds, so discovery follows nextLink.
    sim.seedAzureTenant({ subscriptions: 240, managementGroups: 40, depth: 3 });
    const adapter = adapterFor(sim, secretCreds(sim, demo.app));
    const built = artifactsFor(sim, `${MG}corp-prod`, "g-agents-no-delete");
    // The assignment comes first: in Azure the assignment is the attachment, so the suite's detach,
    // edit and delete hit it the way people actually weaken a guardrail (enforcement off, notScopes,
    // unassigning). The definitions and initiative it assigns were deployed by an earlier reconcile.
    const assignment = built[built.length - 1]!;
    const desired = [assignment, ...built.slice(0, -1)];
    await converge(adapter, built.slice(0, -1));
    const customer = customerClient(sim);
    return {
      adapter,
      desired,
      minNodes: 1 + 10 + 30 + 40 + 240,
      oob: {
        async edit(a: ObservedArtifact) {
          sim.setEnforcementMode(a.externalId, "DoNotEnforce", "alice@contoso.com");
          return "weakened" as const;
        },
        async detach(a: ObservedArtifact) {
          const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!;
          sim.addNotScopes(a.externalId, [`/subscriptions/${sub.subscriptionId}`], "alice@contoso.com");
        },
        async remove(a: ObservedArtifact) {
          sim.deleteResource(a.externalId, { actor: "alice@contoso.com" });
        },
        async createUnowned() {
          const name = azureArtifactName("another-workspace", "lookalike");
          const d = await customer.policyDefinitions.createOrUpdateAtManagementGroup(sim.rootManagementGroupId, name, {
            policyType: "Custom",
            mode: "All",
            displayName: "Network team: deny public IPs",
            policyRule: { if: { field: "type", equals: "Microsoft.Network/publicIPAddresses" }, then: { effect: "deny" } },
            metadata: azureOwnerMetadata("another-workspace"),
          });
          return {
            kind: "azure.policy-definition" as const,
            name,
            externalId: d.id!,
            body: {},
            attachments: [`${MG}${sim.rootManagementGroupId}`],
            owned: false,
          };
        },
        async readUnowned(a: ObservedArtifact) {
          const d = await customer.policyDefinitions.getAtManagementGroup(sim.rootManagementGroupId, a.name);
          return { rule: d.policyRule as unknown, metadata: d.metadata as unknown, mode: d.mode, displayName: d.displayName };
        },
        async throttleStorm(on: boolean) {
          sim.configure({ throttle: on ? STORM : DEFAULT_THROTTLE });
        },
      },
      async close() {
        await adapter.close();
        await sim.close();
      },
    };
  },
});

describe("azure adapter against the simulator", () => {
  let sim: AzureSim;
  let demo: DemoInfo;
  let adapter: CloudAdapter;
  const root = () => `${MG}${sim.rootManagementGroupId}`;

  beforeAll(async () => {
    sim = await startAzureSim({ seed: 9, throttle: false });
    demo = sim.seedAzureDemo();
    adapter = adapterFor(sim, secretCreds(sim, demo.app));
  });
  afterAll(async () => {
    await adapter?.close();
    await sim?.close();
  });

  it("discovers management groups and subscriptions with tag labels; subscriptions are the environments", async () => {
    const h = await adapter.discover();
    expect(h.rootExternalId).toBe(root());
    const byName = new Map(h.nodes.map((n) => [n.name, n]));
    expect(byName.get("Corp-Prod")).toMatchObject({
      kind: "management-group",
      externalId: `${MG}corp-prod`,
      parentExternalId: `${MG}landing-zones`,
      isEnvironment: false,
      labels: {},
    });
    const sub = demo.subscriptions.find((s) => s.displayName === "online-prod-01")!;
    expect(byName.get("online-prod-01")).toMatchObject({
      kind: "subscription",
      externalId: `subscriptions/${sub.subscriptionId}`,
      parentExternalId: `${MG}online`,
      isEnvironment: true,
      labels: { env: "prod", data: "regulated", costCenter: sub.tags.costCenter },
    });
    expect(h.nodes.filter((n) => n.isEnvironment)).toHaveLength(demo.subscriptions.length);
    expect(h.nodes).toHaveLength(1 + demo.managementGroups.length + demo.subscriptions.length);
  });

  it("follows nextLink on every list it pages through", async () => {
    sim.configure({ pageSize: 7 });
    try {
      adapter.resetStats();
      const h = await adapter.discover();
      expect(h.nodes).toHaveLength(1 + 10 + 30);
      const ops = adapter.stats().byOperation;
      expect(ops.ManagementGroups_GetDescendants).toBe(Math.ceil(40 / 7));
      expect(ops.Subscriptions_List).toBe(Math.ceil(30 / 7));
      expect(ops.ManagementGroups_Get).toBe(1);
    } finally {
      sim.configure({ pageSize: 100 });
    }
  });

  it("verify: the demo connector has every permission; a Reader-only app is told which actions it lacks", async () => {
    const ok = await adapter.verify();
    expect(ok).toMatchObject({ ok: true, missing: [], identity: demo.app.appId, rootId: root() });
    expect(ok.checks.every((c) => c.ok)).toBe(true);
    // Deleting an absent resource is authorised and answered 204 without a body, which is success (the
    // SDK's own deserializer chokes on it for assignments; the adapter takes the 204 as done).
    for (const op of [
      "PolicyAssignments_Delete",
      "PolicyDefinitions_DeleteAtManagementGroup",
      "PolicySetDefinitions_DeleteAtManagementGroup",
      "PolicyExemptions_Delete",
    ]) {
      expect(ok.checks.map((c) => c.detail)).toContain(op);
    }
    // The probes create nothing.
    expect(
      sim.events().filter((e) => JSON.stringify(e).includes("parapet-permission-probe") || JSON.stringify(e).includes("parapet-probe")),
    ).toEqual([]);

    const reader = adapterFor(sim, secretCreds(sim, demo.readerApp));
    const v = await reader.verify();
    expect(v.ok).toBe(false);
    expect(v.missing.sort()).toEqual(
      [
        "Microsoft.Authorization/policyAssignments/delete",
        "Microsoft.Authorization/policyAssignments/write",
        "Microsoft.Authorization/policyDefinitions/delete",
        "Microsoft.Authorization/policyDefinitions/write",
        "Microsoft.Authorization/policyExemptions/delete",
        "Microsoft.Authorization/policyExemptions/write",
        "Microsoft.Authorization/policySetDefinitions/delete",
        "Microsoft.Authorization/policySetDefinitions/write",
      ].sort(),
    );
  });

  it("verify reports a wrong client secret with the identity platform's code", async () => {
    const bad = adapterFor(sim, { ...secretCreds(sim, demo.app), clientSecret: "not-the-secret" });
    const v = await bad.verify();
    expect(v.ok).toBe(false);
    expect(v.error).toContain("AADSTS7000215");
    expect(v.error).toContain("client secret is wrong");
  });

  it("works with a static bearer token and caches client-credential tokens", async () => {
    const byToken = adapterFor(sim, { kind: "access-token", accessToken: sim.issueToken(demo.app.appId) });
    expect((await byToken.discover()).nodes.length).toBeGreaterThan(10);
    adapter.resetStats();
    await adapter.discover();
    await adapter.discover();
    // The first discover of this adapter already fetched a token; later calls reuse it.
    expect(adapter.stats().byOperation.AAD_Token ?? 0).toBe(0);
  });

  it("concurrent callers share one token request, and the token is reused until shortly before it expires", async () => {
    const recorder = new CallRecorder();
    const cred = new AzureClientCredential({
      tenantId: sim.tenantId,
      clientId: demo.app.appId,
      clientSecret: demo.app.secret,
      authorityHost: sim.authorityHost,
      tlsCa: sim.caPem,
      recorder,
      egress: simulatorEgress(),
    });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => cred.getToken("https://management.azure.com/.default")));
    expect(new Set(tokens.map((t) => t?.token)).size).toBe(1);
    await cred.getToken("https://management.azure.com/.default");
    expect(recorder.stats().byOperation.AAD_Token).toBe(1);
    expect(tokens[0]!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("exchanges a federated assertion for tokens (workload identity federation, no secret at rest)", async () => {
    const issuer = "https://parapet.example/oidc";
    const subject = "connection:azure-1";
    const app = sim.registerApp({
      displayName: "parapet-federated",
      grants: [{ role: "Resource Policy Contributor", scope: `/${root()}` }],
      federated: [{ issuer, subject }],
    });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const assertion = (sub: string) =>
      `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iss: issuer, sub, aud: "api://AzureADTokenExchange", exp: Math.floor(Date.now() / 1000) + 600 })}.c2ln`;
    let minted = 0;
    const federated = adapterFor(
      sim,
      { kind: "federated", tenantId: sim.tenantId, clientId: app.appId, federatedToken: assertion(subject) },
      { getAssertion: async () => (minted++, assertion(subject)) },
    );
    const v = await federated.verify();
    expect(v).toMatchObject({ ok: true, identity: app.appId, missing: [] });
    expect(minted).toBe(1);

    const wrongSubject = adapterFor(sim, {
      kind: "federated",
      tenantId: sim.tenantId,
      clientId: app.appId,
      federatedToken: assertion("connection:other"),
    });
    const refused = await wrongSubject.verify();
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain("AADSTS70021");
  });

  it("classifies drift: a weaker effect or a removed policy is weakened, a renamed display name is modified, ARM's stamps are not drift", async () => {
    const scope = `${MG}corp-nonprod`;
    const desired = artifactsFor(sim, scope, "g-compare");
    const state = await converge(adapter, desired);
    expect(state.unreadable).toEqual([]);
    const [defA, , initiative, assignment] = desired as [DesiredArtifact, DesiredArtifact, DesiredArtifact, DesiredArtifact];
    const observe = async (d: DesiredArtifact) =>
      (await adapter.observe({ expected: [{ kind: d.kind, name: d.name, attachments: d.attachments }] })).artifacts[0]!;

    const seenDef = await observe(defA);
    expect((seenDef.body as TAzurePolicyDefinition).properties.metadata).not.toHaveProperty("createdOn");
    expect(adapter.compare(defA, seenDef)).toEqual({ equal: true });

    sim.editDefinitionRule(seenDef.externalId, {
      if: { field: "type", in: ["Microsoft.Storage/storageAccounts"] },
      then: { effect: "audit" },
    });
    const weakened = adapter.compare(defA, await observe(defA));
    expect(weakened).toMatchObject({ equal: false, kind: "weakened" });
    if (!weakened.equal) expect(weakened.detail).toContain("effect changed from denyAction to audit");

    const customer = customerClient(sim);
    const seenInit = await observe(initiative);
    const body = initiative.body as TAzurePolicySetDefinition;
    await customer.policySetDefinitions.createOrUpdateAtManagementGroup(sim.rootManagementGroupId, initiative.name, {
      ...body.properties,
      displayName: "Renamed by the platform team",
      policyDefinitions: body.properties.policyDefinitions.slice(0, 1),
    });
    const initDiff = adapter.compare(initiative, await observe(initiative));
    expect(initDiff).toMatchObject({ equal: false, kind: "weakened" });
    if (!initDiff.equal) expect(initDiff.detail).toMatch(/policies removed from the initiative: g-compare-databases.*displayName changed/);
    expect(seenInit.externalId).toContain("/policySetDefinitions/");

    const a = await observe(assignment);
    await customer.policyAssignments.create(scope, assignment.name, {
      ...(assignment.body as TAzurePolicyAssignment).properties,
      displayName: "Guardrails (renamed)",
      metadata: { ...(assignment.body as TAzurePolicyAssignment).properties.metadata, ticket: "CHG-1234" },
    });
    expect(adapter.compare(assignment, await observe(assignment))).toMatchObject({
      equal: false,
      kind: "modified",
      detail: "displayName changed to Guardrails (renamed)",
    });

    // Repair writes Parapet's fields and keeps the customer's own annotation.
    await converge(adapter, desired);
    for (const d of desired) expect(adapter.compare(d, await observe(d))).toEqual({ equal: true });
    const after = await customer.policyAssignments.get(scope, assignment.name);
    expect(after.metadata).toMatchObject({ ticket: "CHG-1234", parapetOwner: WS });
    expect(after.id).toBe(a.externalId);
  });

  it("create adopts its own artifact left by an interrupted run and refuses one owned by someone else", async () => {
    const [def] = artifactsFor(sim, `${MG}online`, "g-adopt") as [DesiredArtifact];
    const first = await adapter.apply({ op: "create", artifact: def, reason: "test" });
    adapter.resetStats();
    const again = await adapter.apply({ op: "create", artifact: def, reason: "retry after a crash" });
    expect(again).toEqual({ externalId: first.externalId, noop: true });
    expect(adapter.stats().writes).toBe(0);

    const customer = customerClient(sim);
    const body = (def.body as TAzurePolicyDefinition).properties;
    await customer.policyDefinitions.createOrUpdateAtManagementGroup(sim.rootManagementGroupId, def.name, {
      ...body,
      metadata: azureOwnerMetadata("another-workspace"),
    });
    for (const change of [
      { op: "create" as const, artifact: def, reason: "test" },
      { op: "update" as const, artifact: def, externalId: first.externalId!, reason: "test" },
      { op: "delete" as const, kind: def.kind, name: def.name, externalId: first.externalId!, reason: "test" },
    ]) {
      const err = await adapter.apply(change).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isProviderError(err) && err.code).toBe("NOT_OWNED");
    }
  });

  it("cleans up in dependency order and treats repeats as no-ops; an in-use definition is a clear conflict", async () => {
    const desired = artifactsFor(sim, `${MG}sandbox`, "g-cleanup");
    const state = await converge(adapter, desired);
    const [defA, defB, initiative, assignment] = desired.map((d) => state.artifacts.find((a) => a.name === d.name)!) as [
      ObservedArtifact,
      ObservedArtifact,
      ObservedArtifact,
      ObservedArtifact,
    ];

    const inUse = await adapter.apply({ op: "delete", kind: defA.kind, name: defA.name, externalId: defA.externalId, reason: "test" }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isProviderError(inUse) && { kind: inUse.kind, retryable: inUse.retryable, code: inUse.code }).toEqual({
      kind: "conflict",
      retryable: false,
      code: "InvalidDeletePolicyDefinitionRequest",
    });

    // The order core's planner produces: detach (= unassign) and delete the assignment, then the initiative, then definitions.
    expect(
      await adapter.apply({
        op: "detach",
        kind: assignment.kind,
        name: assignment.name,
        externalId: assignment.externalId,
        target: `${MG}sandbox`,
        reason: "cleanup",
      }),
    ).toEqual({
      externalId: assignment.externalId,
    });
    expect(
      await adapter.apply({
        op: "delete",
        kind: assignment.kind,
        name: assignment.name,
        externalId: assignment.externalId,
        reason: "cleanup",
      }),
    ).toEqual({ noop: true });
    expect(
      await adapter.apply({
        op: "detach",
        kind: initiative.kind,
        name: initiative.name,
        externalId: initiative.externalId,
        target: root(),
        reason: "cleanup",
      }),
    ).toEqual({ noop: true });
    for (const a of [initiative, defA, defB]) {
      expect(await adapter.apply({ op: "delete", kind: a.kind, name: a.name, externalId: a.externalId, reason: "cleanup" })).toEqual({
        externalId: a.externalId,
      });
      expect(await adapter.apply({ op: "delete", kind: a.kind, name: a.name, externalId: a.externalId, reason: "again" })).toEqual({
        noop: true,
      });
    }
    const gone = await adapter.observe({ expected: desired.map((d) => ({ kind: d.kind, name: d.name, attachments: d.attachments })) });
    expect(gone).toEqual({ artifacts: [], foreignSlots: {}, unreadable: [] });
  });

  it("observes by listing a scope when many artifacts live there, with the same result as reading each", async () => {
    const desired = artifactsFor(sim, `${MG}identity`, "g-list");
    await converge(adapter, desired);
    const expected = desired.map((d) => ({ kind: d.kind, name: d.name, attachments: d.attachments }));
    const lister = adapterFor(sim, secretCreds(sim, demo.app), { listThreshold: 2 });
    const listed = await lister.observe({ expected });
    const ops = lister.stats().byOperation;
    expect(ops.PolicyDefinitions_ListByManagementGroup).toBe(1);
    expect(ops.PolicyDefinitions_GetAtManagementGroup ?? 0).toBe(0);
    adapter.resetStats();
    const read = await adapter.observe({ expected });
    expect(adapter.stats().reads).toBe(4);
    expect(listed).toEqual(read);
    for (const d of desired)
      expect(
        adapter.compare(
          d,
          listed.artifacts.find((a) => a.name === d.name)!,
        ),
      ).toEqual({ equal: true });
  });

  it("a failed read is unreadable, never missing", async () => {
    const desired = artifactsFor(sim, `${MG}management`, "g-unreadable");
    await converge(adapter, desired);
    const stranger = sim.registerApp({ displayName: "no-roles", secret: "s3cret-value", grants: [] });
    const blind = adapterFor(sim, secretCreds(sim, { appId: stranger.appId, secret: "s3cret-value" }));
    const state = await blind.observe({ expected: desired.map((d) => ({ kind: d.kind, name: d.name, attachments: d.attachments })) });
    expect(state.artifacts).toEqual([]);
    expect(state.unreadable.map((u) => u.name).sort()).toEqual(desired.map((d) => d.name).sort());
    expect(state.unreadable[0]!.reason).toMatch(/lacks 'Microsoft\.Authorization\/policy(Set)?(Definitions|Assignments)\/read'/);
  });

  it("manages exemptions: create, observe equal, a longer expiry is weakened, delete", async () => {
    const desired = artifactsFor(sim, `${MG}connectivity`, "g-exempt");
    const state = await converge(adapter, desired);
    const assignment = state.artifacts.find((a) => a.kind === "azure.policy-assignment")!;
    const sub = demo.subscriptions.find((s) => s.managementGroup === "connectivity")!;
    const scope = `subscriptions/${sub.subscriptionId}`;
    const exemption: TAzurePolicyExemption = {
      name: "parapet-exempt-hub",
      properties: {
        policyAssignmentId: assignment.externalId,
        policyDefinitionReferenceIds: ["g-exempt-storage"],
        exemptionCategory: "Waiver",
        displayName: "Hub storage migration",
        description: "Approved by security (ticket SEC-42)",
        expiresOn: "2031-01-31T00:00:00.000Z",
        metadata: azureOwnerMetadata(WS),
      },
    };
    const d: DesiredArtifact = {
      kind: "azure.policy-exemption",
      name: exemption.name,
      body: exemption,
      attachments: [scope],
      guardrailIds: ["g-exempt"],
    };
    const created = await adapter.apply({ op: "create", artifact: d, reason: "exemption approved" });
    expect(created.externalId).toBe(
      `/subscriptions/${sub.subscriptionId}/providers/Microsoft.Authorization/policyExemptions/${exemption.name}`,
    );
    const seen = (await adapter.observe({ expected: [{ kind: d.kind, name: d.name, attachments: [scope] }] })).artifacts[0]!;
    expect(seen).toMatchObject({ owned: true, attachments: [scope] });
    expect(adapter.compare(d, seen)).toEqual({ equal: true });

    const longer = { ...exemption, properties: { ...exemption.properties, expiresOn: "2035-01-01T00:00:00.000Z" } };
    expect(adapter.compare(d, { ...seen, body: longer })).toMatchObject({ equal: false, kind: "weakened" });
    expect(
      await adapter.apply({ op: "detach", kind: d.kind, name: d.name, externalId: seen.externalId, target: scope, reason: "revoked" }),
    ).toEqual({ externalId: seen.externalId });
    expect((await adapter.observe({ expected: [{ kind: d.kind, name: d.name, attachments: [scope] }] })).artifacts).toEqual([]);
  });
});
