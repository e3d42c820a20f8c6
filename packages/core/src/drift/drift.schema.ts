import { z } from "zod";
import { ZId } from "../guardrails/guardrails.schema.ts";

const ZDriftKind = z.enum(["missing", "modified", "detached", "weakened", "unexpected_attachment", "uncovered_environment", "label_held"]);
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
