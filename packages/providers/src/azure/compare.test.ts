import { describe, expect, it } from "vitest";
import {
  assignmentFromCloud,
  cleanMetadata,
  compareAssignment,
  compareDefinition,
  compareExemption,
  compareSetDefinition,
  definitionFromCloud,
  definitionEffect,
  effectStrength,
  exemptionFromCloud,
  foreignMetadata,
  setDefinitionFromCloud,
} from "./compare.ts";
import type { TAzurePolicyAssignment, TAzurePolicyDefinition, TAzurePolicyExemption, TAzurePolicySetDefinition } from "./types.ts";

const ROOT = "/providers/Microsoft.Management/managementGroups/root";

const definition: TAzurePolicyDefinition = {
  name: "parapet-ws1-abc",
  properties: {
    policyType: "Custom",
    mode: "All",
    displayName: "Parapet: no deletes",
    description: "Blocks deletes",
    policyRule: {
      if: { field: "type", in: ["Microsoft.Storage/storageAccounts"] },
      then: { effect: "[parameters('effect')]", details: { actionNames: ["delete"] } },
    },
    parameters: { effect: { type: "String", allowedValues: ["denyAction", "disabled"], defaultValue: "denyAction" } },
    metadata: { parapetOwner: "ws1", category: "Parapet" },
  },
};

const initiative: TAzurePolicySetDefinition = {
  name: "parapet-ws1-init",
  properties: {
    policyType: "Custom",
    displayName: "Parapet guardrails (enforce)",
    description: "Guardrails: g1",
    metadata: { parapetOwner: "ws1" },
    parameters: {},
    policyDefinitions: [
      {
        policyDefinitionId: `${ROOT}/providers/Microsoft.Authorization/policyDefinitions/a`,
        policyDefinitionReferenceId: "g1-a",
        parameters: { effect: { value: "deny" } },
      },
      {
        policyDefinitionId: `${ROOT}/providers/Microsoft.Authorization/policyDefinitions/b`,
        policyDefinitionReferenceId: "g1-b",
        parameters: { effect: { value: "denyAction" } },
      },
    ],
  },
};

const assignment: TAzurePolicyAssignment = {
  name: "parapet-0123456789abcdef",
  properties: {
    displayName: "Parapet guardrails (enforce)",
    description: "Guardrails: g1",
    policyDefinitionId: `${ROOT}/providers/Microsoft.Authorization/policySetDefinitions/parapet-ws1-init`,
    enforcementMode: "Default",
    notScopes: [],
    parameters: {},
    metadata: { parapetOwner: "ws1", parapetScope: "providers/Microsoft.Management/managementGroups/prod" },
  },
};

const armStamps = { createdBy: "5e0c7a52", createdOn: "2026-11-25T10:00:00Z", updatedBy: null, updatedOn: null };

/** What the SDK hands back for a definition Parapet wrote: flattened, with server-set extras. */
function sdkDefinition(d: TAzurePolicyDefinition, patch: Record<string, unknown> = {}) {
  return {
    id: `${ROOT}/providers/Microsoft.Authorization/policyDefinitions/${d.name}`,
    name: d.name,
    type: "Microsoft.Authorization/policyDefinitions",
    version: "1.0.0",
    versions: ["1.0.0"],
    ...structuredClone(d.properties),
    metadata: { ...d.properties.metadata, ...armStamps },
    ...patch,
  };
}

