import { z } from "zod";

/**
 * Building blocks of the /api/v1 response schemas (the `response:` of each route in openapi/routes.ts).
 * They describe the body as it is on the wire after JSON: dates are ISO strings, JSON columns are what
 * was stored. Output strings need no bounds; what they need is precision (enums, nullables), because the
 * browser's types are derived from them and the route wrapper refuses to send a body they reject.
 */

/** An instant as `Date#toISOString()` writes it. */
export const ZIsoDateTime = z.iso.datetime({ offset: true });

/**
 * A value the use-case types as `string` (a Prisma enum column, a stored status) that is one of a known
 * set on the wire: the handler may hand over a plain string (its input type), the schema checks it and
 * the contract (its output type, and the OpenAPI document) names the set.
 */
export function wireEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().pipe(z.enum(values));
}

/**
 * A long list of small codes or null: the coverage matrix's cells, a row's statuses in the order of the
 * page's guardrails (up to 10,000 to a page), each an index into the page's `statuses`. zod's array of
 * per-entry schemas made checking the biggest page ~10 ms; this checks the same thing in one loop, and
 * tells the OpenAPI document the same shape (its metadata is the JSON Schema).
 */
export function codeList(size: number) {
  const valid = (v: unknown): boolean => {
    if (!Array.isArray(v)) return false;
    for (const c of v as unknown[]) if (c !== null && !(Number.isInteger(c) && (c as number) >= 0 && (c as number) < size)) return false;
    return true;
  };
  return z
    .custom<Array<number | null>>(valid, { message: `must be a list of codes 0-${size - 1} or null` })
    .meta({ type: "array", items: { type: "integer", minimum: 0, maximum: size - 1, nullable: true } });
}

/** A JSON object kept verbatim (parameters, payloads, stored cloud facts). */
export const ZJsonObject = z.record(z.string(), z.unknown());

/** `{ items, nextCursor }`: a cursor page (common/pagination.ts). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `{ items }`: a whole (bounded) list. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

export const ZCloudName = z.enum(["aws", "azure", "gcp", "oci"]);
/** The four clouds, in the order the console lists them. */
export const CLOUDS = ZCloudName.options;
export const ZFidelityName = z.enum(["enforced", "partial", "detective", "unsupported"]);

/** A queued job (verify, discover, preview). */
export const ZQueuedJob = z.object({ jobId: z.string() });
/** A reconcile asked for now (manual reconcile, re-apply a finding). */
export const ZQueuedReconcile = z.object({ queued: z.boolean(), connectionId: z.string() });

/**
 * A JSON column the use-case passes through as `unknown`: the handler may hand it over untyped, the
 * schema checks what was stored and the contract names its shape.
 */
export function stored<T extends z.ZodType>(schema: T) {
  return z.unknown().pipe(schema);
}
