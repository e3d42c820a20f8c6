import { z } from "zod";
import { ZId } from "../guardrails/guardrails.schema.ts";

const ZCoverageStatus = z.enum(["enforced", "audit", "exempt", "drifted", "unsupported", "unknown", "pending"]);
export const ZMatrixQuery = z.object({
  connectionId: ZId.optional(),
  status: ZCoverageStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type TMatrixQuery = z.infer<typeof ZMatrixQuery>;
