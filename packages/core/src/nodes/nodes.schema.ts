import { z } from "zod";
import { ZId } from "../guardrails/guardrails.schema.ts";
import { pageOf, wireEnum, ZCloudName, ZFidelityName, ZIsoDateTime } from "../common/wire.schema.ts";
import { ZApprovalRequested } from "../approvals/approvals.schema.ts";
import { ZCoverageStatus } from "../coverage/coverage.schema.ts";
import { ZSortKeyPageQuery } from "../common/pagination.ts";

export const ZListNodesQuery = z.object({
  parentId: ZId.optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: ZSortKeyPageQuery.shape.cursor,
});

const ZLabelKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N}_.:/=+@-]+$/u, "label keys are letters, digits and _.:/=+@-");
export const ZSetLabelsInput = z
  .object({
    overrides: z.record(ZLabelKey, z.string().max(256).nullable()).refine((o) => Object.keys(o).length <= 50, "at most 50 overrides"),
  })
  .strict();
export type TSetLabelsInput = z.infer<typeof ZSetLabelsInput>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** A hierarchy node (node-view.ts): labels are the effective ones (cloud tags, then overrides; null removes). */
const ZHierarchyNode = z.object({
  id: z.string(),
  connectionId: z.string(),
  externalId: z.string(),
  kind: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  isEnvironment: z.boolean(),
  labels: z.record(z.string(), z.string()),
  cloudLabels: z.record(z.string(), z.string()),
  labelOverrides: z.record(z.string(), z.string().nullable()),
  childCount: z.number().int(),
});
export const ZNodePage = pageOf(ZHierarchyNode);
/** 200 the node; 202 `{ approval }` when the relabel would take environments out of a guardrail's scope. */
export const ZSetLabelsResult = z.union([ZHierarchyNode, ZApprovalRequested]);

const ZPlaceRef = z.object({ id: z.string(), name: z.string(), kind: z.string(), externalId: z.string() });

/** One guardrail on a node (get-node-coverage.ts): status here, where it is attached, exemptions on the way. */
const ZNodeGuardrailCoverage = z.object({
  guardrail: z.object({
    id: z.string(),
    name: z.string(),
    controlId: z.string(),
    mode: wireEnum(["audit", "enforce"]),
    remediation: wireEnum(["auto", "notify"]),
  }),
  /** An environment's own cell (null: the guardrail does not select it, or this is not an environment). */
  status: z.string().pipe(ZCoverageStatus).nullable(),
  fidelity: z.string().pipe(ZFidelityName).nullable(),
  detail: z.string().nullable(),
  updatedAt: ZIsoDateTime.nullable(),
  /** Below a non-environment node: cells per status over its environments. */
  counts: z.partialRecord(ZCoverageStatus, z.number().int()).nullable(),
  attachedAt: z.array(
    z.object({
      node: ZPlaceRef,
      here: z.boolean(),
      artifacts: z.array(z.object({ kind: z.string(), name: z.string(), state: z.string() })),
    }),
  ),
  exemptions: z.array(z.object({ id: z.string(), node: ZPlaceRef, reason: z.string(), ownerEmail: z.string(), expiresAt: ZIsoDateTime })),
});
export const ZNodeCoverage = z.object({
  node: z.object({
    id: z.string(),
    connectionId: z.string(),
    name: z.string(),
    kind: z.string(),
    externalId: z.string(),
    isEnvironment: z.boolean(),
    path: z.array(ZPlaceRef),
  }),
  items: z.array(ZNodeGuardrailCoverage),
});

/** Environments a scope selects: the count, per connection, and a sample. */
export const ZScopePreview = z.object({
  environments: z.number().int(),
  byConnection: z.array(z.object({ connectionId: z.string(), name: z.string(), cloud: ZCloudName, environments: z.number().int() })),
  sample: z.array(z.object({ id: z.string(), name: z.string(), connectionId: z.string() })),
  /**
   * With a control: of the selected environments, how many the customer's own policies already enforce
   * it in (every scenario holds) or partly, by which policies, the scenarios that fail, and lockout risks
   * the newest posture scans found (issue 19).
   */
  posture: z
    .object({
      enforced: z.number().int(),
      partial: z.number().int(),
      by: z.array(z.string()),
      failing: z.array(z.string()),
      lockouts: z.array(z.object({ connectionId: z.string(), call: z.string(), by: z.array(z.string()) })),
    })
    .optional(),
});
