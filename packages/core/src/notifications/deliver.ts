/**
 * Sending deliveries. Postgres holds every delivery's state; the `notifications` queue only drives
 * the work: a periodic tick (routes events, opens closed digest windows, takes back sends whose worker
 * died, and queues every due delivery) and one job per send. A lost job, a Redis restart or a receiver
 * outage therefore only delays a message: the next tick finds the row still due.
 *
 * Per attempt: 2xx = sent; 429 = retried at the receiver's `Retry-After` (seconds or an HTTP date; without
 * one, backoff), not counted against the channel's health (rate limits are not breakage); 408, 5xx and
 * network errors = retried with exponential backoff until `maxAttempts`; other 4xx (a revoked Slack
 * webhook answers 404/410, a bad PagerDuty key 400) and egress refusals = failed at once. After
 * `failureThreshold` consecutive failed attempts the channel is marked failing and the workspace's
 * owners and admins are e-mailed once.
 */
import type { PrismaClient } from "@parapet/db";
import type { Keyring } from "../connections/secrets.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { describeSmtpError, isPermanentSmtpError, type TMailTransport } from "../reports/mailer.ts";
import {
  adminEmails,
  channelFailed,
  channelSucceeded,
  claimDelivery,
  deliveryForSend,
  dueDeliveries,
  eventsByIds,
  promoteCollecting,
  reclaimAbandoned,
  updateDelivery,
  workspaceName,
} from "./notifications.repository.ts";
import { emailMessage, pagerDutyEvents, signWebhook, slackPayload, teamsPayload, webhookPayload, type RenderInput } from "./render.ts";
import { routeEvents } from "./route.ts";
import { openChannelSecret } from "./secrets.ts";

/** Where PagerDuty's Events API v2 lives (https://developer.pagerduty.com/docs/events-API-v2/trigger-events/). */
const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

export interface DeliverConfig {
  keys: Keyring;
  baseUrl: string;
  mailFrom: string;
  transport: TMailTransport | null;
  /** Guarded connection pool for receivers (public hosts only unless the operator allowlists one). */
  dispatcher?: NonNullable<RequestInit["dispatcher"]>;
  pagerDutyUrl?: string;
  /** First retry after this; doubles per attempt, capped at 15 minutes. */
  backoffBaseMs?: number;
  failureThreshold?: number;
  leaseMs?: number;
  timeoutMs?: number;
}

export type SendOutcome =
  | { kind: "sent"; status: number | null }
  | { kind: "retry"; at: Date; attempts: number; reason: string }
  | { kind: "failed"; reason: string }
  | { kind: "skipped" };

class Attempt extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now.getTime());
}

function describeFetchError(e: unknown): string {
  const err = e as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  const cause = err?.cause;
  const code = typeof cause?.code === "string" ? cause.code : null;
  const msg = typeof cause?.message === "string" ? cause.message : typeof err?.message === "string" ? err.message : String(e);
  return (code ? `${code}: ${msg}` : msg).slice(0, 500);
}

async function post(cfg: DeliverConfig, url: string, body: string, headers: Record<string, string>, now: Date): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Parapet-Alerts/1", ...headers },
      body,
      // A receiver never moves us elsewhere: a redirect could point at an internal address.
      redirect: "error",
      signal: AbortSignal.timeout(cfg.timeoutMs ?? 15_000),
      ...(cfg.dispatcher ? { dispatcher: cfg.dispatcher } : {}),
    });
  } catch (e) {
    const refused = (e as { cause?: { name?: unknown } }).cause?.name === "EgressRefusedError";
    throw new Attempt(refused ? `refused: ${describeFetchError(e)}` : describeFetchError(e), null, !refused);
  }
  const text = (await res.text().catch(() => "")).slice(0, 300);
  if (res.ok) return res.status;
  const why = `HTTP ${res.status}${text ? `: ${text}` : ""}`;
  if (res.status === 429) throw new Attempt(why, 429, true, parseRetryAfter(res.headers.get("retry-after"), now));
  throw new Attempt(why, res.status, res.status === 408 || res.status >= 500);
}

function httpUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Attempt("the channel's URL is not a URL", null, false);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Attempt(`refused: ${u.protocol} is not http(s)`, null, false);
  return u.toString();
}

async function sendOnce(
  cfg: DeliverConfig,
  channel: { id: string; kind: string; config: unknown; secretSealed: string | null },
  input: RenderInput,
  now: Date,
): Promise<number | null> {
  const config = (channel.config && typeof channel.config === "object" ? channel.config : {}) as Record<string, unknown>;
  const secret = () => {
    if (!channel.secretSealed) throw new Attempt("the channel has no secret", null, false);
    return openChannelSecret(cfg.keys, channel.id, channel.secretSealed);
  };
  switch (channel.kind) {
    case "slack":
      return post(cfg, httpUrl(secret()), JSON.stringify(slackPayload(input)), {}, now);
    case "teams":
      return post(cfg, httpUrl(secret()), JSON.stringify(teamsPayload(input)), {}, now);
    case "webhook": {
      const body = JSON.stringify(webhookPayload(input, now));
      return post(
        cfg,
        httpUrl(typeof config.url === "string" ? config.url : ""),
        body,
        { ...signWebhook(secret(), body, now), "x-parapet-delivery": input.deliveryId },
        now,
      );
    }
    case "pagerduty": {
      let last: number | null = null;
      // Each Events API request carries one event; a resolve is idempotent, so a retry of the lot is safe.
      for (const ev of pagerDutyEvents(input, secret()))
        last = await post(cfg, cfg.pagerDutyUrl ?? PAGERDUTY_EVENTS_URL, JSON.stringify(ev), {}, now);
      return last;
    }
    case "email": {
      if (!cfg.transport) throw new Attempt("PARAPET_SMTP_URL is not set", null, true);
      const to = Array.isArray(config.to) ? config.to.filter((x): x is string => typeof x === "string") : [];
      const m = emailMessage(input);
      try {
        await cfg.transport.sendMail({
          from: cfg.mailFrom,
          to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: `<${input.deliveryId}@parapet.alerts>`,
        });
      } catch (e) {
        throw new Attempt(describeSmtpError(e), null, !isPermanentSmtpError(e));
      }
      return null;
    }
    default:
      throw new Attempt(`unknown channel kind ${channel.kind}`, null, false);
  }
}

