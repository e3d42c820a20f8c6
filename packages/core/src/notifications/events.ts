/**
 * What Parapet tells people about (issue 17): the event types a rule can select, their severities, and
 * the shape of an event as emitters write it. Pure: emitting is `emit.ts`, routing `route.ts`.
 */
export const NOTIFICATION_EVENT_TYPES = [
  "drift.detected",
  "drift.repaired",
  "drift.left_open",
  "repair.failed",
  "reconcile.failed",
  "connection.verify_failing",
  "approval.requested",
  "approval.decided",
  "exemption.requested",
  "exemption.expiring",
  "exemption.expired",
  "coverage.below_threshold",
  "denial.detected",
] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** Plus the two only Parapet itself sends: "send test" and the failing-channel notice. */
export type DeliveryEventType = NotificationEventType | "channel.test";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityRank = (s: string): number => Math.max(0, SEVERITIES.indexOf(s as Severity));

/** A short human name per type (message headers, digest lines, the UI's rule editor). */
export const EVENT_TYPE_LABELS: Record<DeliveryEventType, string> = {
  "drift.detected": "Drift detected",
  "drift.repaired": "Drift repaired",
  "drift.left_open": "Drift left open (notify mode)",
  "repair.failed": "Repair failed",
  "reconcile.failed": "Reconcile run failed",
  "connection.verify_failing": "Connection verification failing",
  "approval.requested": "Approval requested",
  "approval.decided": "Approval decided",
  "exemption.requested": "Exemption requested",
  "exemption.expiring": "Exemption expiring",
  "exemption.expired": "Exemption expired",
  "coverage.below_threshold": "Coverage below threshold",
  "denial.detected": "Real call denied by a guardrail",
  "channel.test": "Test message",
};

/** What an emitter says happened. Ids only point at rows; the message is built from these fields. */
export interface NotificationEventInput {
  workspaceId: string;
  type: NotificationEventType;
  severity: Severity;
  title: string;
  connectionId?: string | null;
  guardrailId?: string | null;
  /** The environment's labels (rules filter on them). */
  labels?: Record<string, string>;
  /** Small facts shown in the message (strings and numbers; links are built from ids). */
  detail?: Record<string, string | number | boolean | null>;
  /** Same key = same incident: PagerDuty's dedup_key; a `resolves` event closes its key. */
  dedupKey?: string | null;
  resolves?: boolean;
  /** Answer on this channel regardless of rules (an exemption requested from an alert hears its outcome there). */
  replyChannelId?: string | null;
}

/** An event as stored, the part the renderers read. */
export interface StoredEvent {
  id: string;
  type: string;
  severity: string;
  title: string;
  connectionId: string | null;
  guardrailId: string | null;
  labels: unknown;
  detail: unknown;
  dedupKey: string | null;
  resolves: boolean;
  createdAt: Date;
}
