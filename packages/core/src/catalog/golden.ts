import { packAwsPolicies } from "@parapet/providers/aws/packing";
import { buildAzureInitiative } from "@parapet/providers/azure/packing";
import { buildGcpNodeArtifacts } from "@parapet/providers/gcp/packing";
import { buildOciPolicies, ociSecurityZonePolicyNames } from "@parapet/providers/oci/packing";
import { compileControl } from "./compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "./fixtures.ts";
import type { TCloud, TControl, TGuardrailMode } from "./types.ts";

/**
 * Compiles a control for one cloud with the example connection and builds the native artifacts
 * a single target would receive: what golden files and `parapet compile` show.
 */
export function exampleArtifacts(control: TControl, cloud: TCloud, params: unknown = {}, mode: TGuardrailMode = "enforce"): unknown {
  const compiled = compileControl(control, {
    cloud,
    mode,
    workspaceId: SCENARIO_WORKSPACE_ID,
    guardrail: SCENARIO_GUARDRAIL,
    params,
    principals: SCENARIO_PRINCIPALS[cloud],
    facts: SCENARIO_FACTS[cloud],
  });
  const f = compiled.fragment;
  let artifacts: unknown;
  if (f.cloud === "aws") {
    artifacts = packAwsPolicies({
      workspaceId: SCENARIO_WORKSPACE_ID,
      targets: [{ targetId: "ou-exam-prod0001", statements: f.statements }],
    });
  } else if (f.cloud === "azure") {
    artifacts = buildAzureInitiative("providers/Microsoft.Management/managementGroups/prod", [f], {
      workspaceId: SCENARIO_WORKSPACE_ID,
      definitionScope: "providers/Microsoft.Management/managementGroups/contoso-root",
    });
  } else if (f.cloud === "gcp") {
    artifacts = buildGcpNodeArtifacts("folders/456", [f], SCENARIO_WORKSPACE_ID);
  } else {
    artifacts = {
      policies: buildOciPolicies("ocid1.compartment.oc1..aaaaaaaaprod", "compartment prod", [f], SCENARIO_WORKSPACE_ID),
      securityZonePolicies: ociSecurityZonePolicyNames([f]),
    };
  }
  return { controlId: control.id, cloud, fidelity: compiled.fidelity, gap: compiled.gap ?? null, fragment: f, artifacts };
}
