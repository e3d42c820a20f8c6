import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PolicyDefinition } from "@azure/arm-policy";
import { DEMO_APP, DEMO_READER_APP, SECURITY_BENCHMARK, startAzureSim, type AzureSim, type DemoInfo } from "./index.ts";
import { armClient, Exemptions, failure, policyClient } from "./test-clients.ts";

const MG = "landing-zones";
const MG_SCOPE = `providers/Microsoft.Management/managementGroups/${MG}`;
const rule = (effect = "deny"): Record<string, unknown> => ({
  if: {
    allOf: [
      { field: "type", equals: "Microsoft.Storage/storageAccounts" },
      { field: "location", notIn: "[parameters('allowed')]" },
    ],
  },
  then: { effect },
});
const def = (extra: Partial<PolicyDefinition> = {}): PolicyDefinition => ({
  policyType: "Custom",
  mode: "All",
  displayName: "Parapet: storage in allowed regions",
  parameters: { allowed: { type: "Array", defaultValue: ["westeurope"] } },
  policyRule: rule(),
  metadata: { parapetOwner: "ws_1" },
  ...extra,
});

let sim: AzureSim;
let demo: DemoInfo;
let token: string;

beforeAll(async () => {
  sim = await startAzureSim({ demo: true, throttle: false });
  demo = sim.seedAzureDemo();
  token = sim.issueToken(DEMO_APP.appId);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.configure({ throttle: false, faults: {}, pageSize: 100 });
});

