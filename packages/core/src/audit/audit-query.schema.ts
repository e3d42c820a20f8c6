import { z } from "zod";
import { ZIsoTimestamp } from "../common/timestamp.ts";
import { pageOf, wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";

export const ZAuditQuery = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(320).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(200).optional(),
  from: ZIsoTimestamp.optional(),
  to: ZIsoTimestamp.optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type TAuditQuery = z.infer<typeof ZAuditQuery>;
export const ZAuditExportQuery = ZAuditQuery.omit({ limit: true, cursor: true }).extend({
  format: z.enum(["csv", "jsonl"]).default("jsonl"),
});
export type TAuditExportQuery = z.infer<typeof ZAuditExportQuery>;
export const ZActivityQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

const ZAuditActor = z.object({ type: wireEnum(["user", "token", "system"]), id: z.string().nullable(), label: z.string() });

/** One audit event as the API returns it (audit-view.ts). `data` is the event's own JSON. */
const ZAuditEvent = z.object({
  id: z.string(),
  seq: z.number().int(),
  at: ZIsoDateTime,
  actor: ZAuditActor,
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.unknown(),
  hash: z.string(),
  prevHash: z.string(),
});
export const ZAuditPage = pageOf(ZAuditEvent);
export const ZActivity = z.object({ items: z.array(ZAuditEvent) });

/** The latest signed chain head kept outside the database. */
const ZAuditCheckpoint = z.object({ seq: z.number().int(), hash: z.string(), at: ZIsoDateTime, keyId: z.string() });
export const ZAuditCheckpointState = z.object({
  enabled: z.boolean(),
  checkpoint: ZAuditCheckpoint.nullable(),
  problem: z.string().nullable(),
});
export const ZChainVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z.object({ seq: z.number().int(), id: z.string().nullable(), reason: z.string() }).optional(),
  checkpoint: ZAuditCheckpoint.nullable().optional(),
});
