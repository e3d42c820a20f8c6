/**
 * The control catalog: cloud-agnostic controls, their per-cloud compilers, the builders that turn
 * compiled fragments into native artifacts within provider limits, and the scenario runner.
 */
export * from "./types.ts";
export * from "./principals.ts";
export { listControls, getControl, CONTROL_IDS } from "./catalog.ts";
export { compileControl, parseParams, buildContext, CatalogError, type TCompileInput, type TCompiled } from "./compile.ts";
export { LimitError } from "@parapet/providers/common/limit-error";
export { buildAzureInitiative, type TAzureScopeArtifacts } from "@parapet/providers/azure/packing";
export { buildGcpNodeArtifacts, type TGcpNodeArtifacts } from "@parapet/providers/gcp/packing";
export { buildOciPolicies, buildOciPoliciesForTarget, ociSecurityZonePolicyNames, renderOciStatement } from "@parapet/providers/oci/packing";
export { runScenarios, simulateAws, evaluateGcpCondition, type TScenarioResult, type TRawPrincipals } from "./scenarios.ts";
export { stableStringify } from "./canonical.ts";
export {
  packAwsPolicies,
  canonicalStatement,
  AwsPackingError,
  type TAwsBoundStatement,
  type TAwsPackInput,
  type TAwsPackResult,
  type TAwsPackTarget,
  type TAwsPackingIssue,
  type TAwsAttachment,
} from "@parapet/providers/aws/packing";
