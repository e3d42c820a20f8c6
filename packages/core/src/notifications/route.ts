/**
 * Routing: unrouted events → deliveries, by the workspace's rules. Events of one type for one channel
 * within a rule's digest window fold into one delivery (a storm of 500 drifts is one message with a
 * count); the window starts at the first event, so the first message waits at most that long.
 */
import type { PrismaClient } from "@parapet/db";
import { severityRank } from "./events.ts";
import {
  activeRulesOf,
  addToDelivery,
  claimUnroutedEvents,
  enabledChannelsByIds,
  markEventsRouted,
  transaction,
  type DeliveryGroup,
  type UnroutedEvent,
} from "./notifications.repository.ts";

const DEFAULT_MAX_ATTEMPTS = 8;

interface RuleLike {
  channelId: string;
  eventTypes: string[];
  connectionIds: string[];
  guardrailIds: string[];
  labels: unknown;
  minSeverity: string;
  digestWindowSec: number;
  channel: { id: string; kind: string };
}

/** Whether `rule` selects `event` (empty filter lists mean any). Pure. */
export function ruleMatches(
  rule: Omit<RuleLike, "channel" | "channelId" | "digestWindowSec">,
  event: Pick<UnroutedEvent, "type" | "severity" | "connectionId" | "guardrailId" | "labels">,
): boolean {
  if (!rule.eventTypes.includes(event.type)) return false;
  if (severityRank(event.severity) < severityRank(rule.minSeverity)) return false;
  if (rule.connectionIds.length && (!event.connectionId || !rule.connectionIds.includes(event.connectionId))) return false;
  if (rule.guardrailIds.length && (!event.guardrailId || !rule.guardrailIds.includes(event.guardrailId))) return false;
  const want = rule.labels && typeof rule.labels === "object" ? (rule.labels as Record<string, unknown>) : {};
  const have = event.labels && typeof event.labels === "object" ? (event.labels as Record<string, unknown>) : {};
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

/**
 * Routes up to `batch` events in one transaction; returns how many it took (0 = nothing waiting).
 * Run it again while it returns `batch`.
 */
export async function routeEvents(prisma: PrismaClient, now = new Date(), batch = 2000): Promise<number> {
  return transaction(prisma, async (tx) => {
    const events = await claimUnroutedEvents(tx, batch);
    if (events.length === 0) return 0;
    const rules = await activeRulesOf(tx, [...new Set(events.map((e) => e.workspaceId))]);
    const replyIds = [...new Set(events.flatMap((e) => (e.replyChannelId ? [e.replyChannelId] : [])))];
    const replyChannels = new Map((replyIds.length ? await enabledChannelsByIds(tx, replyIds) : []).map((c) => [c.id, c]));
    const groups = new Map<string, DeliveryGroup>();
    const add = (e: UnroutedEvent, channelId: string, kind: string, windowSec: number) => {
      // PagerDuty resolves are never folded: each names the incident (dedup key) it closes.
      const digest = windowSec > 0 && !(kind === "pagerduty" && e.resolves);
      const key = digest ? `${channelId}\u0000${e.type}` : `${channelId}\u0000${e.id}`;
      const g = groups.get(key);
      if (g) {
        g.eventIds.push(e.id);
        g.count++;
        return;
      }
      groups.set(key, {
        workspaceId: e.workspaceId,
        channelId,
        eventType: e.type,
        digestKey: digest ? e.type : null,
        eventIds: [e.id],
        count: 1,
        notBefore: new Date(now.getTime() + (digest ? windowSec * 1000 : 0)),
        maxAttempts: DEFAULT_MAX_ATTEMPTS,
      });
    };
    for (const e of events) {
      const seen = new Set<string>();
      for (const r of rules) {
        if (r.workspaceId !== e.workspaceId || seen.has(r.channelId) || !ruleMatches(r, e)) continue;
        seen.add(r.channelId);
        add(e, r.channelId, r.channel.kind, r.digestWindowSec);
      }
      const reply = e.replyChannelId ? replyChannels.get(e.replyChannelId) : undefined;
      if (reply && reply.workspaceId === e.workspaceId && !seen.has(reply.id)) add(e, reply.id, reply.kind, 0);
    }
    for (const g of groups.values()) await addToDelivery(tx, g);
    await markEventsRouted(
      tx,
      events.map((e) => e.id),
      now,
    );
    return events.length;
  });
}
