/**
 * Report delivery: one EmailDelivery row per recipient and snapshot, written before anything is
 * sent, then one `notifications.send-email` job per row. Every attempt's outcome is recorded on its
 * row (attempts, lastError, status), so an email is either sent, still retrying, cancelled by an
 * unsubscribe, or visibly failed: never silently dropped.
 */
import { UnrecoverableError, type Queue } from "bullmq";
import type { PrismaClient } from "@parapet/db";
import {
  activeSubscriptions,
  deliveriesOfSnapshot,
  failQueuedDelivery,
  findDelivery,
  insertDelivery,
  staleQueuedDeliveries,
  updateDelivery,
} from "./deliveries.repository.ts";
import { appendAudit } from "../audit/audit.repository.ts";
import { composeReportEmail, describeSmtpError, isPermanentSmtpError, type TMailTransport, type TReportsConfig } from "./mailer.ts";
import { asReportModel, type TReportModel } from "./model.ts";
import { reportSubject } from "./format.ts";
import { DEFAULT_DELIVERY_RETRY, enqueueEmail } from "./report-jobs.ts";

export interface TQueueDeliveriesOptions {
  trigger: "schedule" | "manual";
  /** Specific addresses ("send me a copy"); otherwise every active subscription. */
  to?: string[];
}

/**
 * Creates the deliveries of a snapshot and enqueues them. For scheduled sends it is idempotent: a
 * retried weekly job re-enqueues the rows it already wrote instead of writing new ones.
 */
export async function queueReportDeliveries(
  prisma: PrismaClient,
  notifications: Queue,
  snapshot: { id: string; workspaceId: string; model: TReportModel },
  opts: TQueueDeliveriesOptions,
  retry = DEFAULT_DELIVERY_RETRY,
): Promise<{ deliveryIds: string[]; created: number }> {
  const subject = reportSubject(snapshot.model);
  const subs = await activeSubscriptions(prisma, snapshot.workspaceId);
  const subByEmail = new Map(subs.map((s) => [s.email.toLowerCase(), s]));
  const recipients = opts.to
    ? [...new Set(opts.to.map((e) => e.toLowerCase()))].map((email) => ({ email, subscriptionId: subByEmail.get(email)?.id ?? null }))
    : subs.map((s) => ({ email: s.email, subscriptionId: s.id }));

  const ids: string[] = [];
  let created = 0;
  const existing = opts.trigger === "schedule" ? await deliveriesOfSnapshot(prisma, snapshot.id) : [];
  const existingByTo = new Map(existing.map((d) => [d.to.toLowerCase(), d]));
  for (const r of recipients) {
    const prior = existingByTo.get(r.email.toLowerCase());
    if (prior) {
      if (prior.status === "queued") ids.push(prior.id);
      continue;
    }
    const row = await insertDelivery(prisma, {
      subscriptionId: r.subscriptionId,
      snapshotId: snapshot.id,
      to: r.email,
      subject: subject.slice(0, 500),
      status: "queued",
    });
    ids.push(row.id);
    created++;
  }
  for (const id of ids) await enqueueEmail(notifications, id, retry);
  return { deliveryIds: ids, created };
}

export interface TSendContext {
  prisma: PrismaClient;
  config: TReportsConfig;
  /** Absent when SMTP is not configured: the attempt fails and says so. */
  transport: TMailTransport | null;
}

export type TSendOutcome = "sent" | "already-sent" | "cancelled";

/**
 * Sends one delivery. Throws to make BullMQ retry (transient failure, attempts left) or
 * UnrecoverableError (permanent failure); the row says which before the throw.
 */
export async function sendEmailDelivery(
  ctx: TSendContext,
  deliveryId: string,
  attempt: { number: number; max: number },
): Promise<TSendOutcome> {
  const { prisma } = ctx;
  const d = await findDelivery(prisma, deliveryId);
  if (!d) throw new UnrecoverableError(`email delivery ${deliveryId} no longer exists`);
  if (d.status === "sent") return "already-sent";
  if (d.status === "cancelled") return "cancelled";
  if (d.subscription && !d.subscription.active) {
    await updateDelivery(prisma, d.id, { status: "cancelled", lastError: "unsubscribed before delivery" });
    return "cancelled";
  }
  if (!d.snapshot) {
    await updateDelivery(prisma, d.id, {
      status: "failed",
      attempts: { increment: 1 },
      lastError: "the report snapshot was deleted before delivery",
    });
    throw new UnrecoverableError("report snapshot deleted");
  }
  const model = asReportModel(d.snapshot.model);
  try {
    if (!ctx.transport) throw Object.assign(new Error("SMTP is not configured (set PARAPET_SMTP_URL on the worker)"), { code: "ENOSMTP" });
    if (d.subscriptionId && ctx.config.secret.length < 16)
      throw Object.assign(new Error("PARAPET_AUTH_SECRET is not set on the worker (it signs the unsubscribe links)"), {
        code: "ENOSECRET",
      });
    const mail = composeReportEmail(ctx.config, {
      model,
      to: d.to,
      snapshotId: d.snapshot.id,
      deliveryId: d.id,
      subscriptionId: d.subscriptionId,
    });
    const info = await ctx.transport.sendMail(mail);
    await updateDelivery(prisma, d.id, {
      status: "sent",
      attempts: { increment: 1 },
      messageId: info.messageId.slice(0, 300),
      sentAt: new Date(),
    });
    return "sent";
  } catch (e) {
    const permanent = isPermanentSmtpError(e);
    const final = permanent || attempt.number >= attempt.max;
    const message = describeSmtpError(e);
    await updateDelivery(prisma, d.id, {
      status: final ? "failed" : "queued",
      attempts: { increment: 1 },
      lastError: `attempt ${attempt.number}/${attempt.max}: ${message}`.slice(0, 2000),
    });
    if (final) {
      await appendAudit(prisma, {
        workspaceId: d.snapshot.workspaceId,
        actorType: "system",
        actorLabel: "Parapet worker",
        action: "report.delivery_failed",
        targetType: "email_delivery",
        targetId: d.id,
        data: { to: d.to, attempts: attempt.number, error: message.slice(0, 300) },
      });
    }
    if (permanent) throw new UnrecoverableError(message);
    throw e instanceof Error ? e : new Error(message);
  }
}

/**
 * Last line of defence for deliveries whose job vanished (Redis flushed, a crash between the row and
 * the enqueue): queued rows older than `olderThanMs` are enqueued again; the deterministic job id
 * makes this a no-op for rows whose job still exists.
 */
export async function requeueStaleDeliveries(
  prisma: PrismaClient,
  notifications: Queue,
  workspaceId: string,
  now: Date,
  olderThanMs = 15 * 60_000,
  retry = DEFAULT_DELIVERY_RETRY,
): Promise<number> {
  const stale = await staleQueuedDeliveries(prisma, workspaceId, new Date(now.getTime() - olderThanMs));
  let n = 0;
  for (const d of stale) {
    const job = await notifications.getJob(`email__${d.id}`);
    if (job && !(await job.isFailed()) && !(await job.isCompleted())) continue;
    if (job) await job.remove().catch(() => undefined);
    await enqueueEmail(notifications, d.id, retry);
    n++;
  }
  return n;
}

/** Marks a delivery failed when its job died without our handler recording it (e.g. stalled too often). */
export async function markDeliveryFailed(prisma: PrismaClient, deliveryId: string, reason: string): Promise<void> {
  await failQueuedDelivery(prisma, deliveryId, reason.slice(0, 2000));
}
