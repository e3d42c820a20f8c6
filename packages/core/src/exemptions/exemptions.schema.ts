import { z } from "zod";
import { ZIsoTimestamp } from "../common/timestamp.ts";
import { ZId } from "../guardrails/guardrails.schema.ts";

export const ZCreateExemptionInput = z
  .object({
    guardrailId: ZId,
    nodeId: ZId,
    reason: z.string().trim().min(3).max(1000),
    ownerEmail: z.email().max(320),
    expiresAt: ZIsoTimestamp,
  })
  .strict();
export type TCreateExemptionInput = z.infer<typeof ZCreateExemptionInput>;

export const ZListExemptionsQuery = z.object({ status: z.enum(["pending_approval", "active", "expired", "revoked", "rejected"]).optional() });
