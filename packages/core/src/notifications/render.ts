/**
 * One delivery → the body each service documents. Pure, so the shapes are unit-testable and the
 * integration test's receivers check the same shapes on the wire.
 *
 * - Slack incoming webhook: POST JSON `{ text, blocks }`; with blocks, `text` is the notification
 *   fallback (https://api.slack.com/messaging/webhooks, Block Kit https://api.slack.com/block-kit).
 *   Limits: header block text ≤ 150 chars, section text ≤ 3000, ≤ 50 blocks
 *   (https://api.slack.com/reference/block-kit/blocks).
 * - Microsoft Teams "Post to a channel when a webhook request is received" workflow: POST JSON
 *   `{ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive",
 *   content: <AdaptiveCard> }] }` (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook,
 *   card schema https://adaptivecards.io/schemas/adaptive-card.json).
 * - PagerDuty Events API v2: POST https://events.pagerduty.com/v2/enqueue `{ routing_key,
 *   event_action: trigger|resolve, dedup_key, payload: { summary, source, severity, … } }`; a resolve
 *   carries no payload; dedup_key ≤ 255 chars, summary ≤ 1024
 *   (https://developer.pagerduty.com/docs/events-API-v2/trigger-events/, PagerDuty/developer-docs
 *   docs/events-API-v2/02-Trigger-Events.md).
 * - Generic webhook: Parapet's own JSON, signed like the inbound event webhook
 *   (`x-parapet-timestamp`, `x-parapet-signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">`).
 */
import { createHmac } from "node:crypto";
import { escapeHtml } from "../common/html.ts";
import { EVENT_TYPE_LABELS, severityRank, SEVERITIES, type DeliveryEventType, type Severity, type StoredEvent } from "./events.ts";

export interface RenderInput {
  deliveryId: string;
  workspaceId: string;
  workspaceName: string;
  eventType: string;
  /** Every event the delivery stands for (the stored samples carry at most the first few). */
  count: number;
  events: StoredEvent[];
  baseUrl: string;
  /** A "send test" message. */
  test?: boolean;
}

interface RenderedMessage {
  title: string;
  severity: Severity;
  /** One line per sample event (digest) or the event's facts (single). */
  lines: string[];
  url: string;
  /** The count beyond the samples ("… and 480 more"). */
  more: number;
}

