import { z } from "zod";
import { ZId } from "../guardrails/guardrails.schema.ts";
import { pageOf, wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";

export const DRIFT_KINDS = [
  "missing",
  "modified",
  "detached",
  "weakened",
  "unexpected_attachment",
  "uncovered_environment",
  "label_held",
] as const;
const ZDriftKind = z.enum(DRIFT_KINDS);
export const ZListDriftQuery = z.object({
  status: z.enum(["open", "resolved"]).optional(),
  kind: ZDriftKind.optional(),
  connectionId: ZId.optional(),
  guardrailId: ZId.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type TListDriftQuery = z.infer<typeof ZListDriftQuery>;
export const ZDriftTimelineQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** A drift finding (drift-view.ts). */
const ZDriftItem = z.object({
  id: z.string(),
  kind: z.string().pipe(ZDriftKind),
  status: wireEnum(["open", "resolved"]),
  summary: z.string(),
  connection: z.object({ id: z.string(), name: z.string(), cloud: wireEnum(["aws", "azure", "gcp", "oci"]) }),
  guardrail: z.object({ id: z.string(), name: z.string() }).nullable(),
  node: z.object({ id: z.string(), name: z.string() }).nullable(),
  openedAt: ZIsoDateTime,
  lastSeenAt: ZIsoDateTime,
  resolvedAt: ZIsoDateTime.nullable(),
  /** How it ended (re-applied, accepted, gone). */
  resolution: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  /** Who made the change in the cloud, when the cloud said. */
  actor: z.string().nullable(),
});
export const ZDriftPage = pageOf(ZDriftItem);
/** One finding with what Parapet expected, what it observed, and its audit timeline. */
export const ZDriftDetail = ZDriftItem.extend({
  expected: z.unknown(),
  observed: z.unknown(),
  timeline: z.array(
    z.object({ id: z.string(), seq: z.number().int(), action: z.string(), actor: z.string(), data: z.unknown(), at: ZIsoDateTime }),
  ),
});
export const ZDriftTimeline = z.array(z.object({ day: z.string(), opened: z.number().int(), resolved: z.number().int() }));