const backoffMs = (cfg: DeliverConfig, attempts: number) =>
  Math.min(15 * 60_000, (cfg.backoffBaseMs ?? 5_000) * 2 ** Math.max(0, attempts - 1));

/** One attempt at delivery `id` (if it is due and no other worker has it). */
export async function sendDelivery(prisma: PrismaClient, cfg: DeliverConfig, id: string, now = new Date()): Promise<SendOutcome> {
  if (!(await claimDelivery(prisma, id, now, cfg.leaseMs ?? 60_000))) return { kind: "skipped" };
  const d = await deliveryForSend(prisma, id);
  if (!d) return { kind: "skipped" };
  const [events, ws] = await Promise.all([eventsByIds(prisma, d.eventIds), workspaceName(prisma, d.workspaceId)]);
  const input: RenderInput = {
    deliveryId: d.id,
    workspaceId: d.workspaceId,
    workspaceName: ws?.name ?? d.workspaceId,
    eventType: d.eventType,
    count: d.eventCount,
    events,
    baseUrl: cfg.baseUrl,
    test: d.kind === "test",
  };
  try {
    const status = await sendOnce(cfg, d.channel, input, now);
    const at = new Date();
    await updateDelivery(prisma, id, { status: "sent", sentAt: at, lastStatus: status, lastError: null, claimedUntil: null });
    await channelSucceeded(prisma, d.channelId, at);
    return { kind: "sent", status };
  } catch (e) {
    const a = e instanceof Attempt ? e : new Attempt(e instanceof Error ? e.message : String(e), null, true);
    const rateLimited = a.status === 429;
    const exhausted = d.attempts >= d.maxAttempts;
    if (a.retryable && !exhausted) {
      const at = new Date(now.getTime() + (a.retryAfterMs ?? backoffMs(cfg, d.attempts)));
      await updateDelivery(prisma, id, {
        status: "pending",
        notBefore: at,
        lastStatus: a.status,
        lastError: a.message,
        claimedUntil: null,
      });
      if (!rateLimited) await noteChannelFailure(prisma, cfg, d.channelId, d.workspaceId, d.channel.name, a.message);
      return { kind: "retry", at, attempts: d.attempts, reason: a.message };
    }
    const reason = exhausted && a.retryable ? `gave up after ${d.attempts} attempts: ${a.message}` : a.message;
    await updateDelivery(prisma, id, { status: "failed", lastStatus: a.status, lastError: reason, claimedUntil: null });
    await noteChannelFailure(prisma, cfg, d.channelId, d.workspaceId, d.channel.name, a.message);
    return { kind: "failed", reason };
  }
}

async function noteChannelFailure(
  prisma: PrismaClient,
  cfg: DeliverConfig,
  channelId: string,
  workspaceId: string,
  name: string,
  reason: string,
) {
  const now = new Date();
  if (!(await channelFailed(prisma, channelId, cfg.failureThreshold ?? 5, now))) return;
  await appendAudit(prisma, {
    workspaceId,
    actorType: "system",
    actorLabel: "parapet",
    action: "notification.channel_failing",
    targetType: "notification_channel",
    targetId: channelId,
    data: { name, reason },
  });
  const to = await adminEmails(prisma, workspaceId);
  if (!cfg.transport || to.length === 0) return;
  const url = new URL("/settings/notifications", cfg.baseUrl).toString();
  // Best effort: the channel's state and the audit event already say it; a failed mail is not retried here.
  await cfg.transport
    .sendMail({
      from: cfg.mailFrom,
      to,
      subject: `[Parapet] Notification channel "${name}" is failing`,
      text: `Parapet could not deliver to the notification channel "${name}" ${cfg.failureThreshold ?? 5} times in a row.\nLast error: ${reason}\n\nIts delivery log: ${url}\n`,
    })
    .catch(() => undefined);
}

export interface TickResult {
  routed: number;
  due: Array<{ id: string; attempts: number }>;
}

/**
 * The periodic step: route waiting events, close digest windows, take back abandoned sends, and
 * return the due deliveries (the caller queues one send job each).
 */
export async function notificationTick(prisma: PrismaClient, now = new Date(), limit = 500): Promise<TickResult> {
  let routed = 0;
  for (let i = 0; i < 10; i++) {
    const n = await routeEvents(prisma, now);
    routed += n;
    if (n < 2000) break;
  }
  await promoteCollecting(prisma, now);
  await reclaimAbandoned(prisma, now);
  return { routed, due: await dueDeliveries(prisma, now, limit) };
}
