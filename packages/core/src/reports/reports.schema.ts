import { z } from "zod";
import { ZCloudName, ZFidelityName, ZIsoDateTime } from "../common/wire.schema.ts";
import { COVERAGE_STATUSES } from "./model.ts";
import { REPORT_CSV_TABLES } from "./render-csv.ts";

export const ZCreateSubscriptionInput = z.object({ email: z.string().trim().toLowerCase().email().max(254).optional() });
export type TCreateSubscriptionInput = z.infer<typeof ZCreateSubscriptionInput>;
export const ZUpdateSubscriptionInput = z.object({ active: z.boolean() });
export type TUpdateSubscriptionInput = z.infer<typeof ZUpdateSubscriptionInput> & { id: string };
/** A stored report (or subscription) by id; anything else is a 404 like an unknown id. */
export const ZReportRef = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export type TReportRef = z.infer<typeof ZReportRef>;

/** One of the report's tables as CSV (`?table=guardrails`), or all of them in one file. */
export const ZReportCsvQuery = z.object({ table: z.enum([...REPORT_CSV_TABLES, "all"]).default("all") });
/** The preview as the e-mail's HTML, its plain-text part, or the model as JSON. */
export const ZReportPreviewQuery = z.object({ format: z.enum(["html", "text", "json"]).default("html") });
/** "me": the caller only; "subscribers": every active subscriber (needs report:manage). */
export const ZSendNowInput = z.object({ to: z.enum(["me", "subscribers"]).default("me") }).strict();

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

const ZStatusCounts = z.object({ ...Object.fromEntries(COVERAGE_STATUSES.map((s) => [s, z.number()])), total: z.number() } as Record<
  (typeof COVERAGE_STATUSES)[number] | "total",
  z.ZodNumber
>);
const ZCoverageLine = z.object({ counts: ZStatusCounts, coveragePct: z.number().nullable() });

/**
 * The weekly report model (model.ts `TReportModel`): what the HTML, text and CSV renderings and the
 * report page show, stored verbatim with each snapshot. Its strings are as the model wrote them (ISO
 * instants, local labels).
 */
