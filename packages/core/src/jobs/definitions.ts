/**
 * Job contracts: payload schemas, job id rules and scheduler ids. Payloads carry ids only (never
 * secrets or entities): handlers reload from the database. Which queue a job runs on, its retries
 * and its retention are in `catalog.ts`, which ties these together per job name.
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

/** Jobs a scheduler fires with nothing to say (the poll tick, the report schedule sync). */
export const ZEmptyJob = z.object({});

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

/**
 * `schedule`: fired by the workspace's job scheduler; the period ends at the scheduled time.
 * `manual`: "send now"; the period ends at the start of the current local hour.
 */
export const ZWeeklyReportJob = z.object({
  workspaceId: z.string().min(1).max(64),
  trigger: z.enum(["schedule", "manual"]),
  /** Only these addresses (e.g. "send me a copy now"); otherwise every active subscription. */
  to: z.array(z.string().email().max(254)).max(20).optional(),
  requestedBy: z.string().max(200).optional(),
});
export type TWeeklyReportJob = z.infer<typeof ZWeeklyReportJob>;

/** Replay a connection's audit log against a guardrail version (an ImpactReport row, created queued). */
export const ZImpactReplayJob = z.object({ reportId: z.string().min(1).max(64) });
export const impactJobId = (reportId: string) => `impact__${reportId}`;

/**
 * Plan's would-have-blocked preview on one connection (impact/preview-impact.ts): the proposed, unsaved
 * guardrails travel in the payload, an exception to "ids only", because a plan writes nothing the
 * handler could reload. Nothing secret: a control id, its parameters and scope as the plan checked them.
 * The answer is the job's return value (Redis, kept ten minutes); the database is not written.
 */
export const ZImpactPreviewJob = z.object({
  workspaceId: z.string().min(1).max(64),
  connectionId: z.string().min(1).max(64),
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  /** Events read at most (the reader stops there and says so). */
  maxEvents: z.number().int().min(1).max(100_000),
  /** Epoch ms: reading stops here, and proposals not judged by then are reported as cut short. */
  deadline: z.number().int().min(0),
  proposals: z
    .array(
      z.object({
        key: z.string().min(1).max(64),
        /** The workspace guardrail it changes (its exemptions in force apply), or null for a new one. */
        guardrailId: z.string().min(1).max(64).nullable(),
        controlId: z.string().min(1).max(100),
        params: z.record(z.string().max(100), z.unknown()),
        scope: z.record(z.string().max(20), z.unknown()),
      }),
    )
    .min(1)
    .max(100),
});
export type TImpactPreviewJob = z.infer<typeof ZImpactPreviewJob>;

/** Run one PostureScan (a read-only scan of the customer's own policies; posture/run-posture-scan.ts). */
export const ZPostureScanJob = z.object({ scanId: z.string().min(1).max(64) });
export const postureJobId = (scanId: string) => `posture__${scanId}`;

/** The rollouts step runs this often: soak times are minutes, so a minute late is on time. */
export const ROLLOUTS_SCHEDULER_ID = "rollouts-advance";
export const ROLLOUTS_TICK_MS = 60_000;

export const ZSampleJob = z.object({ workspaceId: z.string().min(1).max(64) });

export const ZSendEmailJob = z.object({ deliveryId: z.string().min(1).max(64) });

export const ZInvitationEmailJob = z.object({ invitationId: z.string().min(1).max(64) });

export const weeklySchedulerId = (workspaceId: string) => `reports-weekly__${workspaceId}`;
export const sampleSchedulerId = (workspaceId: string) => `reports-sample__${workspaceId}`;
export const SYNC_SCHEDULER_ID = "reports-sync-schedules";
/** Daily sample at 23:50 local: the day's last state, before the date changes. */
export const SAMPLE_CRON = "50 23 * * *";
export const SYNC_EVERY_MS = 60 * 60_000;
export const emailJobId = (deliveryId: string) => `email__${deliveryId}`;

/** One send of a NotificationDelivery (alerts); the attempt number is part of the id so a retry is a new job. */
export const ZDeliverAlertJob = z.object({ deliveryId: z.string().min(1).max(64), attempt: z.number().int().min(0).max(1000) });
export const alertJobId = (deliveryId: string, attempt: number) => `alert__${deliveryId}__${attempt}`;
/** Routes alert events and queues due deliveries; also what finds deliveries whose job Redis lost. */
export const NOTIFY_SCHEDULER_ID = "notifications-tick";
export const NOTIFY_TICK_MS = 2_000;
/** Time-driven alerts (exemption expiry, coverage threshold): once a minute is on time for both. */
export const NOTIFY_SCAN_SCHEDULER_ID = "notifications-scan";
export const NOTIFY_SCAN_MS = 60_000;
/** Denial attribution: every connection's audit log is read for refused calls once a minute. */
export const DENIALS_SCHEDULER_ID = "impact-denials";
export const DENIALS_TICK_MS = 60_000;

/**
 * One connection's denial poll, asked for by an inbound cloud event (the event path): the job id
 * collapses a storm of events into one queued poll, and the pending flag, set before the add, makes
 * the running poll read once more for events that arrived while it was reading.
 */
export const ZDenialPollJob = z.object({ connectionId: z.string().min(1).max(64) });
export const denialPollJobId = (connectionId: string) => `denials__${connectionId}`;
export const denialPollPendingKey = (redisPrefix: string, connectionId: string) => `${redisPrefix}denials:pending:${connectionId}`;
