import { z } from "zod";
import { AppError } from "./errors.ts";
import { unstorableString } from "./unstorable.ts";

/**
 * Cursor pagination: `?limit=1..200&cursor=<opaque>` → `{ items, nextCursor }`. A cursor is the
 * sort key of the last item returned (base64url JSON), so pages stay stable while rows are added.
 */
export const ZPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

/**
 * Lists in hierarchy order page by the stored sort key (node.sortKey): the key grows with depth
 * (lower(name) + id per level), so their cursors are allowed to be longer than 500 characters.
 */
export const ZSortKeyPageQuery = z.object({
  limit: ZPageQuery.shape.limit,
  cursor: z.string().max(8000).optional(),
});
/** The decoded shape of a sort-key cursor. */
export const ZSortKeyCursor = z.object({ k: z.string().min(1).max(5000) });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor<K extends Record<string, string | number>>(cursor: string | undefined, shape: z.ZodType<K>): K | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    // A forged cursor may carry text PostgreSQL cannot compare against (NUL): as invalid as any other forgery.
    if (parsed.success && !unstorableString(parsed.data, [])) return parsed.data;
  } catch {
    // falls through to the validation error below
  }
  throw new AppError("validation", "cursor: is not a cursor this list returned", [
    { field: "cursor", message: "is not a cursor this list returned" },
  ]);
}

/** Takes `limit + 1` rows' worth of results and turns them into a page. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, keyOf: (r: R) => Record<string, string | number>): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}
