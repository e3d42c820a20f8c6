import { describe, expect, it } from "vitest";
import { isOwnedByWorkspaceAzure } from "@parapet/providers/azure/markers";
import { buildAzureInitiative } from "@parapet/providers/azure/packing";
import { LimitError } from "@parapet/providers/common/limit-error";
import { buildGcpNodeArtifacts } from "@parapet/providers/gcp/packing";
import { buildOciPolicies } from "@parapet/providers/oci/packing";
import type { TAzureFragment, TGcpFragment, TOciFragment } from "./types.ts";

describe("buildGcpNodeArtifacts", () => {
  const frag = (id: string, dryRun: boolean, rules: TGcpFragment["orgPolicies"]): TGcpFragment => ({
    cloud: "gcp",
    guardrailId: id,
    dryRun,
    orgPolicies: rules,
    customConstraints: [],
    attachDenyRules: !dryRun,
    denyRules: [
      {
        description: id,
        denyRule: { deniedPrincipals: ["principalSet://goog/public:all"], deniedPermissions: ["storage.googleapis.com/buckets.delete"] },
      },
    ],
  });
  it("makes one policy per constraint and one deny policy per node, skipping audit deny rules", () => {
    const a = buildGcpNodeArtifacts(
      "folders/1",
      [
        frag("g1", false, [{ constraint: "custom.parapetNoPublicSql", rules: [{ enforce: true }] }]),
        frag("g2", true, [{ constraint: "custom.parapetNoPublicSql", rules: [{ enforce: true }] }]),
      ],
      "ws1",
    );
    expect(a.policies).toHaveLength(1);
    expect(a.policies[0]).toEqual({
      name: "folders/1/policies/custom.parapetNoPublicSql",
      spec: { rules: [{ enforce: true }] },
      dryRunSpec: { rules: [{ enforce: true }] },
    });
    expect(a.denyPolicy?.rules).toHaveLength(1);
    expect(a.denyPolicy?.name).toMatch(
      /^policies\/cloudresourcemanager\.googleapis\.com%2Ffolders%2F1\/denypolicies\/parapet-ws1-[0-9a-f]{12}$/,
    );
    expect(a.denyPolicy?.labels).toEqual({ "parapet-managed": "ws1" });
  });
  it("an audit-mode rule on a legacy constraint is compiled but not attached (GCP refuses dryRunSpec there)", () => {
    const legacy = buildGcpNodeArtifacts(
      "folders/1",
      [frag("g1", true, [{ constraint: "sql.restrictPublicIp", rules: [{ enforce: true }] }])],
      "ws1",
    );
    expect(legacy.policies).toEqual([]);
    // Enforced by another guardrail at the same node: the live spec stays, no dry-run spec is added.
    const mixed = buildGcpNodeArtifacts(
      "folders/1",
      [
        frag("g1", false, [{ constraint: "sql.restrictPublicIp", rules: [{ enforce: true }] }]),
        frag("g2", true, [{ constraint: "sql.restrictPublicIp", rules: [{ enforce: true }] }]),
      ],
      "ws1",
    );
    expect(mixed.policies).toEqual([{ name: "folders/1/policies/sql.restrictPublicIp", spec: { rules: [{ enforce: true }] } }]);
  });
  it("custom and managed constraints keep their dry-run policy", () => {
    for (const constraint of ["custom.parapetNoPublicSql", "compute.managed.restrictProtocolForwardingCreationForTypes"]) {
      const a = buildGcpNodeArtifacts("folders/1", [frag("g1", true, [{ constraint, rules: [{ enforce: true }] }])], "ws1");
      expect(a.policies).toEqual([{ name: `folders/1/policies/${constraint}`, dryRunSpec: { rules: [{ enforce: true }] } }]);
    }
  });
});

describe("buildAzureInitiative", () => {
  const part = (i: number) => ({
    referenceId: `g-${String(i).padStart(4, "0")}`,
    parameters: { effect: { value: "deny" } },
    definition: {
      name: `parapet-ws1-${i}`,
      properties: {
        policyType: "Custom" as const,
        mode: "All" as const,
        displayName: "d",
        description: "d",
        policyRule: { if: { field: "type", equals: "x" }, then: { effect: "deny" } },
        parameters: {},
        metadata: {},
      },
    },
  });
  it("builds one initiative and assignment per enforcement mode, owned by the workspace", () => {
    const enforce: TAzureFragment = { cloud: "azure", guardrailId: "g1", enforcementMode: "Default", policies: [part(1)] };
    const audit: TAzureFragment = { cloud: "azure", guardrailId: "g2", enforcementMode: "DoNotEnforce", policies: [part(2)] };
    const r = buildAzureInitiative("providers/Microsoft.Management/managementGroups/prod", [audit, enforce], {
      workspaceId: "ws1",
      definitionScope: "providers/Microsoft.Management/managementGroups/root",
    });
    expect(r.assignments.map((a) => a.properties.enforcementMode)).toEqual(["Default", "DoNotEnforce"]);
    expect(r.assignments.every((a) => a.name.length <= 24 && isOwnedByWorkspaceAzure(a, "ws1"))).toBe(true);
    expect(r.initiatives[0]!.properties.policyDefinitions[0]!.policyDefinitionId).toBe(
      "/providers/Microsoft.Management/managementGroups/root/providers/Microsoft.Authorization/policyDefinitions/parapet-ws1-1",
    );
  });
  it("fails clearly beyond 1,000 policies in one initiative", () => {
    const big: TAzureFragment = {
      cloud: "azure",
      guardrailId: "huge",
      enforcementMode: "Default",
      policies: Array.from({ length: 1001 }, (_, i) => part(i)),
    };
    expect(() => buildAzureInitiative("mg/prod", [big], { workspaceId: "ws1", definitionScope: "mg/root" })).toThrow(LimitError);
    expect(() => buildAzureInitiative("mg/prod", [big], { workspaceId: "ws1", definitionScope: "mg/root" })).toThrow(
      /1001 policies in one initiative but the limit is 1000; guardrails involved: huge/,
    );
  });
});

describe("buildOciPolicies", () => {
  it("renders compartment-relative statements, splits at 50 and skips audit fragments", () => {
    const f: TOciFragment = {
      cloud: "oci",
      guardrailId: "g1",
      attach: true,
      statements: Array.from({ length: 60 }, (_, i) => ({
        head: `deny group G${String(i).padStart(2, "0")} to manage buckets`,
        where: "request.permission = 'BUCKET_DELETE'",
      })),
      securityZonePolicies: [],
    };
    const audit: TOciFragment = { ...f, guardrailId: "g2", attach: false, statements: [{ head: "deny group Audit to manage buckets" }] };
    const r = buildOciPolicies("ocid1.tenancy.oc1..aaaa", "compartment prod", [f, audit], "ws1");
    expect(r.map((p) => p.statements.length)).toEqual([50, 10]);
    expect(r[0]!.statements[0]).toBe("deny group G00 to manage buckets in compartment prod where request.permission = 'BUCKET_DELETE'");
    expect(r.flatMap((p) => p.statements).some((s) => s.includes("Audit"))).toBe(false);
    expect(r[0]!.freeformTags).toEqual({ "parapet-managed": "ws1" });
  });
});
