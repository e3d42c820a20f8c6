import { z } from "zod";
import { ZApprovalRequested } from "../approvals/approvals.schema.ts";
import { listOf, stored, wireEnum, ZCloudName, ZFidelityName, ZIsoDateTime, ZJsonObject } from "../common/wire.schema.ts";

/** Ids Parapet issues (cuid / prefixed hex): bounded and free of anything a query could trip on. */
export const ZId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "must be an id (letters, digits, _ and -)");

export const ZScope = z
  .object({
    all: z.boolean().optional(),
    nodeIds: z.array(ZId).max(500).optional(),
    labels: z.string().max(1000).optional(),
    exclude: z.array(ZId).max(500).optional(),
  })
  .strict();
export type TScope = z.infer<typeof ZScope>;

const ZGuardrailMode = z.enum(["audit", "enforce"]);
const ZRemediation = z.enum(["auto", "notify"]);
const ZParams = z.record(z.string().max(100), z.unknown());

export const ZCreateGuardrailInput = z
  .object({
    controlId: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    params: ZParams.default({}),
    scope: ZScope,
    mode: ZGuardrailMode,
    remediation: ZRemediation,
  })
  .strict();
export type TCreateGuardrailInput = z.infer<typeof ZCreateGuardrailInput>;

export const ZUpdateGuardrailInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    params: ZParams.optional(),
    scope: ZScope.optional(),
    mode: ZGuardrailMode.optional(),
    remediation: ZRemediation.optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type TUpdateGuardrailInput = z.infer<typeof ZUpdateGuardrailInput>;

export const ZListGuardrailsQuery = z.object({ status: z.enum(["active", "disabled", "deleted"]).optional() });
export const ZDiffQuery = z.object({ from: z.coerce.number().int().min(1).max(100_000), to: z.coerce.number().int().min(1).max(100_000) });
export const ZCompileInput = z
  .object({
    params: ZParams.default({}),
    mode: ZGuardrailMode.default("enforce"),
    cloud: z.enum(["aws", "azure", "gcp", "oci"]).optional(),
  })
  .strict();
export const ZScopePreviewInput = z
  .object({
    scope: ZScope,
    /** The guardrail's control: the preview then also says what the customer's own policies already enforce of it there. */
    controlId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** The fields a version holds; an approval carries the proposed ones verbatim. */
export interface TVersionSpec {
  params: Record<string, unknown>;
  scope: TScope;
  mode: "audit" | "enforce";
  remediation: "auto" | "notify";
}

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

const GUARDRAIL_STATUSES = ["active", "disabled", "deleted"] as const;
const CONTROL_CATEGORIES = ["identity", "data-protection", "logging", "network", "organization", "resilience"] as const;
const FRAMEWORKS = ["CIS AWS 3.0", "CIS Azure 2.1", "CIS GCP 3.0", "CIS OCI 2.0", "NIST 800-53 r5"] as const;
const SCENARIO_KINDS = ["structure", "aws-simulate", "gcp-cel", "gcp-request", "azure-policy", "oci-request"] as const;

/** Environment × guardrail pairs per coverage status (guardrail-view.ts `CoverageTotals`). */
export const ZCoverageTotals = z.object({
  enforced: z.number().int(),
  audit: z.number().int(),
  exempt: z.number().int(),
  drifted: z.number().int(),
  pending: z.number().int(),
  unknown: z.number().int(),
  unsupported: z.number().int(),
  total: z.number().int(),
});

/** A stored scope, as written by ZScope (no bounds needed on the way out). */
const ZScopeOut = z.object({
  all: z.boolean().optional(),
  nodeIds: z.array(z.string()).optional(),
  labels: z.string().optional(),
  exclude: z.array(z.string()).optional(),
});

/** A guardrail with its current version's spec and coverage (guardrail-view.ts). */
export const ZGuardrailSummary = z.object({
  id: z.string(),
  controlId: z.string(),
  name: z.string(),
  description: z.string(),
  status: wireEnum(GUARDRAIL_STATUSES),
  currentVersion: z.number().int(),
  mode: ZGuardrailMode,
  remediation: ZRemediation,
  scope: ZScopeOut,
  params: ZJsonObject,
  coverage: ZCoverageTotals,
  pendingApproval: z.string().nullable(),
  createdAt: ZIsoDateTime,
  updatedAt: ZIsoDateTime,
});
export const ZGuardrailList = listOf(ZGuardrailSummary);

const ZGuardrailVersion = z.object({
  version: z.number().int(),
  params: stored(ZJsonObject),
  scope: stored(ZScopeOut),
  mode: wireEnum(["audit", "enforce"]),
  remediation: wireEnum(["auto", "notify"]),
  note: z.string(),
  /** The author's user id. */
  createdBy: z.string().nullable(),
  createdAt: ZIsoDateTime,
});
export const ZGuardrailDetail = ZGuardrailSummary.extend({
  versions: z.array(ZGuardrailVersion),
  /** Applied from a file by `parapet apply`: read-only here except exemptions and emergency disable. */
  managedInCode: z.object({ key: z.string(), repo: z.string(), commit: z.string(), appliedAt: ZIsoDateTime }).nullable(),
});
export const ZGuardrailResult = z.object({ guardrail: ZGuardrailSummary });
export const ZGuardrailDiff = z.object({
  guardrailId: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
});

const ZCloudFidelity = z.object({ fidelity: ZFidelityName, gap: z.string().optional() });

/** A catalog control as listed (describe-controls.ts). `paramsSchema` is a JSON Schema of its parameters. */
const ZCatalogControl = z.object({
  id: z.string(),
  title: z.string(),
  rationale: z.string(),
  category: z.enum(CONTROL_CATEGORIES),
  frameworks: z.array(z.object({ framework: z.enum(FRAMEWORKS), ref: z.string() })),
  /** Per cloud (all four), how faithfully it can be expressed there. */
  fidelity: z.record(z.string(), ZCloudFidelity).pipe(z.record(ZCloudName, ZCloudFidelity)),
  paramsSchema: stored(ZJsonObject),
  defaults: stored(ZJsonObject),
});
export const ZCatalogList = listOf(ZCatalogControl);
export const ZCatalogControlDetail = ZCatalogControl.extend({
  scenarios: z.array(z.object({ cloud: ZCloudName, name: z.string(), kind: z.enum(SCENARIO_KINDS) })),
});

const ZScenarioResult = z.object({
  controlId: z.string(),
  cloud: ZCloudName,
  name: z.string(),
  kind: z.enum(SCENARIO_KINDS),
  expected: z.string(),
  actual: z.string(),
  passed: z.boolean(),
  detail: z.string().optional(),
});
/** One cloud's compiled artifacts; `source` says whether a real connection's facts were used or the example organisation's. */
export const ZCompiledCloud = ZCloudFidelity.extend({
  source: z.enum(["connection", "example"]),
  artifacts: z.array(z.unknown()),
  error: z.string().optional(),
});
export type TCompiledCloud = z.input<typeof ZCompiledCloud>;
export const ZCompileResult = z.object({ clouds: z.partialRecord(ZCloudName, ZCompiledCloud), scenarios: z.array(ZScenarioResult) });
/** 200 `{ guardrail }` when the edit applied; 202 `{ approval }` when it weakens protection. */
export const ZGuardrailUpdate = z.union([ZGuardrailResult, ZApprovalRequested]);
