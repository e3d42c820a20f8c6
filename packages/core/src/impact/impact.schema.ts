import { z } from "zod";
import { stored } from "../common/wire.schema.ts";

/** How far back a replay reads: CloudTrail's LookupEvents and Azure's Activity Log keep 90 days. */
const IMPACT_MAX_DAYS = 90;

export const ZRequestImpactInput = z
  .object({
    days: z.number().int().min(1).max(IMPACT_MAX_DAYS).default(30),
    /** Only these connections (default: every connection of the workspace that can replay). */
    connectionIds: z.array(z.string().min(1).max(64)).min(1).max(50).optional(),
  })
  .strict();
export type TRequestImpactInput = z.input<typeof ZRequestImpactInput>;

export const ZImpactRequested = z.object({
  guardrailId: z.string(),
  version: z.number().int(),
  /** One per connection; `queued: false` when a replay of this version was already waiting or running there. */
  reports: z.array(z.object({ id: z.string(), connectionId: z.string(), queued: z.boolean() })),
});

const ZSample = z.object({
  id: z.string(),
  time: z.string(),
  principal: z.string(),
  action: z.string(),
  resource: z.string(),
  environment: z.string(),
  outcome: z.enum(["success", "denied", "failed"]),
  by: z.string().optional(),
});

const ZImpactSummary = z.object({
  events: z.number().int(),
  skippedByReader: z.record(z.string(), z.number().int()),
  outOfScope: z.number().int(),
  unknownEnvironment: z.number().int(),
  judged: z.number().int(),
  distinctRequests: z.number().int(),
  denied: z.number().int(),
  allowed: z.number().int(),
  unjudgeable: z.number().int(),
  deniedPrincipals: z.number().int(),
  deniedActions: z.number().int(),
  deniedEnvironments: z.number().int(),
  groups: z.array(
    z.object({
      principal: z.string(),
      action: z.string(),
      environment: z.string(),
      environmentId: z.string().optional(),
      count: z.number().int(),
      by: z.array(z.string()),
      samples: z.array(ZSample),
    }),
  ),
  groupsOmitted: z.number().int(),
  unjudgeableReasons: z.array(z.object({ reason: z.string(), detail: z.string().optional(), count: z.number().int(), sample: ZSample })),
  lockouts: z.array(
    z.object({
      class: z.enum(["connector", "break-glass"]),
      principal: z.string(),
      action: z.string(),
      count: z.number().int(),
      sample: ZSample,
    }),
  ),
});

const ZImpactReport = z.object({
  id: z.string(),
  connection: z.object({ id: z.string(), name: z.string(), cloud: z.enum(["aws", "azure", "gcp", "oci"]) }),
  version: z.number().int(),
  windowStart: z.string(),
  windowEnd: z.string(),
  status: z.enum(["queued", "running", "done", "failed"]),
  lockout: z.boolean(),
  error: z.string().nullable(),
  summary: stored(ZImpactSummary).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const ZImpactView = z.object({
  guardrailId: z.string(),
  currentVersion: z.number().int(),
  /** The newest replay per connection. */
  reports: z.array(ZImpactReport),
});

/** One proposed guardrail's preview on one connection (what plan shows per connection). */
const ZImpactPreviewProposal = z.object({
  key: z.string(),
  /** done: replayed; failed: did not compile or resolve here (error); skipped: the time budget ran out first. */
  status: z.enum(["done", "failed", "skipped"]),
  error: z.string().nullable(),
  judged: z.number().int(),
  denied: z.number().int(),
  unjudgeable: z.number().int(),
  deniedPrincipals: z.number().int(),
  /** The most-denied principals and actions, largest first (at most five each). */
  topPrincipals: z.array(z.object({ principal: z.string(), count: z.number().int() })),
  topActions: z.array(z.object({ action: z.string(), count: z.number().int() })),
  /** A denied call by the connector or a break-glass principal. */
  lockout: z.boolean(),
  /** Exemptions of the guardrail in force on this connection, and the calls they spared (denied without them). */
  exemptionsInForce: z.number().int(),
  sparedByExemptions: z.number().int(),
});

/** The answer of an `impact.preview` job: one connection, every proposal judged over the same events. */
export const ZImpactPreviewResult = z.object({
  connectionId: z.string(),
  status: z.enum(["done", "failed"]),
  error: z.string().nullable(),
  since: z.string(),
  until: z.string(),
  /** Events read from the audit log (at most maxEvents). */
  events: z.number().int(),
  /** Why reading stopped before the window's end: the event cap or the time budget; null when it read it all. */
  truncated: z.enum(["events", "time"]).nullable(),
  proposals: z.array(ZImpactPreviewProposal),
});
export type TImpactPreviewResult = z.infer<typeof ZImpactPreviewResult>;
