import { shortHash, workspaceShort } from "../aws/markers.ts";

/**
 * OCI ownership markers: name prefix `parapet-` and freeform tag `parapet-managed=<workspaceId>` on
 * policies, security recipes and zones. Both must match before Parapet touches an object.
 */
export const OCI_OWNER_TAG_KEY = "parapet-managed";
export const OCI_NAME_PREFIX = "parapet-";

export function ociOwnerTags(workspaceId: string): Record<string, string> {
  return { [OCI_OWNER_TAG_KEY]: workspaceId };
}

export function isOwnedByWorkspaceOci(
  artifact: { name?: string; displayName?: string; freeformTags?: Record<string, string> | null | undefined },
  workspaceId: string,
): boolean {
  const name = artifact.name ?? artifact.displayName ?? "";
  return name.startsWith(OCI_NAME_PREFIX) && artifact.freeformTags?.[OCI_OWNER_TAG_KEY] === workspaceId;
}

export function ociArtifactName(workspaceId: string, contentKey: string): string {
  return `${OCI_NAME_PREFIX}${workspaceShort(workspaceId)}-${shortHash(contentKey)}`;
}
