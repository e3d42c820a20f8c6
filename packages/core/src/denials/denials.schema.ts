/** Denials' API contract (GET /denials). */
import { z } from "zod";
import { pageOf, ZIsoDateTime } from "../common/wire.schema.ts";
import { ZPageQuery } from "../common/pagination.ts";

export const ZListDenialsQuery = ZPageQuery.extend({
  guardrailId: z.string().min(1).max(64).optional(),
  nodeId: z.string().min(1).max(64).optional(),
  principal: z.string().min(1).max(500).optional(),
  /** "true": denied by a Parapet guardrail; "false": by something else (the customer's own policies). */
  parapet: z.enum(["true", "false"]).optional(),
});
export type TListDenialsQuery = z.infer<typeof ZListDenialsQuery>;

const ZDenial = z.object({
  id: z.string(),
  cloud: z.string(),
  connectionId: z.string(),
  time: ZIsoDateTime,
  principal: z.string(),
  principalName: z.string().nullable(),
  action: z.string(),
  resource: z.string(),
  nodeId: z.string().nullable(),
  environment: z.string().nullable(),
  parapet: z.boolean(),
  guardrailId: z.string().nullable(),
  guardrailName: z.string().nullable(),
  statement: z.string().nullable(),
});
export const ZDenialPage = pageOf(ZDenial);

/** "Request exemption" from a denial: the environment it happened in, from the guardrail that denied it. */
export const ZDenialExemptionInput = z
  .object({
    /** Spare the environment the call was refused in (default), or the principal that made it, everywhere. */
    of: z.enum(["environment", "principal"]).default("environment"),
    reason: z.string().trim().min(3).max(1000),
    ownerEmail: z.email().max(320),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();
/** As callers pass it (`of` may be left out: the environment). */
export type TDenialExemptionInput = z.input<typeof ZDenialExemptionInput>;
