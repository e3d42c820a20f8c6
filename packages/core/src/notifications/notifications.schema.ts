/** Alerts' API contract: channels, rules, the delivery log and the workspace's alert settings. */
import { z } from "zod";
import { listOf, pageOf, wireEnum, ZIsoDateTime } from "../common/wire.schema.ts";
import { NOTIFICATION_EVENT_TYPES, SEVERITIES } from "./events.ts";

export const CHANNEL_KINDS = ["slack", "teams", "webhook", "pagerduty", "email"] as const;
const ZKind = z.enum(CHANNEL_KINDS);
const ZName = z.string().trim().min(1).max(100);
const ZHttpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL");
const ZRecipients = z.array(z.string().trim().email().max(254)).min(1).max(20);

/**
 * One flat object for every kind (the route walk checks each field's type on its own); which fields a
 * kind needs is checked by the use-case, naming the field: Slack and Teams take `url` (the webhook URL,
 * itself the secret), the generic webhook `url` and optionally `secret` (generated when absent, shown
 * once), PagerDuty `routingKey`, e-mail `to`.
 */
export const ZCreateChannelInput = z
  .object({
    name: ZName,
    kind: ZKind,
    url: ZHttpUrl.optional(),
    secret: z.string().min(16).max(500).optional(),
    routingKey: z.string().trim().min(20).max(64).optional(),
    to: ZRecipients.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type TCreateChannelInput = z.infer<typeof ZCreateChannelInput>;

export const ZUpdateChannelInput = z
  .object({
    name: ZName.optional(),
    url: ZHttpUrl.optional(),
    secret: z.string().min(16).max(500).optional(),
    routingKey: z.string().trim().min(20).max(64).optional(),
    to: ZRecipients.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type TUpdateChannelInput = z.infer<typeof ZUpdateChannelInput>;

export const ZChannel = z.object({
  id: z.string(),
  name: z.string(),
  kind: wireEnum(CHANNEL_KINDS),
  enabled: z.boolean(),
  /** Where it goes, as much as may be shown: a webhook's URL, e-mail recipients, or a hint of the secret. */
  target: z.string(),
  health: wireEnum(["ok", "failing"]),
  consecutiveFailures: z.number().int(),
  failingSince: ZIsoDateTime.nullable(),
  lastSuccessAt: ZIsoDateTime.nullable(),
  createdAt: ZIsoDateTime,
});
export const ZChannelList = listOf(ZChannel);
/** A created channel; `signingSecret` only for a generic webhook whose key Parapet generated (shown once). */
export const ZChannelCreated = ZChannel.extend({ signingSecret: z.string().optional() });
export const ZChannelDeleted = z.object({ deleted: z.boolean() });
export const ZTestQueued = z.object({ deliveryId: z.string() });

const ZEventType = z.enum(NOTIFICATION_EVENT_TYPES);
const ZIds = z.array(z.string().trim().min(1).max(64)).max(50);
const ZLabels = z
  .record(z.string().trim().min(1).max(63), z.string().max(255))
  .refine((r) => Object.keys(r).length <= 10, "at most 10 labels");

export const ZCreateRuleInput = z
  .object({
    name: ZName,
    channelId: z.string().trim().min(1).max(64),
    eventTypes: z.array(ZEventType).min(1).max(NOTIFICATION_EVENT_TYPES.length),
    connectionIds: ZIds.optional(),
    guardrailIds: ZIds.optional(),
    labels: ZLabels.optional(),
    minSeverity: z.enum(SEVERITIES).optional(),
    /** 0 = every event its own message; else events of one type within this window are one message. */
    digestWindowSec: z.number().int().min(0).max(3600).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type TCreateRuleInput = z.infer<typeof ZCreateRuleInput>;
export const ZUpdateRuleInput = ZCreateRuleInput.omit({ channelId: true }).partial().strict();
export type TUpdateRuleInput = z.infer<typeof ZUpdateRuleInput>;

export const ZRule = z.object({
  id: z.string(),
  name: z.string(),
  channelId: z.string(),
  eventTypes: z.array(z.string()),
  connectionIds: z.array(z.string()),
  guardrailIds: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  minSeverity: wireEnum(SEVERITIES),
  digestWindowSec: z.number().int(),
  enabled: z.boolean(),
  createdAt: ZIsoDateTime,
});
export const ZRuleList = listOf(ZRule);
export const ZRuleDeleted = z.object({ deleted: z.boolean() });

const ZDelivery = z.object({
  id: z.string(),
  kind: z.string(),
  eventType: z.string(),
  status: wireEnum(["collecting", "pending", "sending", "sent", "failed"]),
  eventCount: z.number().int(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  notBefore: ZIsoDateTime,
  createdAt: ZIsoDateTime,
  sentAt: ZIsoDateTime.nullable(),
});
export const ZDeliveryPage = pageOf(ZDelivery);

export const ZNotificationSettings = z.object({
  expiryWarnDays: z.array(z.number().int()),
  coverageThreshold: z.number().nullable(),
  exemptionMaxDays: z.number().int(),
});
export const ZUpdateNotificationSettingsInput = z
  .object({
    /** Days before an exemption ends when it is told (e.g. [15, 1]). */
    expiryWarnDays: z.array(z.number().int().min(1).max(90)).min(1).max(5).optional(),
    /** Percentage of enforced cells below which "coverage below threshold" is told; null = off. */
    coverageThreshold: z.number().min(0).max(100).nullable().optional(),
    /** Longest exemption requested from a denial. */
    exemptionMaxDays: z.number().int().min(1).max(365).optional(),
  })
  .strict();
export type TUpdateNotificationSettingsInput = z.infer<typeof ZUpdateNotificationSettingsInput>;
