import { z } from "zod";
import { ZIsoTimestamp } from "../common/timestamp.ts";
import { listOf, wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";
import { ZApproval } from "../approvals/approvals.schema.ts";
import { ZId } from "../guardrails/guardrails.schema.ts";

/** One principal of one cloud, in that cloud's identifier (checked per cloud in exempt-principal.ts). */
const ZExemptPrincipal = z
  .object({
    cloud: z.enum(["aws", "azure", "gcp", "oci"]),
    id: z.string().trim().min(1).max(600),
  })
  .strict();

/** Either an environment subtree (`nodeId`) or one principal across the guardrail's scope (`principal`). */
export const ZCreateExemptionInput = z
  .object({
    guardrailId: ZId,
    nodeId: ZId.optional(),
    principal: ZExemptPrincipal.optional(),
    reason: z.string().trim().min(3).max(1000),
    ownerEmail: z.email().max(320),
    expiresAt: ZIsoTimestamp,
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.nodeId === undefined) === (v.principal === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["nodeId"],
        message: "give exactly one of nodeId (an environment subtree) or principal (one identity across the guardrail's scope)",
      });
  });
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
  /** The environment subtree spared, or null for a principal exemption. */
  node: z.object({ id: z.string(), name: z.string(), connectionId: z.string(), externalId: z.string() }).nullable(),
  /** The principal spared across the guardrail's scope in one cloud, or null for an environment exemption. */
  principal: z.object({ cloud: z.enum(["aws", "azure", "gcp", "oci"]), id: z.string() }).nullable(),
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
