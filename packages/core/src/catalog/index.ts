/**
 * The control catalog: cloud-agnostic controls, their per-cloud compilers, the builders that turn
 * compiled fragments into native artifacts within provider limits, and the scenario runner.
 */
export * from "./types.ts";
export * from "./principals.ts";
export { listControls, getControl } from "./catalog.ts";
export { compileControl } from "./compile.ts";
export { LimitError } from "@parapet/providers/common/limit-error";
export { buildAzureInitiative } from "@parapet/providers/azure/packing";
export { buildGcpNodeArtifacts } from "@parapet/providers/gcp/packing";
export { buildOciPolicies, buildOciPoliciesForTarget, ociSecurityZonePolicyNames } from "@parapet/providers/oci/packing";
export { packAwsPolicies, type TAwsBoundStatement } from "@parapet/providers/aws/packing";
