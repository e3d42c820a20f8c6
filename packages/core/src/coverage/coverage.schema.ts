import { z } from "zod";
import { ZCoverageTotals, ZId } from "../guardrails/guardrails.schema.ts";
import { codeList, wireEnum } from "../common/wire.schema.ts";
import { COVERAGE_STATUSES } from "../reports/model.ts";
import { ZSortKeyPageQuery } from "../common/pagination.ts";

export const ZCoverageStatus = z.enum(COVERAGE_STATUSES);
export const ZMatrixQuery = z.object({
  connectionId: ZId.optional(),
  status: ZCoverageStatus.optional(),
  limit: ZSortKeyPageQuery.shape.limit,
  cursor: ZSortKeyPageQuery.shape.cursor,
});
export type TMatrixQuery = z.infer<typeof ZMatrixQuery>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** Coverage score (percent enforced of what applies) and totals, overall, per cloud and per guardrail. */
export const ZCoverageOverview = z.object({
  score: z.number(),
  totals: ZCoverageTotals,
  byCloud: z.array(z.object({ cloud: wireEnum(["aws", "azure", "gcp", "oci"]), score: z.number(), totals: ZCoverageTotals })),
  byGuardrail: z.array(z.object({ guardrailId: z.string(), name: z.string(), score: z.number(), totals: ZCoverageTotals })),
});

/**
 * Environments × guardrails, a page of environments. A row's `cells` are its statuses in the order of the
 * page's `guardrails` (null: that guardrail has no cell there), each written as its index in the page's
 * `statuses` (0 is `statuses[0]`, "enforced"). Positional rather than keyed by guardrail id, and coded
 * rather than spelled out: the ids, then the status words, repeated 5,000 times were most of a page's
 * bytes, and writing those bytes to the socket was the largest part of the page's cost at 100 × 50
 * (bench/RESULTS.md §4h, §4j).
 */
export const ZCoverageMatrix = z.object({
  guardrails: z.array(z.object({ id: z.string(), name: z.string() })),
  /** What a cell's code means: `cells[i] = k` is `statuses[k]`. */
  statuses: z.array(ZCoverageStatus),
  items: z.array(
    z.object({
      node: z.object({
        id: z.string(),
        name: z.string(),
        externalId: z.string(),
        connectionId: z.string(),
        path: z.array(z.string()),
        parentId: z.string().nullable(),
      }),
      cells: codeList(COVERAGE_STATUSES.length),
      /** Guardrail id → what the customer's own policies already enforce of its control here (latest posture scan). */
      posture: z.record(z.string(), z.object({ status: z.string(), by: z.array(z.string()) })),
    }),
  ),
  nextCursor: z.string().nullable(),
});
