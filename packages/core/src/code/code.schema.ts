import { z } from "zod";
import { ZCompiledCloud, ZScope } from "../guardrails/guardrails.schema.ts";
import { ZIsoTimestamp } from "../common/timestamp.ts";
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
 * exemptions:                      # optional; when present, the desired exemptions (compared, applied by approval)
 *   - guardrail: agents-prod       # a key of `guardrails` above
 *     principal: { cloud: aws, id: "arn:aws:iam::123456789012:role/release-bot" }   # or nodeId: <environment>
 *     reason: the release bot deletes old artifacts
 *     ownerEmail: platform@example.com
 *     expiresAt: 2027-01-31T00:00:00Z
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

/**
 * One exemption: a guardrail (by its key in the document) spares an environment subtree (`nodeId`) or
 * one principal (`principal`), for a reason, until `expiresAt`. The document's own checks are the shape;
 * the rules a request must meet (exactly one of nodeId/principal, a principal one identity, expiry within
 * the workspace's maximum) are checked by the plan, naming `document.exemptions.<i>.<field>`.
 */
const ZCodeExemption = z
  .object({
    guardrail: ZCodeKey,
    /** An environment exemption's node, or a principal exemption's cloud and principal (exactly one). */
    nodeId: z.string().min(1).max(64).optional(),
    principal: z
      .object({ cloud: z.enum(["aws", "azure", "gcp", "oci"]), id: z.string().trim().min(1).max(600) })
      .strict()
      .optional(),
    reason: z.string().trim().min(3).max(1000),
    ownerEmail: z.email().max(320),
    expiresAt: ZIsoTimestamp,
    /** Written by export for the record (active or pending_approval); ignored by plan. */
    status: z.string().max(40).optional(),
  })
  .strict();
export type TCodeExemption = z.output<typeof ZCodeExemption>;

/** What an exemption is of: its guardrail key and its node or principal (one document entry per subject). */
export const exemptionSubject = (e: { guardrail: string; nodeId?: string | null; principal?: { cloud: string; id: string } | null }) =>
  `${e.guardrail}\u0000${e.nodeId ?? ""}\u0000${e.principal ? `${e.principal.cloud}\u0000${e.principal.id}` : ""}`;

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
    const subjects = new Set<string>();
    d.exemptions?.forEach((e, i) => {
      if ((e.nodeId === undefined) === (e.principal === undefined))
        ctx.addIssue({
          code: "custom",
          path: ["exemptions", i, "nodeId"],
          message: "give exactly one of nodeId (an environment subtree) or principal (one identity across the guardrail's scope)",
        });
      if (!seen.has(e.guardrail))
        ctx.addIssue({
          code: "custom",
          path: ["exemptions", i, "guardrail"],
          message: `no guardrail with key "${e.guardrail}" in this document`,
        });
      const k = exemptionSubject(e);
      if (subjects.has(k))
        ctx.addIssue({ code: "custom", path: ["exemptions", i], message: "duplicate exemption (same guardrail and subject)" });
      subjects.add(k);
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
    /**
     * Preview, per connection in scope, what the file's version of each added or changed guardrail would
     * have denied over the connection's audit log (issue 16's replay of the unsaved definition; default false).
     */
    impact: z.boolean().default(false),
    /** Bounds of that preview; each side of the default is refused past its maximum. */
    impactLimits: z
      .object({
        /** The window: this many days back from now. */
        days: z.number().int().min(1).max(30).default(7),
        /** Events read per connection at most. */
        maxEvents: z.number().int().min(100).max(100_000).default(20_000),
        /** Connections replayed at most (the first ones the workspace connected). */
        maxConnections: z.number().int().min(1).max(50).default(10),
        /** Seconds the plan waits for the previews in all. */
        budgetSeconds: z.number().int().min(5).max(120).default(30),
      })
      .strict()
      .default({ days: 7, maxEvents: 20_000, maxConnections: 10, budgetSeconds: 30 }),
  })
  .strict();
export type TImpactLimits = z.output<typeof ZPlanInput>["impactLimits"];

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

