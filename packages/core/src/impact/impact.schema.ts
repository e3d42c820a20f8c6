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
