/**
 * Posture on Azure, GCP and OCI: the customer's own policies (shaped as each cloud's read APIs return
 * them) judged by the catalog's scenarios with the catalog's evaluators, plus lockout and slot use.
 */
import { describe, expect, it } from "vitest";
import type { ForeignPolicy } from "@parapet/providers/contract";
import { renderOciStatement } from "@parapet/providers/oci/packing";
import { getControl } from "../catalog/catalog.ts";
import { compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import type { TCloud, TGcpFragment, TOciFragment } from "../catalog/types.ts";
import { OCI_SCENARIO_COMPARTMENTS, OCI_SCENARIO_TENANCY } from "../impact/oci-scenarios.ts";
import { effectiveForeign, type TPostureNodeRef } from "./effective.ts";
import { evaluatePosture } from "./evaluate.ts";
import { connectorLockouts, postureSlots } from "./fit.ts";

function compiled<C extends TCloud>(controlId: string, cloud: C) {
  return compileControl(getControl(controlId)!, {
    cloud,
    mode: "enforce",
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params: {},
    principals: SCENARIO_PRINCIPALS[cloud],
    facts: SCENARIO_FACTS[cloud],
  }).fragment;
}

// ---------------------------------------------------------------- Azure
const MG_ROOT = { externalId: "contoso-root", name: "Contoso", kind: "management-group" };
const SUB = { externalId: "11111111-2222-4333-8444-555555555555", name: "prod-payments", kind: "subscription" };
const AZ_CHAIN: TPostureNodeRef[] = [MG_ROOT, SUB];
const MG_SCOPE = "/providers/Microsoft.Management/managementGroups/contoso-root";
const ASSIGNMENT_ID = `${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/allowed-locations`;

/** The built-in "Allowed locations" (e56962a6) and "Allowed locations for resource groups" (e765b5de) rules, verbatim from Azure/azure-policy. */
const builtInLocations = (locations: string[]) => [
  {
    referenceId: "AllowedLocations",
    definition: {
      name: "e56962a6-4747-49cd-b67b-bf8b01975c4c",
      properties: {
        mode: "Indexed",
        policyRule: {
          if: {
            allOf: [
              { field: "location", notIn: "[parameters('listOfAllowedLocations')]" },
              { field: "location", notEquals: "global" },
              { field: "type", notEquals: "Microsoft.AzureActiveDirectory/b2cDirectories" },
            ],
          },
          then: { effect: "deny" },
        },
        parameters: { listOfAllowedLocations: { type: "Array" } },
      },
    },
    parameters: { listOfAllowedLocations: { value: locations } },
  },
  {
    referenceId: "AllowedLocationsForResourceGroups",
    definition: {
      name: "e765b5de-1225-4ba3-bd56-1ac6695af988",
      properties: {
        mode: "All",
        policyRule: {
          if: {
            allOf: [
              { field: "type", equals: "Microsoft.Resources/subscriptions/resourceGroups" },
              { field: "location", notIn: "[parameters('listOfAllowedLocations')]" },
            ],
          },
          then: { effect: "deny" },
        },
        parameters: { listOfAllowedLocations: { type: "Array" } },
      },
    },
    parameters: { listOfAllowedLocations: { value: locations } },
  },
];

const azureAssignment = (enforcementMode = "Default"): ForeignPolicy => ({
  kind: "azure.policy-assignment",
  externalId: ASSIGNMENT_ID,
  name: "Data residency (EU)",
  attachments: ["contoso-root"],
  body: { scope: MG_SCOPE, enforcementMode, notScopes: [], policies: builtInLocations(["northeurope", "westeurope"]) },
  size: 0,
  managedBy: "builtin",
});

async function azure(inventory: ForeignPolicy[]) {
  return evaluatePosture({
    control: getControl("restrict-regions")!,
    cloud: "azure",
    effective: effectiveForeign("azure", inventory, AZ_CHAIN),
    principals: SCENARIO_PRINCIPALS.azure,
    facts: SCENARIO_FACTS.azure,
  });
}

describe("Azure posture", () => {
  it("credits a built-in initiative assignment that enforces the control", async () => {
    const v = await azure([azureAssignment()]);
    expect(v.status).toBe("enforced");
    expect(v.enforcedBy).toEqual(["Data residency (EU)"]);
  });

  it("an exemption that admits too much makes it partial, naming the failing scenario", async () => {
    const v = await azure([
      azureAssignment(),
      {
        kind: "azure.policy-exemption",
        externalId: `/subscriptions/${SUB.externalId}/providers/Microsoft.Authorization/policyExemptions/rg-anywhere`,
        name: "rg-anywhere",
        attachments: [SUB.externalId],
        body: {
          scope: `/subscriptions/${SUB.externalId}`,
          policyAssignmentId: ASSIGNMENT_ID,
          policyDefinitionReferenceIds: ["AllowedLocationsForResourceGroups"],
          exemptionCategory: "Waiver",
        },
        size: 0,
      },
    ]);
    expect(v.status).toBe("partial");
    expect(v.failing.map((f) => f.name)).toEqual(["a resource group outside the allowed locations is denied"]);
  });

  it("an assignment in DoNotEnforce denies nothing", async () => {
    expect((await azure([azureAssignment("DoNotEnforce")])).status).toBe("none");
  });

  it("an assignment refusing policy assignments is a lockout risk, reported before any write", async () => {
    const lock: ForeignPolicy = {
      kind: "azure.policy-assignment",
      externalId: `${MG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/no-policy-changes`,
      name: "Freeze policy changes",
      attachments: ["contoso-root"],
      body: {
        scope: MG_SCOPE,
        enforcementMode: "Default",
        notScopes: [],
        policies: [
          {
            referenceId: "freeze",
            definition: {
              name: "freeze",
              properties: {
                mode: "All",
                policyRule: { if: { field: "type", like: "Microsoft.Authorization/policy*" }, then: { effect: "deny" } },
                parameters: {},
              },
            },
            parameters: {},
          },
        ],
      },
      size: 0,
    };
    const l = await connectorLockouts({
      cloud: "azure",
      effective: effectiveForeign("azure", [lock, azureAssignment()], [MG_ROOT]),
      principals: SCENARIO_PRINCIPALS.azure,
      facts: SCENARIO_FACTS.azure,
    });
    expect(l.map((x) => x.call)).toContain("Microsoft.Authorization/policyAssignments/write");
    expect(new Set(l.flatMap((x) => x.by))).toEqual(new Set(["Freeze policy changes"]));
    expect(
      await connectorLockouts({
        cloud: "azure",
        effective: effectiveForeign("azure", [azureAssignment()], [MG_ROOT]),
        principals: SCENARIO_PRINCIPALS.azure,
        facts: SCENARIO_FACTS.azure,
      }),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------- GCP
const ORG = { externalId: `organizations/${SCENARIO_FACTS.gcp.organizationId}`, name: "example.com", kind: "organization" };
const PROJECT = { externalId: "projects/1234", name: "prod-app", kind: "project" };
const GCP_CHAIN: TPostureNodeRef[] = [ORG, { externalId: "folders/77", name: "prod", kind: "folder" }, PROJECT];

function gcpDenyPolicy(name: string, fragment: TGcpFragment, at: string): ForeignPolicy {
  return {
    kind: "gcp.deny-policy",
    externalId: `policies/x/denypolicies/${name}`,
    name,
    attachments: [at],
    body: { rules: fragment.denyRules.map((r) => ({ denyRule: r.denyRule })) },
    size: 0,
  };
}

async function gcp(controlId: string, inventory: ForeignPolicy[]) {
  return evaluatePosture({
    control: getControl(controlId)!,
    cloud: "gcp",
    effective: effectiveForeign("gcp", inventory, GCP_CHAIN),
    principals: SCENARIO_PRINCIPALS.gcp,
    facts: SCENARIO_FACTS.gcp,
  });
}

describe("GCP posture", () => {
  it("credits the customer's org policy (gcp.resourceLocations) set at the organization", async () => {
    const v = await gcp("restrict-regions", [
      {
        kind: "gcp.org-policy",
        externalId: `${ORG.externalId}/policies/gcp.resourceLocations`,
        name: "gcp.resourceLocations @ org",
        attachments: [ORG.externalId],
        body: { constraint: "gcp.resourceLocations", spec: { rules: [{ values: { allowedValues: ["in:eu-locations"] } }] } },
        size: 0,
      },
    ]);
    expect(v.status).toBe("enforced");
    expect(v.enforcedBy).toEqual(["gcp.resourceLocations @ org"]);
  });

  it("a folder policy that replaces the organization's with allowAll undoes it", async () => {
    const v = await gcp("restrict-regions", [
      {
        kind: "gcp.org-policy",
        externalId: `${ORG.externalId}/policies/gcp.resourceLocations`,
        name: "org locations",
        attachments: [ORG.externalId],
        body: { constraint: "gcp.resourceLocations", spec: { rules: [{ values: { allowedValues: ["in:eu-locations"] } }] } },
        size: 0,
      },
      {
        kind: "gcp.org-policy",
        externalId: "folders/77/policies/gcp.resourceLocations",
        name: "prod folder anywhere",
        attachments: ["folders/77"],
        body: { constraint: "gcp.resourceLocations", spec: { rules: [{ allowAll: true }] } },
        size: 0,
      },
    ]);
    expect(v.status).toBe("none");
    expect(v.failing.map((f) => f.name)).toEqual(["a bucket created in us-east1 is refused"]);
  });

  it("credits a deny policy equal in effect, and marks one missing a permission partial with that scenario", async () => {
    const f = compiled("agent-no-destructive-actions", "gcp");
    const full = await gcp("agent-no-destructive-actions", [gcpDenyPolicy("no-agent-deletes", f, ORG.externalId)]);
    expect(full.status).toBe("enforced");
    expect(full.enforcedBy).toEqual(["no-agent-deletes"]);
    const holed: TGcpFragment = {
      ...f,
      denyRules: f.denyRules.map((r) => ({
        ...r,
        denyRule: { ...r.denyRule, deniedPermissions: r.denyRule.deniedPermissions.filter((p) => !p.endsWith("buckets.delete")) },
      })),
    };
    const partial = await gcp("agent-no-destructive-actions", [gcpDenyPolicy("no-agent-deletes", holed, "folders/77")]);
    expect(partial.status).toBe("partial");
    expect(partial.failing.map((x) => x.name)).toEqual(["an agent deleting a bucket in prod is denied"]);
  });

  it("a deny policy that denies the connector org-policy writes is a lockout risk", async () => {
    const lock: ForeignPolicy = {
      kind: "gcp.deny-policy",
      externalId: "policies/org/denypolicies/freeze",
      name: "freeze-org-policy",
      attachments: [ORG.externalId],
      body: {
        rules: [
          {
            denyRule: {
              deniedPrincipals: ["principalSet://goog/public:all"],
              exceptionPrincipals: ["principalSet://goog/group/platform-admins@example.com"],
              deniedPermissions: ["orgpolicy.googleapis.com/policies.create", "orgpolicy.googleapis.com/policies.update"],
            },
          },
        ],
      },
      size: 0,
    };
    const l = await connectorLockouts({
      cloud: "gcp",
      effective: effectiveForeign("gcp", [lock], [ORG]),
      principals: SCENARIO_PRINCIPALS.gcp,
      facts: SCENARIO_FACTS.gcp,
    });
    expect(l.map((x) => x.call)).toEqual(["orgpolicy.policies.create", "orgpolicy.policies.update"]);
    expect(l[0]!.by).toEqual(["freeze-org-policy"]);
  });
});

// ---------------------------------------------------------------- OCI
const TENANCY = { externalId: OCI_SCENARIO_TENANCY, name: "acme", kind: "tenancy" };
const PROD = { externalId: OCI_SCENARIO_COMPARTMENTS.prod, name: "prod", kind: "compartment" };
const OCI_CHAIN: TPostureNodeRef[] = [TENANCY, PROD];

function ociPolicy(name: string, compartmentId: string, statements: string[]): ForeignPolicy {
  return {
    kind: "oci.policy",
    externalId: `ocid1.policy.oc1..${name}`,
    name,
    attachments: [compartmentId],
    body: { compartmentId, statements },
    size: 0,
  };
}

async function oci(controlId: string, inventory: ForeignPolicy[]) {
  return evaluatePosture({
    control: getControl(controlId)!,
    cloud: "oci",
    effective: effectiveForeign("oci", inventory, OCI_CHAIN),
    principals: SCENARIO_PRINCIPALS.oci,
    facts: SCENARIO_FACTS.oci,
  });
}

describe("OCI posture", () => {
  const f = compiled("agent-no-destructive-actions", "oci");
  const texts = (parts: TOciFragment["statements"], loc: string) => parts.map((p) => renderOciStatement(p, loc));

  it("credits the customer's deny statements in the tenancy", async () => {
    const v = await oci("agent-no-destructive-actions", [ociPolicy("AgentGuard", OCI_SCENARIO_TENANCY, texts(f.statements, "tenancy"))]);
    expect(v.failing).toEqual([]);
    expect(v.status).toBe("enforced");
    expect(v.enforcedBy).toEqual(["AgentGuard"]);
  });

  it("statements of another compartment do not apply; a statement dropped is a named hole", async () => {
    expect(
      (await oci("agent-no-destructive-actions", [ociPolicy("AgentGuard", OCI_SCENARIO_TENANCY, texts(f.statements, "compartment dev"))]))
        .status,
    ).toBe("none");
    // The customer's copy forgot bucket deletion.
    const holed = f.statements.filter((s) => !(s.where ?? "").includes("'BUCKET_DELETE'"));
    const v = await oci("agent-no-destructive-actions", [ociPolicy("AgentGuard", OCI_SCENARIO_TENANCY, texts(holed, "tenancy"))]);
    expect(v.status).toBe("partial");
    expect(v.failing.map((x) => x.name)).toEqual(["an agent's instance principal cannot delete a prod bucket"]);
  });

  it("a deny on managing policies in the tenancy locks the connector out", async () => {
    const lock = ociPolicy("FreezeIam", OCI_SCENARIO_TENANCY, ["deny any-user to manage policies in tenancy"]);
    const l = await connectorLockouts({
      cloud: "oci",
      effective: effectiveForeign("oci", [lock], [TENANCY]),
      principals: SCENARIO_PRINCIPALS.oci,
      facts: SCENARIO_FACTS.oci,
    });
    expect(l.map((x) => x.call)).toEqual(["CreatePolicy", "UpdatePolicy", "DeletePolicy"]);
    expect(l[0]!.by).toEqual(["FreezeIam"]);
  });
});

describe("slots the customer's policies take", () => {
  it("counts SCPs per target against 10 and the largest document against 10,240 characters", () => {
    const s = postureSlots("aws", [
      {
        kind: "aws.scp",
        externalId: "p-FullAWSAccess",
        name: "FullAWSAccess",
        attachments: ["r-1", "ou-1"],
        body: {},
        size: 94,
        managedBy: "aws",
      },
      {
        kind: "aws.scp",
        externalId: "p-a",
        name: "aws-guardrails-abc",
        attachments: ["ou-1"],
        body: {},
        size: 4100,
        managedBy: "control-tower",
      },
      { kind: "aws.rcp", externalId: "p-r", name: "EnforceTLS", attachments: ["r-1"], body: {}, size: 300 },
    ]);
    expect(s).toEqual([
      {
        target: "ou-1",
        what: "SCPs",
        used: 2,
        limit: 10,
        policies: ["FullAWSAccess", "aws-guardrails-abc"],
        largestChars: 4100,
        charLimit: 10240,
      },
      { target: "r-1", what: "RCPs", used: 1, limit: 5, policies: ["EnforceTLS"], largestChars: 300, charLimit: 5120 },
      { target: "r-1", what: "SCPs", used: 1, limit: 10, policies: ["FullAWSAccess"], largestChars: 94, charLimit: 10240 },
    ]);
  });
});
