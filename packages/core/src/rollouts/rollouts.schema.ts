import { z } from "zod";
import { wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";
import { ZId } from "../guardrails/guardrails.schema.ts";
import { parseLabelExpression } from "../scope/label-expression.ts";

/** A week: longer soaks are better served by holding the rollout. */
const MAX_SOAK_MINUTES = 7 * 24 * 60;
const ZSoak = z.number().int().min(0).max(MAX_SOAK_MINUTES);

const ZCanaryStage = z
  .object({
    kind: z.literal("canary"),
    /** Subtrees rooted at these nodes (the selector language of guardrail scopes: scope/select.ts). */
    nodeIds: z.array(ZId).min(1).max(500).optional(),
    /** Label expression over effective labels; filters `nodeIds`, or every environment when none are given. */
    labels: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .superRefine((v, ctx) => {
        try {
          parseLabelExpression(v);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
        }
      })
      .optional(),
    soakMinutes: ZSoak,
  })
  .strict()
  .refine((s) => s.nodeIds !== undefined || s.labels !== undefined, {
    message: "a canary names environments: give nodeIds, labels or both",
    path: ["nodeIds"],
  });

const ZWaveStage = z
  .object({
    kind: z.literal("wave"),
    /** Cumulative share of the guardrail's in-scope environments, per connection (rollouts/reach.ts). */
    percent: z.number().int().min(1).max(99),
    soakMinutes: ZSoak,
  })
  .strict();

const ZEverywhereStage = z.object({ kind: z.literal("everywhere"), soakMinutes: ZSoak }).strict();

const ZRolloutStage = z.discriminatedUnion("kind", [ZCanaryStage, ZWaveStage, ZEverywhereStage]);
export type TRolloutStage = z.infer<typeof ZRolloutStage>;

/** Stages in order: an optional canary first, waves of growing percent, `everywhere` last and once. */
const ZRolloutStages = z
  .array(ZRolloutStage)
  .min(1)
  .max(12)
  .superRefine((stages, ctx) => {
    let lastPercent = 0;
    stages.forEach((s, i) => {
      if (s.kind === "canary" && i !== 0)
        ctx.addIssue({ code: "custom", path: [i, "kind"], message: "the canary, if any, is the first stage" });
      if (s.kind === "wave") {
        if (s.percent <= lastPercent)
          ctx.addIssue({
            code: "custom",
            path: [i, "percent"],
            message: `waves grow: ${s.percent} is not above the previous wave's ${lastPercent}`,
          });
        lastPercent = s.percent;
      }
      if (s.kind === "everywhere" && i !== stages.length - 1)
        ctx.addIssue({ code: "custom", path: [i, "kind"], message: "`everywhere` is the last stage" });
    });
    if (stages.at(-1)?.kind !== "everywhere")
      ctx.addIssue({ code: "custom", path: [stages.length - 1, "kind"], message: "the last stage must be `everywhere`" });
  });

export const ZStartRolloutInput = z
  .object({
    stages: ZRolloutStages,
    /** Halt when more drift findings than this open for the guardrail during one stage. */
    driftThreshold: z.number().int().min(0).max(10_000).default(3),
    note: z.string().max(1000).optional(),
  })
  .strict();
export type TStartRolloutInput = z.input<typeof ZStartRolloutInput>;

export const ZRolloutActionInput = z.object({ reason: z.string().trim().min(1).max(1000).optional() }).strict();
export type TRolloutActionInput = z.input<typeof ZRolloutActionInput>;

const ROLLOUT_STATUSES = ["running", "held", "halted", "completed", "rolled-back"] as const;
export type TRolloutStatus = (typeof ROLLOUT_STATUSES)[number];

const ZStageView = z.object({
  index: z.number().int(),
  kind: wireEnum(["canary", "wave", "everywhere"]),
  nodeIds: z.array(z.string()).optional(),
  labels: z.string().optional(),
  percent: z.number().int().optional(),
  soakMinutes: z.number().int(),
  /** done: passed its checks; active: deployed now; pending: not reached. */
  state: wireEnum(["done", "active", "pending"]),
});

const ZRolloutView = z.object({
  id: z.string(),
  guardrailId: z.string(),
  baseVersion: z.number().int(),
  targetVersion: z.number().int(),
  status: wireEnum(ROLLOUT_STATUSES),
  currentStage: z.number().int(),
  stageStartedAt: ZIsoDateTime,
  /** When the current stage's soak time ends (the checks run from then on). */
  soakEndsAt: ZIsoDateTime,
  driftThreshold: z.number().int(),
  haltReason: z.string().nullable(),
  haltPrincipals: z.array(z.string()),
  acceptedPrincipals: z.array(z.string()),
  startedBy: z.string(),
  createdAt: ZIsoDateTime,
  updatedAt: ZIsoDateTime,
  finishedAt: ZIsoDateTime.nullable(),
  stages: z.array(ZStageView),
});

/** GET: the active rollout, else the newest one, else null. */
export const ZRolloutResponse = z.object({ rollout: ZRolloutView.nullable() });

/** Start, hold, resume, roll back: the rollout as it is now. */
export const ZRolloutResult = z.object({ rollout: ZRolloutView });