describe("normalisation", () => {
  it("drops ARM's metadata stamps and server-set fields, so an untouched read compares equal", () => {
    const seen = definitionFromCloud(sdkDefinition(definition), definition.name);
    expect(seen).toEqual(definition);
    expect(compareDefinition(definition, seen)).toEqual({ equal: true });
  });

  it("fills what ARM omits with the values the desired shape uses", () => {
    const seen = assignmentFromCloud(
      {
        name: assignment.name,
        policyDefinitionId: assignment.properties.policyDefinitionId,
        displayName: assignment.properties.displayName,
        description: assignment.properties.description,
        metadata: { ...assignment.properties.metadata, ...armStamps },
      },
      assignment.name,
    );
    expect(seen).toEqual(assignment);
    expect(compareAssignment(assignment, seen)).toEqual({ equal: true });
  });

  it("keeps the order of initiative references irrelevant and reference parameters intact", () => {
    const seen = setDefinitionFromCloud(
      {
        name: initiative.name,
        ...initiative.properties,
        policyDefinitions: [...initiative.properties.policyDefinitions].reverse().map((r) => ({ ...r, definitionVersion: "1.*.*" })),
      },
      initiative.name,
    );
    expect(compareSetDefinition(initiative, seen)).toEqual({ equal: true });
  });

  it("treats ARM ids case-insensitively", () => {
    const seen = {
      ...assignment,
      properties: { ...assignment.properties, policyDefinitionId: assignment.properties.policyDefinitionId.toLowerCase() },
    };
    expect(compareAssignment(assignment, seen)).toEqual({ equal: true });
  });

  it("separates other tools' metadata from Parapet's", () => {
    expect(cleanMetadata({ ...armStamps, a: 1 })).toEqual({ a: 1 });
    expect(foreignMetadata({ ...armStamps, parapetOwner: "ws1", ticket: "CHG-1" }, { parapetOwner: "ws1" })).toEqual({ ticket: "CHG-1" });
  });

  it("normalises exemptions from ARM's nested shape", () => {
    const e = exemptionFromCloud(
      {
        name: "x",
        properties: {
          policyAssignmentId: "/a",
          exemptionCategory: "Waiver",
          expiresOn: "2030-01-01T00:00:00Z",
          metadata: { ...armStamps, parapetOwner: "ws1" },
        },
      },
      "x",
    );
    expect(e).toEqual({
      name: "x",
      properties: {
        policyAssignmentId: "/a",
        policyDefinitionReferenceIds: [],
        exemptionCategory: "Waiver",
        displayName: "",
        description: "",
        expiresOn: "2030-01-01T00:00:00.000Z",
        metadata: { parapetOwner: "ws1" },
      },
    });
  });
});

describe("effects", () => {
  it("resolves a parameterised effect to its default and ranks effects by protection", () => {
    expect(definitionEffect(definition)).toBe("denyAction");
    expect(effectStrength("Deny")).toBe(effectStrength("denyAction"));
    expect(effectStrength("audit")! < effectStrength("deny")!).toBe(true);
    expect(effectStrength("disabled")).toBe(0);
    expect(effectStrength("[parameters('x')]")).toBeUndefined();
  });
});

describe("compareDefinition", () => {
  const withRule = (then: Record<string, unknown>, extra: Partial<TAzurePolicyDefinition["properties"]> = {}): TAzurePolicyDefinition => ({
    ...definition,
    properties: {
      ...definition.properties,
      policyRule: { ...definition.properties.policyRule, then: then as { effect: string } },
      ...extra,
    },
  });

  it("an effect turned into audit or disabled is weakened", () => {
    const audit = compareDefinition(definition, withRule({ effect: "audit", details: { actionNames: ["delete"] } }));
    expect(audit).toMatchObject({ equal: false, kind: "weakened" });
    if (!audit.equal) expect(audit.detail).toContain("effect changed from denyAction to audit");
    const byDefault = compareDefinition(definition, {
      ...definition,
      properties: {
        ...definition.properties,
        parameters: { effect: { ...definition.properties.parameters.effect!, defaultValue: "disabled" } },
      },
    });
    expect(byDefault).toMatchObject({ equal: false, kind: "weakened" });
  });

  it("the same effect written as a literal is only modified", () => {
    expect(compareDefinition(definition, withRule({ effect: "denyAction", details: { actionNames: ["delete"] } }))).toMatchObject({
      equal: false,
      kind: "modified",
    });
  });

  it("mode All narrowed to Indexed is weakened; a changed condition or text is modified", () => {
    expect(compareDefinition(definition, { ...definition, properties: { ...definition.properties, mode: "Indexed" } })).toMatchObject({
      equal: false,
      kind: "weakened",
    });
    const cond = compareDefinition(definition, {
      ...definition,
      properties: { ...definition.properties, policyRule: { ...definition.properties.policyRule, if: { field: "type", equals: "x" } } },
    });
    expect(cond).toEqual({ equal: false, kind: "modified", detail: "policy rule condition changed" });
    expect(compareDefinition(definition, { ...definition, properties: { ...definition.properties, description: "edited" } })).toEqual({
      equal: false,
      kind: "modified",
      detail: "description changed to edited",
    });
  });

  it("metadata others add is not drift, but a changed Parapet key is", () => {
    expect(
      compareDefinition(definition, {
        ...definition,
        properties: { ...definition.properties, metadata: { ...definition.properties.metadata, owner: "team" } },
      }),
    ).toEqual({ equal: true });
    expect(
      compareDefinition(definition, {
        ...definition,
        properties: { ...definition.properties, metadata: { ...definition.properties.metadata, category: "Other" } },
      }),
    ).toMatchObject({ equal: false, kind: "modified" });
  });
});