/** One proposed guardrail's would-have-blocked preview on one connection. */
const ZPlanImpact = z.object({
  connectionId: z.string(),
  connection: z.string(),
  cloud: z.string(),
  /**
   * done: replayed (over all events read); failed: the guardrail does not compile there or the log could
   * not be read (error); skipped: the time budget ran out before it was judged; timeout: no answer from
   * the worker within the budget.
   */
  status: z.enum(["done", "failed", "skipped", "timeout"]),
  error: z.string().nullable(),
  /** Events read; `truncated` says why reading stopped before the window's end (null: all of it). */
  events: z.number().int(),
  truncated: z.enum(["events", "time"]).nullable(),
  judged: z.number().int(),
  denied: z.number().int(),
  unjudgeable: z.number().int(),
  deniedPrincipals: z.number().int(),
  topPrincipals: z.array(z.object({ principal: z.string(), count: z.number().int() })),
  topActions: z.array(z.object({ action: z.string(), count: z.number().int() })),
  lockout: z.boolean(),
  /** Exemptions in force for the guardrail here, and the calls they spared (the preview applies them). */
  exemptionsInForce: z.number().int(),
  sparedByExemptions: z.number().int(),
});
export type TPlanImpact = z.input<typeof ZPlanImpact>;

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
  /** Per connection in scope, what the file's version would have denied (plan --impact). */
  impact: z.array(ZPlanImpact).optional(),
});
export type TPlanEntry = z.input<typeof ZPlanEntry>;

const EXEMPTION_ACTIONS = ["add", "change", "remove", "unchanged"] as const;
export type TExemptionAction = (typeof EXEMPTION_ACTIONS)[number];

const ZExemptionSubject = z.object({
  nodeId: z.string().nullable(),
  principal: z.object({ cloud: z.string(), id: z.string() }).nullable(),
});

/**
 * One exemption of the document or the workspace. add/change are requested on apply through the
 * two-person approval (an exemption weakens a guardrail); remove revokes at once (it restores protection).
 */
const ZExemptionPlanEntry = ZExemptionSubject.extend({
  /** The document's `exemptions` index (null for a workspace exemption the document does not list). */
  index: z.number().int().nullable(),
  guardrail: z.string(),
  guardrailId: z.string().nullable(),
  action: z.enum(EXEMPTION_ACTIONS),
  /** The workspace exemption compared with (the one a remove revokes). */
  exemptionId: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
  reason: z.string(),
  expiresAt: ZIsoDateTime,
  /** Requested and waiting for a second member (apply waits on it rather than asking twice). */
  pendingApproval: z.string().nullable(),
});
export type TExemptionPlanEntry = z.input<typeof ZExemptionPlanEntry>;

export const ZPlanResult = z.object({
  planHash: z.string(),
  summary: z.object({
    add: z.number().int(),
    change: z.number().int(),
    weaken: z.number().int(),
    remove: z.number().int(),
    unchanged: z.number().int(),
    drift: z.number().int(),
    /** Exemptions: absent when the document has no `exemptions` list (they are then not compared). */
    exemptions: z
      .object({ add: z.number().int(), change: z.number().int(), remove: z.number().int(), unchanged: z.number().int() })
      .optional(),
  }),
  entries: z.array(ZPlanEntry),
  exemptions: z.array(ZExemptionPlanEntry).optional(),
  /** The preview's bounds and whether any of it was cut short (plan --impact). */
  impact: z
    .object({
      since: ZIsoDateTime,
      until: ZIsoDateTime,
      maxEvents: z.number().int(),
      maxConnections: z.number().int(),
      budgetSeconds: z.number().int(),
      /** Connections in scope of some proposal, and those left out past maxConnections. */
      connections: z.number().int(),
      connectionsOmitted: z.array(z.string()),
      /** Some connection's preview stopped early (events, time, no answer) or was left out. */
      truncated: z.boolean(),
    })
    .optional(),
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
  exemptions: z
    .array(
      ZExemptionSubject.extend({
        index: z.number().int().nullable(),
        guardrail: z.string(),
        action: z.enum(EXEMPTION_ACTIONS),
        /** approval: requested, in effect once a second member approves; revoked: at once; unchanged. */
        outcome: z.enum(["approval", "revoked", "unchanged"]),
        exemptionId: z.string().nullable(),
        approvalId: z.string().nullable(),
        approvalUrl: z.string().nullable(),
      }),
    )
    .optional(),
});
export type TApplyResult = z.input<typeof ZApplyResult>;

export const ZExportResult = z.object({ document: ZCodeDocument });