describe("policy definitions", () => {
  it("creates (201), reads, updates, lists at exact scope and deletes at management-group scope", async () => {
    const pc = policyClient(sim, token);
    const created = await pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-storage-regions", def());
    expect(created.id).toBe(`/${MG_SCOPE}/providers/Microsoft.Authorization/policyDefinitions/pp-storage-regions`);
    expect(created.type).toBe("Microsoft.Authorization/policyDefinitions");
    expect(created.metadata).toMatchObject({ parapetOwner: "ws_1", updatedBy: null });
    expect((created.metadata as Record<string, unknown>).createdOn).toBeTypeOf("string");

    const updated = await pc.policyDefinitions.createOrUpdateAtManagementGroup(
      MG,
      "pp-storage-regions",
      def({ policyRule: rule("audit") }),
    );
    expect(updated.policyRule).toMatchObject({ then: { effect: "audit" } });
    expect((updated.metadata as Record<string, unknown>).updatedOn).toBeTypeOf("string");

    const got = await pc.policyDefinitions.getAtManagementGroup(MG, "PP-STORAGE-REGIONS");
    expect(got.name).toBe("pp-storage-regions");
    expect(got.parameters?.allowed?.type).toBe("Array");

    const names: string[] = [];
    for await (const d of pc.policyDefinitions.listByManagementGroup(MG, { filter: "atExactScope()" })) names.push(d.name!);
    expect(names).toEqual(["deny-public-ip", "pp-storage-regions"]);

    // Without a filter the list includes built-ins and definitions of ancestors.
    const all: string[] = [];
    for await (const d of pc.policyDefinitions.listByManagementGroup("corp-prod")) all.push(d.name!);
    expect(all).toContain("pp-storage-regions");
    expect(all).toContain("e56962a6-4747-49cd-b67b-bf8b01975c4c");

    await pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-storage-regions");
    const gone = await failure(pc.policyDefinitions.getAtManagementGroup(MG, "pp-storage-regions"));
    expect(gone).toMatchObject({ statusCode: 404, code: "PolicyDefinitionNotFound" });
    // Deleting what is not there is a 204, which the SDK accepts.
    await pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-storage-regions");
  });

  it("works at subscription scope and serves built-ins", async () => {
    const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!.subscriptionId;
    const pc = policyClient(sim, token, { subscriptionId: sub });
    const d = await pc.policyDefinitions.createOrUpdate("pp-sub-def", def());
    expect(d.id).toBe(`/subscriptions/${sub}/providers/Microsoft.Authorization/policyDefinitions/pp-sub-def`);
    expect((await pc.policyDefinitions.get("pp-sub-def")).displayName).toBe("Parapet: storage in allowed regions");
    const names: string[] = [];
    for await (const x of pc.policyDefinitions.list({ filter: "atExactScope()" })) names.push(x.name!);
    expect(names).toEqual(["pp-sub-def"]);
    const custom: string[] = [];
    for await (const x of pc.policyDefinitions.list({ filter: "policyType eq 'Custom'" })) custom.push(x.name!);
    expect(custom).toContain("deny-public-ip");
    expect(custom).not.toContain("e56962a6-4747-49cd-b67b-bf8b01975c4c");
    await pc.policyDefinitions.delete("pp-sub-def");

    const builtIn = await pc.policyDefinitions.getBuiltIn("e56962a6-4747-49cd-b67b-bf8b01975c4c");
    expect(builtIn.policyType).toBe("BuiltIn");
    expect(builtIn.displayName).toBe("Allowed locations");
    const set = await pc.policySetDefinitions.getBuiltIn(SECURITY_BENCHMARK);
    expect(set.policyDefinitions?.length).toBeGreaterThan(1);
  });

  it("rejects malformed rules, parameters and bodies with ARM's codes", async () => {
    const pc = policyClient(sim, token);
    const noThen = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "bad1", def({ policyRule: { if: { field: "type", equals: "x" } } })),
    );
    expect(noThen).toMatchObject({ statusCode: 400, code: "InvalidPolicyRule" });
    const badEffect = await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "bad2", def({ policyRule: rule("explode") })));
    expect(badEffect).toMatchObject({ statusCode: 400, code: "InvalidPolicyRule" });
    expect(badEffect.message).toContain("explode");
    const badCond = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(
        MG,
        "bad3",
        def({ policyRule: { if: { field: "type", sortOf: "x" }, then: { effect: "deny" } } }),
      ),
    );
    expect(badCond).toMatchObject({ statusCode: 400, code: "InvalidPolicyRule" });
    const undeclared = await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "bad4", def({ parameters: {} })));
    expect(undeclared).toMatchObject({ statusCode: 400, code: "UndefinedPolicyParameter" });
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, { type: "String" }]));
    const params = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "bad5", def({ parameters: { ...tooMany, allowed: { type: "Array" } } })),
    );
    expect(params).toMatchObject({ statusCode: 400, code: "PolicyParametersLimitExceeded" });
    const builtin = await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "bad6", def({ policyType: "BuiltIn" })));
    expect(builtin).toMatchObject({ statusCode: 400, code: "InvalidPolicyType" });
    const badName = await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "bad:name", def()));
    expect(badName).toMatchObject({ statusCode: 400, code: "InvalidPolicyDefinitionName" });
    const noMg = await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup("no-such-mg", "x", def()));
    expect(noMg).toMatchObject({ statusCode: 404, code: "ManagementGroupNotFound" });
    const big = await failure(
      pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "huge", def({ metadata: { blob: "x".repeat(1024 * 1024 + 10) } })),
    );
    expect(big).toMatchObject({ statusCode: 413, code: "RequestContentTooLarge" });
    const noSub = await failure(
      policyClient(sim, token, { subscriptionId: "00000000-0000-0000-0000-000000000000" }).policyDefinitions.get("x"),
    );
    expect(noSub).toMatchObject({ statusCode: 404, code: "SubscriptionNotFound" });
  });
});

