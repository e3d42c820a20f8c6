import { shortHash, workspaceShort } from "../aws/markers.ts";

/**
 * Azure ownership marker: `metadata.parapetOwner = <workspaceId>` on every definition, initiative,
 * assignment and exemption Parapet creates (the same idea as EPAC's `pacOwnerId`). Names are
 * derived from content so a re-run produces the same names.
 */
export const AZURE_OWNER_METADATA_KEY = "parapetOwner";
const AZURE_NAME_PREFIX = "parapet-";

export function azureOwnerMetadata(workspaceId: string): Record<string, string> {
  return { [AZURE_OWNER_METADATA_KEY]: workspaceId };
}

export function isOwnedByWorkspaceAzure(
  artifact: { properties?: { metadata?: Record<string, unknown> | null | undefined } | null | undefined },
  workspaceId: string,
): boolean {
  return artifact.properties?.metadata?.[AZURE_OWNER_METADATA_KEY] === workspaceId;
}

/** Definition and initiative names (≤64 characters). */
export function azureArtifactName(workspaceId: string, contentKey: string): string {
  return `${AZURE_NAME_PREFIX}${workspaceShort(workspaceId)}-${shortHash(contentKey)}`;
}

/** Assignment names at management-group scope are limited to 24 characters. */
export function azureAssignmentName(workspaceId: string, scope: string): string {
  return `parapet-${shortHash(`${workspaceId}|${scope}`, 16)}`;
}