const ZReportModel = z.object({
  version: z.literal(1),
  workspace: z.object({ id: z.string(), name: z.string() }),
  timezone: z.string(),
  period: z.object({ start: z.string(), end: z.string(), label: z.string(), endLabel: z.string() }),
  generatedAt: z.string(),
  sampleDay: z.string().nullable(),
  headline: z.object({
    coverage: ZCoverageLine,
    changePts: z.number().nullable(),
    environments: z.object({ total: z.number(), fullyCovered: z.number() }),
    openDrift: z.number(),
    driftOpened: z.number(),
    driftRepaired: z.number(),
    medianRepairMinutes: z.number().nullable(),
    worstRepairMinutes: z.number().nullable(),
    expiringExemptions: z.number(),
    pendingApprovals: z.number(),
    fidelityGaps: z.number(),
  }),
  trend: z.array(
    z.object({ weekEnd: z.string(), label: z.string(), sampleDay: z.string().nullable(), coveragePct: z.number().nullable() }),
  ),
  byCloud: z.array(ZCoverageLine.extend({ cloud: ZCloudName, environments: z.number(), fullyCovered: z.number() })),
  byGuardrail: z.array(
    ZCoverageLine.extend({ guardrailId: z.string(), name: z.string(), controlId: z.string(), changePts: z.number().nullable() }),
  ),
  byFramework: z.array(ZCoverageLine.extend({ framework: z.string(), ref: z.string(), controls: z.array(z.string()) })),
  newEnvironments: z.array(
    z.object({
      nodeId: z.string(),
      name: z.string(),
      externalId: z.string(),
      cloud: ZCloudName,
      connection: z.string(),
      discoveredAt: z.string(),
      state: z.enum(["uncovered", "partially covered"]),
    }),
  ),
  drift: z.object({
    opened: z.number(),
    repaired: z.number(),
    medianRepairMinutes: z.number().nullable(),
    worstRepairMinutes: z.number().nullable(),
    incidents: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        summary: z.string(),
        cloud: ZCloudName,
        guardrail: z.string().nullable(),
        environment: z.string().nullable(),
        openedAt: z.string(),
        resolvedAt: z.string(),
        repairMinutes: z.number(),
        resolution: z.string().nullable(),
      }),
    ),
  }),
  openDrift: z.object({
    total: z.number(),
    items: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        summary: z.string(),
        cloud: ZCloudName,
        guardrail: z.string().nullable(),
        environment: z.string().nullable(),
        openedAt: z.string(),
        ageMinutes: z.number(),
      }),
    ),
  }),
  exemptions: z.object({
    windowDays: z.number(),
    items: z.array(
      z.object({
        id: z.string(),
        guardrail: z.string(),
        environment: z.string(),
        cloud: ZCloudName,
        ownerEmail: z.string(),
        reason: z.string(),
        expiresAt: z.string(),
        daysLeft: z.number(),
      }),
    ),
  }),
  approvals: z.object({
    total: z.number(),
    items: z.array(
      z.object({
        id: z.string(),
        action: z.string(),
        summary: z.string(),
        requestedBy: z.string(),
        createdAt: z.string(),
        ageDays: z.number(),
      }),
    ),
  }),
  fidelityGaps: z.array(
    z.object({
      guardrailId: z.string(),
      guardrail: z.string(),
      controlId: z.string(),
      cloud: ZCloudName,
      fidelity: ZFidelityName,
      gap: z.string(),
      pairs: z.number(),
    }),
  ),
  posture: z
    .object({
      connections: z.array(
        z.object({
          name: z.string(),
          cloud: z.string(),
          scannedAt: z.string().nullable(),
          policies: z.number(),
          lockouts: z.number(),
          drifted: z.array(z.string()),
        }),
      ),
      controls: z.array(
        z.object({ controlId: z.string(), title: z.string(), enforced: z.number(), partial: z.number(), none: z.number() }),
      ),
    })
    .optional(),
  denials: z
    .object({
      thisWeek: z.object({ parapet: z.number(), notParapet: z.number() }),
      lastWeek: z.object({ parapet: z.number(), notParapet: z.number() }),
      byGuardrail: z.array(z.object({ guardrailId: z.string(), guardrail: z.string(), thisWeek: z.number(), lastWeek: z.number() })),
    })
    .optional(),
  notes: z.array(z.string()),
});

/** A past weekly report, as listed. */
const ZReportSummary = z.object({
  id: z.string(),
  periodStart: ZIsoDateTime,
  periodEnd: ZIsoDateTime,
  createdAt: ZIsoDateTime,
  label: z.string(),
  coveragePct: z.number().nullable(),
  changePts: z.number().nullable(),
  openDrift: z.number().int(),
  deliveries: z.number().int(),
});
export const ZReportList = z.object({ items: z.array(ZReportSummary) });
export const ZReportSnapshot = z.object({
  id: z.string(),
  periodStart: ZIsoDateTime,
  periodEnd: ZIsoDateTime,
  createdAt: ZIsoDateTime,
  model: ZReportModel,
});
/** `?format=json` of the preview (html and text are documents, not JSON). */
export const ZReportPreview = z.object({ model: ZReportModel });
export const ZSendNow = z.object({
  queued: z.boolean(),
  jobId: z.string().optional(),
  to: z.union([z.array(z.string()), z.literal("subscribers")]),
});

export const ZSubscription = z.object({
  id: z.string(),
  email: z.string(),
  userId: z.string().nullable(),
  active: z.boolean(),
  unsubscribedAt: ZIsoDateTime.nullable(),
  createdAt: ZIsoDateTime,
});
/** Managers see every subscription, others their own; `me` is the caller's address. */
export const ZSubscriptionList = z.object({ items: z.array(ZSubscription), me: z.string() });
