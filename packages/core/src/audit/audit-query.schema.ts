import { z } from "zod";
import { ZIsoTimestamp } from "../common/timestamp.ts";

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
export const ZAuditExportQuery = ZAuditQuery.omit({ limit: true, cursor: true }).extend({ format: z.enum(["csv", "jsonl"]).default("jsonl") });
export type TAuditExportQuery = z.infer<typeof ZAuditExportQuery>;
export const ZActivityQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });
