/**
 * Job contracts. Payloads carry ids only (never secrets or entities): handlers reload from the
 * database. Job names are `<domain>.<verb>` and are never renamed once shipped.
 */
import { z } from "zod";

export const ZReconcileJob = z.object({
  connectionId: z.string().min(1).max(64),
  trigger: z.enum(["poll", "event", "manual", "guardrail-change", "discovery", "approval"]),
  discover: z.boolean().optional(),
  reason: z.string().max(500).optional(),
  /** A person asked for drift to be put back (drift "re-apply now"): repairs even guardrails set to notify. */
  repair: z.boolean().optional(),
});
export type TReconcileJob = z.infer<typeof ZReconcileJob>;

export const JOB_NAMES = {
  reconcile: "reconcile.run",
  pollTick: "reconcile.poll-tick",
  weeklyReport: "reports.weekly",
  sendEmail: "notifications.send-email",
  sendInvitation: "notifications.send-invitation",
} as const;

/** One job per connection at a time: duplicates collapse while one is waiting or running. */
export const reconcileJobId = (connectionId: string) => `reconcile__${connectionId}`;
/** Set when a reconcile is requested; the running job loops while it is set, so no request is lost. */
export const reconcilePendingKey = (redisPrefix: string, connectionId: string) => `${redisPrefix}reconcile:pending:${connectionId}`;
/** Set by a repair request; kept apart from the pending flag so a later plain request cannot overwrite it. */
export const reconcileRepairKey = (redisPrefix: string, connectionId: string) => `${redisPrefix}reconcile:repair:${connectionId}`;
export const POLL_SCHEDULER_ID = "reconcile-poll-tick";
export const POLL_TICK_MS = 15_000;

/**
 * Work on one connection that needs its credentials (so it runs in the worker, the only process that
 * decrypts them): verify permissions, discover the hierarchy, or preview the plan. Results land on
 * the connection row (verifyResult, nodes) or as a ReconcileRun with trigger "preview".
 */
export const ZConnectionTaskJob = z.object({
  connectionId: z.string().min(1).max(64),
  task: z.enum(["verify", "discover", "preview"]),
  requestedBy: z.string().max(200).optional(),
});
export type TConnectionTaskJob = z.infer<typeof ZConnectionTaskJob>;
export const CONNECTION_TASK_JOB = "connections.task";
