import type { ApplyResult, ArtifactKind, Change } from "../contract/types.ts";
import { invalid, type OciContext } from "./context.ts";
import { attachDetachPolicy, createPolicy, deletePolicy, policyBody, updatePolicy } from "./policies.ts";
import { attachZone, createZoneArtifact, deleteZoneArtifact, detachZone, updateRecipe, zoneBody } from "./security-zones.ts";

/** Routes a change to its artifact family (IAM policies, security zones). */
export async function applyOci(ctx: OciContext, change: Change): Promise<ApplyResult> {
  const kind: ArtifactKind = change.op === "create" || change.op === "update" ? change.artifact.kind : change.kind;
  if (kind === "oci.policy") {
    switch (change.op) {
      case "create":
        return createPolicy(ctx, change.artifact);
      case "update":
        return updatePolicy(ctx, change.externalId, () => policyBody(change.artifact, "UpdatePolicy"), "UpdatePolicy");
      case "attach":
      case "detach":
        return attachDetachPolicy(ctx, change);
      case "delete":
        return deletePolicy(ctx, change.externalId);
    }
  }
  if (kind === "oci.security-zone") {
    switch (change.op) {
      case "create":
        return createZoneArtifact(ctx, change.artifact);
      case "update":
        return updateRecipe(
          ctx,
          change.externalId,
          change.artifact.name,
          () => zoneBody(ctx, change.artifact, "UpdateSecurityRecipe"),
          "UpdateSecurityRecipe",
        );
      case "attach":
        return attachZone(ctx, change);
      case "detach":
        return detachZone(ctx, change);
      case "delete":
        return deleteZoneArtifact(ctx, change.externalId);
    }
  }
  throw invalid(change.op, `The OCI adapter does not manage ${kind} artifacts.`, "UNSUPPORTED_KIND");
}