describe("policy set definitions (initiatives)", () => {
  it("creates (201), updates (200), reads, lists and deletes; checks members", async () => {
    const pc = policyClient(sim, token);
    const d1 = await pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-m1", def());
    const d2 = await pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-m2", def({ policyRule: rule("audit") }));
    const body = {
      displayName: "Parapet guardrails",
      metadata: { parapetOwner: "ws_1" },
      parameters: { regions: { type: "Array" as const, defaultValue: ["westeurope"] } },
      policyDefinitions: [
        {
          policyDefinitionId: d1.id!,
          policyDefinitionReferenceId: "storage-regions",
          parameters: { allowed: { value: "[parameters('regions')]" } },
        },
        { policyDefinitionId: d2.id!, policyDefinitionReferenceId: "storage-audit" },
      ],
    };
    let status = 0;
    const created = await pc.policySetDefinitions.createOrUpdateAtManagementGroup(MG, "pp-initiative", body, {
      onResponse: (r) => (status = r.status),
    });
    expect(status).toBe(201);
    expect(created.policyDefinitions?.map((m) => m.policyDefinitionReferenceId)).toEqual(["storage-regions", "storage-audit"]);
    await pc.policySetDefinitions.createOrUpdateAtManagementGroup(
      MG,
      "pp-initiative",
      { ...body, description: "v2" },
      { onResponse: (r) => (status = r.status) },
    );
    expect(status).toBe(200);
    expect((await pc.policySetDefinitions.getAtManagementGroup(MG, "pp-initiative")).description).toBe("v2");
    const names: string[] = [];
    for await (const s of pc.policySetDefinitions.listByManagementGroup(MG, { filter: "atExactScope()" })) names.push(s.name!);
    expect(names).toEqual(["pp-initiative"]);

    const missing = await failure(
      pc.policySetDefinitions.createOrUpdateAtManagementGroup(MG, "pp-bad", {
        policyDefinitions: [{ policyDefinitionId: `/${MG_SCOPE}/providers/Microsoft.Authorization/policyDefinitions/nope` }],
      }),
    );
    expect(missing).toMatchObject({ statusCode: 404, code: "PolicyDefinitionNotFound" });
    const empty = await failure(pc.policySetDefinitions.createOrUpdateAtManagementGroup(MG, "pp-empty", { policyDefinitions: [] }));
    expect(empty).toMatchObject({ statusCode: 400, code: "InvalidCreatePolicySetDefinitionRequest" });
    // A member definition of an initiative cannot be deleted.
    const inUse = await failure(pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-m1"));
    expect(inUse).toMatchObject({ statusCode: 400, code: "InvalidDeletePolicyDefinitionRequest" });

    sim.configure({ limits: { policiesPerSetDefinition: 1 } });
    const over = await failure(pc.policySetDefinitions.createOrUpdateAtManagementGroup(MG, "pp-over", body));
    expect(over).toMatchObject({ statusCode: 400, code: "PolicySetDefinitionPolicyLimitExceeded" });
    sim.configure({ limits: { policiesPerSetDefinition: 1000 } });

    await pc.policySetDefinitions.deleteAtManagementGroup(MG, "pp-initiative");
    expect(await failure(pc.policySetDefinitions.getAtManagementGroup(MG, "pp-initiative"))).toMatchObject({
      statusCode: 404,
      code: "PolicySetDefinitionNotFound",
    });
    await pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-m1");
    await pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-m2");
  });
});

describe("policy assignments", () => {
  it("creates with enforcementMode, notScopes, parameters and metadata; reads, patches, lists and deletes", async () => {
    const pc = policyClient(sim, token);
    const d = await pc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-assign-def", def());
    const excluded = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!.subscriptionId;
    const a = await pc.policyAssignments.create(MG_SCOPE, "pp-a1", {
      displayName: "Parapet: storage regions",
      policyDefinitionId: d.id!,
      enforcementMode: "DoNotEnforce",
      notScopes: [`/subscriptions/${excluded}`],
      parameters: { allowed: { value: ["westeurope", "northeurope"] } },
      metadata: { parapetOwner: "ws_1", guardrail: "g_1" },
    });
    expect(a).toMatchObject({
      name: "pp-a1",
      type: "Microsoft.Authorization/policyAssignments",
      scope: `/${MG_SCOPE}`,
      enforcementMode: "DoNotEnforce",
      notScopes: [`/subscriptions/${excluded}`],
      metadata: { parapetOwner: "ws_1" },
    });
    // Re-PUT is an update; the SDK expects 201 either way.
    const again = await pc.policyAssignments.create(MG_SCOPE, "pp-a1", {
      policyDefinitionId: d.id!,
      enforcementMode: "Default",
      metadata: { parapetOwner: "ws_1" },
    });
    expect(again.enforcementMode).toBe("Default");
    expect(again.notScopes).toEqual([]);
    // By id: arm-policy 7 dropped getById/deleteById; an assignment's id is its scope + name, the same URL.
    expect(
      (
        await pc.policyAssignments.get(
          a.id!.slice(1).replace(/\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/, ""),
          "pp-a1",
        )
      ).id,
    ).toBe(a.id);
    const patched = await pc.policyAssignments.update(MG_SCOPE, "pp-a1", { location: "westeurope", identity: { type: "SystemAssigned" } });
    expect(patched.location).toBe("westeurope");
    expect(patched.identity?.principalId).toBeTypeOf("string");

    const exact: string[] = [];
    for await (const x of pc.policyAssignments.listForManagementGroup(MG, { filter: "atExactScope()" })) exact.push(x.name!);
    expect(exact).toEqual(["allowed-locations", "pp-a1"]);
    // A subscription below sees inherited assignments too.
    const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!.subscriptionId;
    const subNames: string[] = [];
    for await (const x of policyClient(sim, token, { subscriptionId: sub }).policyAssignments.list()) subNames.push(x.name!);
    expect(subNames).toEqual(expect.arrayContaining(["SecurityCenterBuiltIn", "deny-public-ip", "allowed-locations", "pp-a1"]));
    const byDef: string[] = [];
    for await (const x of pc.policyAssignments.listForManagementGroup("corp-prod", { filter: `policyDefinitionId eq '${d.id!}'` }))
      byDef.push(x.name!);
    expect(byDef).toEqual(["pp-a1"]);

    const inUse = await failure(pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-assign-def"));
    expect(inUse).toMatchObject({ statusCode: 400, code: "InvalidDeletePolicyDefinitionRequest" });
    const deleted = await pc.policyAssignments.delete(MG_SCOPE, "pp-a1");
    expect(deleted.name).toBe("pp-a1");
    expect(await failure(pc.policyAssignments.get(MG_SCOPE, "pp-a1"))).toMatchObject({ statusCode: 404, code: "PolicyAssignmentNotFound" });
    await pc.policyDefinitions.deleteAtManagementGroup(MG, "pp-assign-def");
  });

  it("assigns at subscription scope and validates references, parameters, names and notScopes", async () => {
    const sub = demo.subscriptions[0]!.subscriptionId;
    const pc = policyClient(sim, token, { subscriptionId: sub });
    const d = await pc.policyDefinitions.createOrUpdate("pp-sub-only", def({ parameters: { allowed: { type: "Array" } } }));
    const a = await pc.policyAssignments.create(`subscriptions/${sub}`, "pp-sub-a", {
      policyDefinitionId: d.id!,
      parameters: { allowed: { value: ["westeurope"] } },
    });
    expect(a.scope).toBe(`/subscriptions/${sub}`);
    expect(a.enforcementMode).toBe("Default");

    const missingParam = await failure(pc.policyAssignments.create(`subscriptions/${sub}`, "pp-x", { policyDefinitionId: d.id! }));
    expect(missingParam).toMatchObject({ statusCode: 400, code: "MissingPolicyParameter" });
    const unknownParam = await failure(
      pc.policyAssignments.create(`subscriptions/${sub}`, "pp-x", {
        policyDefinitionId: d.id!,
        parameters: { allowed: { value: [] }, nope: { value: 1 } },
      }),
    );
    expect(unknownParam).toMatchObject({ statusCode: 400, code: "UndefinedPolicyParameter" });
    const noDef = await failure(
      pc.policyAssignments.create(MG_SCOPE, "pp-x", {
        policyDefinitionId: `/${MG_SCOPE}/providers/Microsoft.Authorization/policyDefinitions/missing`,
      }),
    );
    expect(noDef).toMatchObject({ statusCode: 404, code: "PolicyDefinitionNotFound" });
    const noSet = await failure(
      pc.policyAssignments.create(MG_SCOPE, "pp-x", {
        policyDefinitionId: `/${MG_SCOPE}/providers/Microsoft.Authorization/policySetDefinitions/missing`,
      }),
    );
    expect(noSet).toMatchObject({ statusCode: 404, code: "PolicySetDefinitionNotFound" });
    // A subscription's definition cannot be assigned at a management group above it.
    const outOfScope = await failure(
      pc.policyAssignments.create(MG_SCOPE, "pp-x", { policyDefinitionId: d.id!, parameters: { allowed: { value: [] } } }),
    );
    expect(outOfScope).toMatchObject({ statusCode: 400, code: "InvalidCreatePolicyAssignmentRequest" });
    const longName = await failure(
      pc.policyAssignments.create(MG_SCOPE, "a-name-longer-than-24-chars", {
        policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${"404c3081-a854-4457-ae30-26a93ef643f9"}`,
      }),
    );
    expect(longName).toMatchObject({ statusCode: 400, code: "InvalidPolicyAssignmentName" });
    const badMode = await failure(
      pc.policyAssignments.create(`subscriptions/${sub}`, "pp-x", {
        policyDefinitionId: d.id!,
        parameters: { allowed: { value: [] } },
        enforcementMode: "Sometimes",
      }),
    );
    expect(badMode).toMatchObject({ statusCode: 400, code: "InvalidRequestContent" });
    const notScopes = Array.from({ length: 401 }, (_, i) => `/subscriptions/${sub}/resourceGroups/rg-${i}`);
    const tooMany = await failure(
      pc.policyAssignments.create(`subscriptions/${sub}`, "pp-x", {
        policyDefinitionId: d.id!,
        parameters: { allowed: { value: [] } },
        notScopes,
      }),
    );
    expect(tooMany).toMatchObject({ statusCode: 400, code: "InvalidCreatePolicyAssignmentRequest" });
    const ok400 = await pc.policyAssignments.create(`subscriptions/${sub}`, "pp-400", {
      policyDefinitionId: d.id!,
      parameters: { allowed: { value: [] } },
      notScopes: notScopes.slice(0, 400),
    });
    expect(ok400.notScopes).toHaveLength(400);
    const outside = await failure(
      pc.policyAssignments.create(`subscriptions/${sub}`, "pp-x", {
        policyDefinitionId: d.id!,
        parameters: { allowed: { value: [] } },
        notScopes: [`/${MG_SCOPE}`],
      }),
    );
    expect(outside).toMatchObject({ statusCode: 400, code: "InvalidNotScopes" });

    await pc.policyAssignments.delete(`subscriptions/${sub}`, "pp-400");
    await pc.policyAssignments.delete(`subscriptions/${sub}`, "pp-sub-a");
    await pc.policyDefinitions.delete("pp-sub-only");
  });
});

describe("policy exemptions", () => {
  it("creates (201) / updates (200) Waiver and Mitigated exemptions with reference ids, lists and deletes", async () => {
    const ex = new Exemptions(armClient(sim, token));
    const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!.subscriptionId;
    const asc = `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn`;
    let status = 0;
    const body = {
      properties: {
        policyAssignmentId: asc,
        exemptionCategory: "Waiver",
        expiresOn: "2030-01-01T00:00:00Z",
        policyDefinitionReferenceIds: ["secureTransferToStorageAccountMonitoring"],
        displayName: "Legacy storage until migration",
        metadata: { parapetOwner: "ws_1", reason: "migration" },
      },
    };
    const created = await ex.createOrUpdate(`subscriptions/${sub}`, "pp-ex1", body, { onResponse: (r) => (status = r.status) });
    expect(status).toBe(201);
    expect(created).toMatchObject({
      name: "pp-ex1",
      type: "Microsoft.Authorization/policyExemptions",
      properties: { exemptionCategory: "Waiver" },
    });
    const updated = await ex.createOrUpdate(
      `subscriptions/${sub}`,
      "pp-ex1",
      { properties: { ...body.properties, exemptionCategory: "Mitigated" } },
      { onResponse: (r) => (status = r.status) },
    );
    expect(status).toBe(200);
    expect((updated.properties as Record<string, unknown>).exemptionCategory).toBe("Mitigated");
    expect(await ex.get(`subscriptions/${sub}`, "pp-ex1")).toMatchObject({ properties: { policyAssignmentId: asc } });
    const listed = await ex.list(`subscriptions/${sub}`, "atExactScope()");
    expect(listed.map((x) => x.name)).toEqual(["pp-ex1"]);

    const single = await failure(
      ex.createOrUpdate(MG_SCOPE, "pp-ex2", {
        properties: {
          policyAssignmentId: `/${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/allowed-locations`,
          exemptionCategory: "Waiver",
          policyDefinitionReferenceIds: ["anything"],
        },
      }),
    );
    expect(single).toMatchObject({ statusCode: 400, code: "InvalidPolicyDefinitionReference" });
    const badRef = await failure(
      ex.createOrUpdate(`subscriptions/${sub}`, "pp-ex3", { properties: { ...body.properties, policyDefinitionReferenceIds: ["nope"] } }),
    );
    expect(badRef).toMatchObject({ statusCode: 400, code: "InvalidPolicyDefinitionReference" });
    const badCat = await failure(
      ex.createOrUpdate(`subscriptions/${sub}`, "pp-ex3", { properties: { ...body.properties, exemptionCategory: "Forever" } }),
    );
    expect(badCat).toMatchObject({ statusCode: 400, code: "InvalidRequestContent" });
    const noAssignment = await failure(
      ex.createOrUpdate(`subscriptions/${sub}`, "pp-ex3", {
        properties: {
          ...body.properties,
          policyAssignmentId: `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/none`,
        },
      }),
    );
    expect(noAssignment).toMatchObject({ statusCode: 404, code: "PolicyAssignmentNotFound" });
    // An exemption must sit at or below its assignment's scope.
    const above = await failure(
      ex.createOrUpdate(MG_SCOPE, "pp-ex3", { properties: { ...body.properties, policyDefinitionReferenceIds: [] } }),
    );
    expect(above).toMatchObject({ statusCode: 400, code: "InvalidCreatePolicyExemptionRequest" });

    await ex.delete(`subscriptions/${sub}`, "pp-ex1");
    expect(await failure(ex.get(`subscriptions/${sub}`, "pp-ex1"))).toMatchObject({ statusCode: 404, code: "PolicyExemptionNotFound" });
  });
});

describe("limits", () => {
  it("enforces per-scope quotas for definitions, initiatives, assignments and exemptions", async () => {
    const pc = policyClient(sim, token);
    sim.configure({ limits: { definitionsPerScope: 3, setDefinitionsPerScope: 1, assignmentsPerScope: 2, exemptionsPerScope: 1 } });
    try {
      await pc.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "q1", def());
      await pc.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "q2", def());
      await pc.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "q3", def());
      expect(await failure(pc.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "q4", def()))).toMatchObject({
        statusCode: 400,
        code: "PolicyDefinitionQuotaExceeded",
      });
      // Updating an existing one is not a new definition.
      await pc.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "q3", def({ description: "updated" }));

      const member = {
        policyDefinitions: [
          {
            policyDefinitionId:
              "/providers/Microsoft.Management/managementGroups/sandbox/providers/Microsoft.Authorization/policyDefinitions/q1",
          },
        ],
      };
      await pc.policySetDefinitions.createOrUpdateAtManagementGroup("sandbox", "s1", member);
      expect(await failure(pc.policySetDefinitions.createOrUpdateAtManagementGroup("sandbox", "s2", member))).toMatchObject({
        statusCode: 400,
        code: "PolicySetDefinitionQuotaExceeded",
      });

      const scope = "providers/Microsoft.Management/managementGroups/sandbox";
      const defId = `/${scope}/providers/Microsoft.Authorization/policyDefinitions/q2`;
      // The demo already holds one customer assignment at Sandbox.
      await pc.policyAssignments.create(scope, "qa1", { policyDefinitionId: defId });
      expect(await failure(pc.policyAssignments.create(scope, "qa2", { policyDefinitionId: defId }))).toMatchObject({
        statusCode: 400,
        code: "PolicyAssignmentQuotaExceeded",
      });

      const ex = new Exemptions(armClient(sim, token));
      const exBody = {
        properties: {
          policyAssignmentId: `/${scope}/providers/Microsoft.Authorization/policyAssignments/qa1`,
          exemptionCategory: "Mitigated",
        },
      };
      await ex.createOrUpdate(scope, "qe1", exBody);
      expect(await failure(ex.createOrUpdate(scope, "qe2", exBody))).toMatchObject({
        statusCode: 400,
        code: "PolicyExemptionQuotaExceeded",
      });

      await ex.delete(scope, "qe1");
      await pc.policyAssignments.delete(scope, "qa1");
      await pc.policySetDefinitions.deleteAtManagementGroup("sandbox", "s1");
      for (const n of ["q1", "q2", "q3"]) await pc.policyDefinitions.deleteAtManagementGroup("sandbox", n);
    } finally {
      sim.configure({
        limits: { definitionsPerScope: 500, setDefinitionsPerScope: 200, assignmentsPerScope: 200, exemptionsPerScope: 1000 },
      });
    }
  });
});

describe("paging", () => {
  it("follows absolute nextLinks across more than one page", async () => {
    const pc = policyClient(sim, token);
    sim.configure({ pageSize: 5 });
    for (let i = 0; i < 12; i++)
      await pc.policyDefinitions.createOrUpdateAtManagementGroup("online", `page-${String(i).padStart(2, "0")}`, def());
    sim.resetCounters();
    const pages: number[] = [];
    for await (const p of pc.policyDefinitions.listByManagementGroup("online", { filter: "atExactScope()" }).byPage()) pages.push(p.length);
    expect(pages).toEqual([5, 5, 2]);
    expect(sim.counters().PolicyDefinitions_ListByManagementGroup).toBe(3);
    const names: string[] = [];
    for await (const d of pc.policyDefinitions.listByManagementGroup("online", { filter: "atExactScope()" })) names.push(d.name!);
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, "0")}`));
    for (const n of names) await pc.policyDefinitions.deleteAtManagementGroup("online", n);
  });
});

describe("authorization", () => {
  it("answers 403 AuthorizationFailed naming the missing action, and honours grant scopes", async () => {
    const reader = sim.issueToken(DEMO_READER_APP.appId);
    const rc = policyClient(sim, reader);
    // Reads are allowed…
    expect((await rc.policyAssignments.get(MG_SCOPE, "allowed-locations")).name).toBe("allowed-locations");
    // …writes are not.
    const denied = await failure(rc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-denied", def()));
    expect(denied).toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    expect(denied.message).toContain("'Microsoft.Authorization/policyDefinitions/write'");
    const deniedAssign = await failure(rc.policyAssignments.delete(MG_SCOPE, "allowed-locations"));
    expect(deniedAssign.message).toContain("'Microsoft.Authorization/policyAssignments/delete'");

    const scoped = sim.registerApp({
      displayName: "corp-only",
      grants: [{ role: "Resource Policy Contributor", scope: "/providers/Microsoft.Management/managementGroups/corp-prod" }],
    });
    const sc = policyClient(sim, sim.issueToken(scoped.appId));
    await sc.policyDefinitions.createOrUpdateAtManagementGroup("corp-prod", "pp-scoped", def());
    expect(await failure(sc.policyDefinitions.createOrUpdateAtManagementGroup(MG, "pp-scoped", def()))).toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    await sc.policyDefinitions.deleteAtManagementGroup("corp-prod", "pp-scoped");

    const unknown = await failure(policyClient(sim, "not-a-token").policyDefinitions.getAtManagementGroup(MG, "deny-public-ip"));
    expect(unknown).toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
    const expiring = sim.issueToken(DEMO_APP.appId, { lifetimeSec: 0.001 });
    await new Promise((r) => setTimeout(r, 5));
    expect(await failure(policyClient(sim, expiring).policyDefinitions.getAtManagementGroup(MG, "deny-public-ip"))).toMatchObject({
      statusCode: 401,
      code: "ExpiredAuthenticationToken",
    });
  });
});

describe("throttling and faults", () => {
  it("answers 429 with Retry-After, which the SDK waits out and retries", async () => {
    sim.configure({ throttle: { read: { burst: 2, ratePerSec: 2 }, write: { burst: 200, ratePerSec: 10 } } });
    sim.resetCounters();
    const pc = policyClient(sim, token);
    const results = await Promise.all([1, 2, 3].map(() => pc.policyAssignments.get(MG_SCOPE, "allowed-locations")));
    expect(results.map((r) => r.name)).toEqual(["allowed-locations", "allowed-locations", "allowed-locations"]);
    expect(sim.counters().Throttled).toBeGreaterThanOrEqual(1);

    sim.configure({ throttle: { read: { burst: 1, ratePerSec: 0.01 } } });
    const noRetry = policyClient(sim, token, { maxRetries: 0 });
    await noRetry.policyAssignments.get(MG_SCOPE, "allowed-locations");
    const throttled = await failure(noRetry.policyAssignments.get(MG_SCOPE, "allowed-locations"));
    expect(throttled).toMatchObject({ statusCode: 429, code: "TenantRequestsThrottled" });
  });

  it("injects 500 and 503 faults in ARM's error shape", async () => {
    const pc = policyClient(sim, token, { maxRetries: 0 });
    sim.configure({ faults: { errorRate: 1 } });
    expect(await failure(pc.policyAssignments.get(MG_SCOPE, "allowed-locations"))).toMatchObject({
      statusCode: 500,
      code: "InternalServerError",
    });
    sim.configure({ faults: { outages: [{ start: Date.now() - 1000, end: Date.now() + 60_000 }] } });
    expect(await failure(pc.policyAssignments.get(MG_SCOPE, "allowed-locations"))).toMatchObject({
      statusCode: 503,
      code: "ServiceUnavailable",
    });
    sim.configure({ faults: {} });
    expect((await pc.policyAssignments.get(MG_SCOPE, "allowed-locations")).name).toBe("allowed-locations");
  });
});
