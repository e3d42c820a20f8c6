import { z } from "zod";
import { ZId } from "../guardrails/guardrails.schema.ts";

export const ZListNodesQuery = z.object({
  parentId: ZId.optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: z.string().max(500).optional(),
});

const ZLabelKey = z.string().min(1).max(128).regex(/^[\p{L}\p{N}_.:/=+@-]+$/u, "label keys are letters, digits and _.:/=+@-");
export const ZSetLabelsInput = z
  .object({ overrides: z.record(ZLabelKey, z.string().max(256).nullable()).refine((o) => Object.keys(o).length <= 50, "at most 50 overrides") })
  .strict();
export type TSetLabelsInput = z.infer<typeof ZSetLabelsInput>;
