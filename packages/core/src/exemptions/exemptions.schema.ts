import { z } from "zod";
import { ZIsoTimestamp } from "../common/timestamp.ts";
import { listOf, wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";
import { ZApproval } from "../approvals/approvals.schema.ts";
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

export const ZListExemptionsQuery = z.object({
  status: z.enum(["pending_approval", "active", "expired", "revoked", "rejected"]).optional(),
});

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

export const EXEMPTION_STATUSES = ["pending_approval", "active", "expired", "revoked", "rejected"] as const;

/** An exemption (exemption-view.ts); an active one past its expiry reads "expired". */
export const ZExemption = z.object({
  id: z.string(),
  guardrail: z.object({ id: z.string(), name: z.string() }),
  node: z.object({ id: z.string(), name: z.string(), connectionId: z.string(), externalId: z.string() }),
  reason: z.string(),
  ownerEmail: z.string(),
  expiresAt: ZIsoDateTime,
  status: wireEnum(EXEMPTION_STATUSES),
  /** The requester's user id. */
  createdBy: z.string().nullable(),
  createdAt: ZIsoDateTime,
});
export const ZExemptionList = listOf(ZExemption);
/** 202: the exemption waits for its approval. */
export const ZExemptionRequested = z.object({ exemption: ZExemption, approval: ZApproval });
