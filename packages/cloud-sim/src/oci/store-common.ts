import { invalid } from "./errors.ts";
import type { DefinedTags, Tags } from "./model.ts";

/** Who made a change: an SDK caller (signed request) or a human through the admin API / console. */
export interface Actor {
  principalId: string;
  via: "api" | "admin";
}

/** What the simulator tells the event layer after every mutation. */
export interface Mutation {
  service: "identity" | "cloudguard";
  /** Lowercase OCI operation, e.g. "createpolicy", "movecompartment", "deletesecurityzone". */
  action: string;
  resourceId: string;
  resourceName: string;
  compartmentId: string;
  freeformTags: Tags;
  definedTags: DefinedTags;
  additionalDetails: Record<string, unknown>;
  actor: Actor;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/** Opaque page tokens (OCI's are opaque too): the offset into a stable ordering. */
export function paginate<T>(all: T[], limit: number, page: string | undefined): Page<T> {
  let offset = 0;
  if (page !== undefined) {
    const m = /^p([0-9]{1,9})$/.exec(Buffer.from(page, "base64url").toString("utf8"));
    if (!m?.[1]) throw invalid(`Invalid page token '${page}'.`);
    offset = Number(m[1]);
  }
  const items = all.slice(offset, offset + limit);
  const nextOffset = offset + items.length;
  return { items, next: nextOffset < all.length ? Buffer.from(`p${nextOffset}`).toString("base64url") : undefined };
}

/** OCI sort semantics: NAME sorts ascending by default, TIMECREATED descending; unsorted keeps creation order. */
export function sortItems<T extends { timeCreated: string }>(
  items: T[],
  sortBy: string | undefined,
  sortOrder: string | undefined,
  name: (t: T) => string,
): T[] {
  if (sortOrder !== undefined && sortOrder !== "ASC" && sortOrder !== "DESC")
    throw invalid(`Invalid sortOrder '${sortOrder}'; expected ASC or DESC.`);
  if (sortBy === undefined) {
    return sortOrder === "DESC" ? [...items].reverse() : items;
  }
  const by = sortBy.toUpperCase();
  if (by !== "NAME" && by !== "TIMECREATED" && by !== "DISPLAYNAME") throw invalid(`Invalid sortBy '${sortBy}'.`);
  const dir = (sortOrder ?? (by === "TIMECREATED" ? "DESC" : "ASC")) === "ASC" ? 1 : -1;
  const key = by === "TIMECREATED" ? (t: T): string => t.timeCreated : (t: T): string => name(t).toLowerCase();
  return [...items].sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0));
}