const label = (t: string) => EVENT_TYPE_LABELS[t as DeliveryEventType] ?? t;
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function detailLines(e: StoredEvent): string[] {
  const d = e.detail && typeof e.detail === "object" ? (e.detail as Record<string, unknown>) : {};
  return Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}: ${String(v)}`);
}

/** Where the message links to: the page that shows what happened. */
function linkFor(baseUrl: string, type: string, e: StoredEvent | undefined): string {
  const path =
    type.startsWith("drift.") || type === "repair.failed"
      ? "/drift"
      : type.startsWith("approval.")
        ? "/approvals"
        : type.startsWith("exemption.")
          ? "/exemptions"
          : type === "denial.detected"
            ? "/denials"
            : type.startsWith("connection.") || type === "reconcile.failed"
              ? e?.connectionId
                ? `/connections/${encodeURIComponent(e.connectionId)}`
                : "/connections"
              : type === "coverage.below_threshold"
                ? "/coverage"
                : "/settings/notifications";
  return new URL(path, baseUrl).toString();
}

function messageOf(input: RenderInput): RenderedMessage {
  const first = input.events[0];
  const severity = input.events.reduce<Severity>(
    (s, e) => (severityRank(e.severity) > severityRank(s) ? (e.severity as Severity) : s),
    SEVERITIES[0],
  );
  const url = linkFor(input.baseUrl, input.eventType, first);
  if (input.test)
    return {
      title: `Parapet test message for ${input.workspaceName}`,
      severity: "info",
      lines: ["This channel is set up correctly."],
      url,
      more: 0,
    };
  if (input.count <= 1 && first) return { title: first.title, severity, lines: detailLines(first), url, more: 0 };
  const lines = input.events.map((e) => e.title);
  return {
    title: `${input.count} × ${label(input.eventType)} in ${input.workspaceName}`,
    severity,
    lines,
    url,
    more: Math.max(0, input.count - input.events.length),
  };
}

function bodyText(m: RenderedMessage): string {
  return [...m.lines, ...(m.more ? [`… and ${m.more} more`] : [])].join("\n");
}

export function slackPayload(input: RenderInput): Record<string, unknown> {
  const m = messageOf(input);
  const text = bodyText(m);
  return {
    text: clip(`${m.title}${text ? `\n${text}` : ""}`, 3000),
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(m.title, 150), emoji: false } },
      ...(text ? [{ type: "section", text: { type: "mrkdwn", text: clip(text, 3000) } }] : []),
      { type: "context", elements: [{ type: "mrkdwn", text: clip(`Parapet · ${label(input.eventType)} · severity ${m.severity}`, 3000) }] },
      {
        type: "actions",
        elements: [{ type: "button", text: { type: "plain_text", text: "Open in Parapet" }, url: m.url, action_id: "open" }],
      },
    ],
  };
}

export function teamsPayload(input: RenderInput): Record<string, unknown> {
  const m = messageOf(input);
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: m.title, size: "Large", weight: "Bolder", wrap: true },
            {
              type: "FactSet",
              facts: [
                { title: "Event", value: label(input.eventType) },
                { title: "Severity", value: m.severity },
                { title: "Count", value: String(Math.max(1, input.count)) },
              ],
            },
            ...m.lines.map((l) => ({ type: "TextBlock", text: l, wrap: true, spacing: "Small" })),
            ...(m.more ? [{ type: "TextBlock", text: `… and ${m.more} more`, wrap: true, isSubtle: true }] : []),
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open in Parapet", url: m.url }],
        },
      },
    ],
  };
}

export function webhookPayload(input: RenderInput, sentAt: Date): Record<string, unknown> {
  const m = messageOf(input);
  return {
    id: input.deliveryId,
    type: input.test ? "channel.test" : input.eventType,
    workspaceId: input.workspaceId,
    title: m.title,
    severity: m.severity,
    count: Math.max(1, input.count),
    url: m.url,
    sentAt: sentAt.toISOString(),
    events: input.events.map((e) => ({
      id: e.id,
      type: e.type,
      severity: e.severity,
      title: e.title,
      connectionId: e.connectionId,
      guardrailId: e.guardrailId,
      labels: e.labels,
      detail: e.detail,
      dedupKey: e.dedupKey,
      resolves: e.resolves,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}

/** The signature header pair of a generic webhook body (the receiver recomputes it with the channel's key). */
export function signWebhook(secret: string, body: string, now: Date): { "x-parapet-timestamp": string; "x-parapet-signature": string } {
  const ts = String(Math.floor(now.getTime() / 1000));
  return {
    "x-parapet-timestamp": ts,
    "x-parapet-signature": `sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`,
  };
}

/**
 * PagerDuty events for one delivery. A single event uses its own dedup key (a repair resolves the
 * incident its detection opened); a digest triggers one incident keyed by the delivery. Resolving
 * events are never digested for PagerDuty (route.ts), so each resolve names its own key.
 */
export function pagerDutyEvents(input: RenderInput, routingKey: string): Array<Record<string, unknown>> {
  const m = messageOf(input);
  const first = input.events[0];
  const single = input.count <= 1 && first && !input.test;
  const dedupKey = clip(single && first.dedupKey ? `parapet:${first.dedupKey}` : `parapet:delivery:${input.deliveryId}`, 255);
  if (single && first.resolves) return [{ routing_key: routingKey, event_action: "resolve", dedup_key: dedupKey }];
  return [
    {
      routing_key: routingKey,
      event_action: "trigger",
      dedup_key: dedupKey,
      payload: {
        summary: clip(m.title, 1024),
        source: "parapet",
        // Events API v2 severities are critical | error | warning | info; Parapet's map onto three of them.
        severity: m.severity,
        timestamp: (first?.createdAt ?? new Date()).toISOString(),
        ...(first?.connectionId ? { component: first.connectionId } : {}),
        ...(first?.guardrailId ? { group: first.guardrailId } : {}),
        class: input.test ? "channel.test" : input.eventType,
        custom_details: { count: Math.max(1, input.count), lines: m.lines, ...(m.more ? { more: m.more } : {}) },
      },
      client: "Parapet",
      client_url: m.url,
      links: [{ href: m.url, text: "Open in Parapet" }],
    },
  ];
}

export function emailMessage(input: RenderInput): { subject: string; text: string; html: string } {
  const m = messageOf(input);
  const text = `${m.title}\n\n${bodyText(m)}\n\n${m.url}\n`;
  const html = `<h2>${escapeHtml(m.title)}</h2><ul>${[...m.lines, ...(m.more ? [`… and ${m.more} more`] : [])]
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join("")}</ul><p><a href="${escapeHtml(m.url)}">Open in Parapet</a></p>`;
  return { subject: clip(`[Parapet] ${m.title}`, 200), text, html };
}