describe("compareSetDefinition", () => {
  const refs = initiative.properties.policyDefinitions;
  const withRefs = (policyDefinitions: TAzurePolicySetDefinition["properties"]["policyDefinitions"]): TAzurePolicySetDefinition => ({
    ...initiative,
    properties: { ...initiative.properties, policyDefinitions },
  });

  it("policies removed from the initiative is weakened, added is modified", () => {
    const removed = compareSetDefinition(initiative, withRefs([refs[0]!]));
    expect(removed).toEqual({ equal: false, kind: "weakened", detail: "policies removed from the initiative: g1-b" });
    const extra = {
      policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/builtin",
      policyDefinitionReferenceId: "customer",
      parameters: {},
    };
    expect(compareSetDefinition(initiative, withRefs([...refs, extra]))).toEqual({
      equal: false,
      kind: "modified",
      detail: "policies added to the initiative: customer",
    });
  });

  it("a reference's effect lowered is weakened; pointing it elsewhere is weakened", () => {
    expect(
      compareSetDefinition(initiative, withRefs([{ ...refs[0]!, parameters: { effect: { value: "audit" } } }, refs[1]!])),
    ).toMatchObject({ equal: false, kind: "weakened" });
    expect(
      compareSetDefinition(
        initiative,
        withRefs([{ ...refs[0]!, policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/other" }, refs[1]!]),
      ),
    ).toMatchObject({
      equal: false,
      kind: "weakened",
    });
    expect(
      compareSetDefinition(initiative, withRefs([{ ...refs[0]!, parameters: { effect: { value: "denyAction" } } }, refs[1]!])),
    ).toMatchObject({ equal: false, kind: "modified" });
  });
});

describe("compareAssignment", () => {
  const seen = (patch: Record<string, unknown>) => ({ ...assignment, properties: { ...assignment.properties, ...patch } });

  it("enforcement turned off is weakened; turned on where audit is desired is modified", () => {
    expect(compareAssignment(assignment, seen({ enforcementMode: "DoNotEnforce" }))).toEqual({
      equal: false,
      kind: "weakened",
      detail: "enforcementMode is DoNotEnforce (desired Default)",
    });
    const audit = { ...assignment, properties: { ...assignment.properties, enforcementMode: "DoNotEnforce" as const } };
    expect(compareAssignment(audit, seen({ enforcementMode: "Default" }))).toMatchObject({ equal: false, kind: "modified" });
  });

  it("notScopes added is weakened, removed is modified", () => {
    expect(compareAssignment(assignment, seen({ notScopes: ["/subscriptions/1"] }))).toEqual({
      equal: false,
      kind: "weakened",
      detail: "notScopes added: /subscriptions/1",
    });
    const excluded = { ...assignment, properties: { ...assignment.properties, notScopes: ["/subscriptions/1"] } };
    expect(compareAssignment(excluded, seen({ notScopes: [] }))).toMatchObject({ equal: false, kind: "modified" });
    expect(compareAssignment(excluded, seen({ notScopes: ["/SUBSCRIPTIONS/1"] }))).toEqual({ equal: true });
  });

  it("overrides that lower the effect and resource selectors are weakened; weakening is reported first", () => {
    const r = compareAssignment(
      assignment,
      seen({
        displayName: "x",
        overrides: [{ kind: "policyEffect", value: "Disabled", selectors: [{ kind: "policyDefinitionReferenceId", in: ["g1-a"] }] }],
      }),
    );
    expect(r).toMatchObject({ equal: false, kind: "weakened" });
    if (!r.equal) expect(r.detail.startsWith("an override sets the effect to Disabled")).toBe(true);
    expect(
      compareAssignment(
        assignment,
        seen({ resourceSelectors: [{ name: "eu", selectors: [{ kind: "resourceLocation", in: ["westeurope"] }] }] }),
      ),
    ).toMatchObject({ equal: false, kind: "weakened" });
  });

  it("assigning something else is weakened", () => {
    expect(
      compareAssignment(assignment, seen({ policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/other" })),
    ).toMatchObject({ equal: false, kind: "weakened" });
  });
});

describe("compareExemption", () => {
  const exemption: TAzurePolicyExemption = {
    name: "parapet-ex",
    properties: {
      policyAssignmentId: "/a",
      policyDefinitionReferenceIds: ["g1-a"],
      exemptionCategory: "Waiver",
      displayName: "d",
      description: "",
      expiresOn: "2030-01-01T00:00:00.000Z",
      metadata: { parapetOwner: "ws1" },
    },
  };
  const seen = (patch: Partial<TAzurePolicyExemption["properties"]>) => ({
    ...exemption,
    properties: { ...exemption.properties, ...patch },
  });

  it("a longer, open-ended or broader exemption is weakened; a shorter one is modified", () => {
    expect(compareExemption(exemption, seen({ expiresOn: "2031-01-01T00:00:00.000Z" }))).toMatchObject({ kind: "weakened" });
    expect(compareExemption(exemption, seen({ expiresOn: "" }))).toMatchObject({ kind: "weakened" });
    expect(compareExemption(exemption, seen({ policyDefinitionReferenceIds: [] }))).toMatchObject({ kind: "weakened" });
    expect(compareExemption(exemption, seen({ expiresOn: "2029-01-01T00:00:00.000Z" }))).toMatchObject({ kind: "modified" });
    expect(compareExemption(exemption, seen({}))).toEqual({ equal: true });
  });
});

describe("parameter definitions as @azure/arm-policy 7 deserializes them", () => {
  it("an untouched definition compares equal: absent fields filled with undefined and metadata's additionalProperties are undone", () => {
    const desired: TAzurePolicyDefinition = {
      name: "pp-params",
      properties: {
        policyType: "Custom",
        mode: "All",
        displayName: "d",
        description: "",
        policyRule: { if: { field: "type", equals: "x" }, then: { effect: "[parameters('effect')]" } },
        parameters: {
          effect: { type: "String", allowedValues: ["Deny", "Audit"], defaultValue: "Deny", metadata: { displayName: "Effect" } },
        },
        metadata: { parapetOwner: "ws_1" },
      },
    };
    // What arm-policy 7.0.1's policyDefinitionDeserializer returns for the body ARM sent back.
    const fromSdk = {
      name: "pp-params",
      policyType: "Custom",
      mode: "All",
      displayName: "d",
      description: "",
      policyRule: desired.properties.policyRule,
      metadata: { parapetOwner: "ws_1" },
      parameters: {
        effect: {
          type: "String",
          allowedValues: ["Deny", "Audit"],
          defaultValue: "Deny",
          schema: undefined,
          metadata: {
            additionalProperties: {},
            displayName: "Effect",
            description: undefined,
            strongType: undefined,
            assignPermissions: undefined,
          },
        },
      },
    };
    expect(compareDefinition(desired, definitionFromCloud(fromSdk, "pp-params"))).toEqual({ equal: true });
    // Metadata keys the SDK does not model come back flat, and a real change is still seen.
    const extra = {
      ...fromSdk,
      parameters: {
        effect: { ...fromSdk.parameters.effect, metadata: { additionalProperties: { portalReview: true }, displayName: "Effect" } },
      },
    };
    expect(definitionFromCloud(extra, "pp-params").properties.parameters.effect!.metadata).toEqual({
      portalReview: true,
      displayName: "Effect",
    });
    const changed = { ...fromSdk, parameters: { effect: { ...fromSdk.parameters.effect, defaultValue: "Audit" } } };
    expect(compareDefinition(desired, definitionFromCloud(changed, "pp-params")).equal).toBe(false);
  });
});
