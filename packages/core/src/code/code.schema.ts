import { z } from "zod";
import { ZCompiledCloud, ZScope } from "../guardrails/guardrails.schema.ts";
import { ZCloudName, ZIsoDateTime } from "../common/wire.schema.ts";

/**
 * The workspace guardrails document of policy as code (issue 20): what `parapet export` writes and
 * `parapet plan` / `parapet apply` send. It is the desired state of the workspace's guardrails: a
 * guardrail of the workspace that the document does not list is planned for removal.
 *
 * ```yaml
 * version: 1
 * guardrails:
 *   - key: agents-prod             # stable id in code: matches a guardrail applied from code, else a guardrail id
 *     control: agent-no-destructive-actions
 *     name: Agents cannot destroy in prod
 *     mode: enforce                # audit | enforce
 *     remediation: notify          # auto | notify
 *     enabled: true
 *     params: {}
 *     scope: { labels: "env=prod" }   # all / nodeIds / labels / exclude, as in the console
 * exemptions: []                   # written by export for the record; managed in the console, not compared
 * ```
 */
const ZCodeKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lowercase letters, digits, - and _ (starting with a letter or digit)");

const ZCodeGuardrail = z
  .object({
    key: ZCodeKey,
    control: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).default(""),
    enabled: z.boolean().default(true),
    mode: z.enum(["audit", "enforce"]),
    remediation: z.enum(["auto", "notify"]),
    params: z.record(z.string().max(100), z.unknown()).default({}),
    scope: ZScope,
  })
  .strict();
export type TCodeGuardrail = z.output<typeof ZCodeGuardrail>;

const ZCodeExemption = z
  .object({
    guardrail: ZCodeKey,
    /** An environment exemption's node, or a principal exemption's cloud and principal (exactly one). */
    nodeId: z.string().max(64).optional(),
    principal: z
      .object({ cloud: z.enum(["aws", "azure", "gcp", "oci"]), id: z.string().max(600) })
      .strict()
      .optional(),
    reason: z.string().max(2000),
    ownerEmail: z.string().max(320),
    expiresAt: z.string().max(40),
    status: z.string().max(40),
  })
  .strict();

export const ZCodeDocument = z
  .object({
    version: z.literal(1),
    guardrails: z.array(ZCodeGuardrail).max(1000),
    exemptions: z.array(ZCodeExemption).max(5000).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.guardrails.forEach((g, i) => {
      if (seen.has(g.key)) ctx.addIssue({ code: "custom", path: ["guardrails", i, "key"], message: `duplicate key "${g.key}"` });
      seen.add(g.key);
    });
  });
export type TCodeDocument = z.output<typeof ZCodeDocument>;

/** Where the document came from, as the CLI knows it (CI's repository and commit). */
const ZCodeSourceInput = z
  .object({
    repo: z
      .string()
      .max(300)
      .regex(/^[\x20-\x7e]*$/, "must be printable ASCII")
      .optional(),
    commit: z
      .string()
      .max(100)
      .regex(/^[\x20-\x7e]*$/, "must be printable ASCII")
      .optional(),
  })
  .strict();

export const ZPlanInput = z
  .object({
    document: ZCodeDocument,
    source: ZCodeSourceInput.optional(),
    /** Include each added or changed guardrail's compiled artifacts per cloud (default true). */
    compiled: z.boolean().default(true),
    /** Include, per connection, the newest "would have blocked" replay of each changed guardrail (default false). */
    impact: z.boolean().default(false),
  })
  .strict();

export const ZApplyInput = z
  .object({
    document: ZCodeDocument,
    source: ZCodeSourceInput.optional(),
    /** The plan's hash the caller reviewed: if the plan is now different, nothing is applied (409). */
    planHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be a plan's hash (64 hex characters)")
      .optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type TApplyInput = z.output<typeof ZApplyInput>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

const PLAN_ACTIONS = ["add", "change", "weaken", "remove", "unchanged"] as const;
export type TPlanAction = (typeof PLAN_ACTIONS)[number];

const ZPlanEntry = z.object({
  key: z.string(),
  guardrailId: z.string().nullable(),
  name: z.string(),
  control: z.string(),
  action: z.enum(PLAN_ACTIONS),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
  /** Why the change weakens protection (it then waits for a second member's approval). */
  reasons: z.array(z.string()),
  /** Applied from code before: the repository and commit. */
  managed: z.object({ repo: z.string(), commit: z.string(), appliedAt: ZIsoDateTime }).nullable(),
  /** Changed in the workspace since it was applied from code. */
  drift: z.string().nullable(),
  pendingApproval: z.string().nullable(),
  compiled: z.partialRecord(ZCloudName, ZCompiledCloud).optional(),
  /**
   * Per connection, the newest impact replay recorded for this guardrail (of the version it replayed,
   * which may be the workspace's current one rather than the file's; replay again after apply).
   */
  impact: z
    .array(
      z.object({
        connectionId: z.string(),
        connection: z.string(),
        cloud: z.string(),
        guardrailVersion: z.number().int(),
        status: z.string(),
        judged: z.number().int().nullable(),
        denied: z.number().int().nullable(),
        lockout: z.boolean(),
        finishedAt: ZIsoDateTime.nullable(),
      }),
    )
    .optional(),
});
export type TPlanEntry = z.input<typeof ZPlanEntry>;

export const ZPlanResult = z.object({
  planHash: z.string(),
  summary: z.object({
    add: z.number().int(),
    change: z.number().int(),
    weaken: z.number().int(),
    remove: z.number().int(),
    unchanged: z.number().int(),
    drift: z.number().int(),
  }),
  entries: z.array(ZPlanEntry),
});
export type TPlanResult = z.input<typeof ZPlanResult>;

export const ZApplyResult = z.object({
  planHash: z.string(),
  results: z.array(
    z.object({
      key: z.string(),
      guardrailId: z.string().nullable(),
      action: z.enum(PLAN_ACTIONS),
      /** applied: in effect now; approval: waits for a second member (approvalId); unchanged. */
      outcome: z.enum(["applied", "approval", "unchanged"]),
      approvalId: z.string().nullable(),
      approvalUrl: z.string().nullable(),
    }),
  ),
});
export type TApplyResult = z.input<typeof ZApplyResult>;

export const ZExportResult = z.object({ document: ZCodeDocument });
