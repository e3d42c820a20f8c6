import { createHash } from "node:crypto";

/**
 * Ownership markers for AWS Organizations policies. Parapet only ever edits, detaches or deletes a
 * policy that carries the tag `parapet:managed=<workspaceId>` AND whose name starts with `parapet-`:
 * the tag proves which workspace owns it, the prefix keeps a hand-made policy that merely copied
 * the tag from being adopted by accident.
 */
export const AWS_OWNER_TAG_KEY = "parapet:managed";
export const AWS_NAME_PREFIX = "parapet-";

/** Tags Parapet writes on every policy it creates. */
export function awsOwnerTags(workspaceId: string): Record<string, string> {
  return { [AWS_OWNER_TAG_KEY]: workspaceId };
}

/** Tags as the Organizations API returns them (`[{Key, Value}]`) or as a plain record. */
export type TAwsTags = Record<string, string> | readonly { Key?: string; Value?: string }[];

function tagValue(tags: TAwsTags | undefined, key: string): string | undefined {
  if (!tags) return undefined;
  if (Array.isArray(tags)) {
    return (tags as readonly { Key?: string; Value?: string }[]).find((t) => t.Key === key)?.Value;
  }
  return (tags as Record<string, string>)[key];
}

export function isOwnedByWorkspaceAws(policy: { name: string; tags?: TAwsTags | undefined }, workspaceId: string): boolean {
  return policy.name.startsWith(AWS_NAME_PREFIX) && tagValue(policy.tags, AWS_OWNER_TAG_KEY) === workspaceId;
}

/** Short, name-safe form of a workspace id used inside artifact names (ownership is the tag, not the name). */
export function workspaceShort(workspaceId: string): string {
  const clean = workspaceId.toLowerCase().replace(/[^a-z0-9]/g, "");
  return (clean.length > 0 ? clean : createHash("sha256").update(workspaceId).digest("hex")).slice(0, 12);
}

/** First `length` hex chars of sha256(content): stable names derived from content, not from time or order. */
export function shortHash(content: string, length = 12): string {
  return createHash("sha256").update(content).digest("hex").slice(0, length);
}

/** `parapet-<ws-short>-<hash>`; Organizations allows 128 characters, this stays under 40. */
export function awsPolicyName(workspaceId: string, contentKey: string): string {
  return `${AWS_NAME_PREFIX}${workspaceShort(workspaceId)}-${shortHash(contentKey)}`;
}
