import { z } from "zod";
import { ZPageQuery } from "../common/pagination.ts";
import { pageOf, wireEnum, ZIsoDateTime, ZJsonObject } from "../common/wire.schema.ts";

const APPROVAL_STATUSES = ["pending", "approved", "rejected", "cancelled"] as const;
const APPROVAL_ACTIONS = [
  "guardrail.update",
  "guardrail.disable",
  "guardrail.delete",
  "exemption.create",
  "node.labels",
  "connection.principals",
  "member.mfa_reset",
  "posture.adopt",
] as const;

export const ZNoteInput = z.object({ note: z.string().max(2000).optional() }).strict();
export const ZRejectInput = z.object({ note: z.string().trim().min(1).max(2000) }).strict();
export const ZApprovalsQuery = ZPageQuery.extend({ status: z.enum(APPROVAL_STATUSES).optional() });

const ZPerson = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** An approval request as the API returns it (approval-view.ts). */
export const ZApproval = z.object({
  id: z.string(),
  action: wireEnum(APPROVAL_ACTIONS),
  subjectType: wireEnum(["guardrail", "exemption", "node", "connection", "member", "foreign-policy"]),
  subjectId: z.string(),
  summary: z.string(),
  reasons: z.array(z.string()),
  payload: ZJsonObject,
  status: wireEnum(APPROVAL_STATUSES),
  requestedBy: ZPerson.nullable(),
  decidedBy: ZPerson.nullable(),
  decidedAt: ZIsoDateTime.nullable(),
  decisionNote: z.string().nullable(),
  createdAt: ZIsoDateTime,
});
export const ZApprovalPage = pageOf(ZApproval);
/** A change that waits for a second person: 202 with the approval. */
export const ZApprovalRequested = z.object({ approval: ZApproval });
