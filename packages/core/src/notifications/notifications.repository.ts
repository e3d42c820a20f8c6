/**
 * Alerts' rows: channels, rules, the event outbox and the delivery outbox (prisma/schema/notifications.prisma).
 * Routing claims events with SKIP LOCKED and folds a storm into one collecting delivery per channel and
 * digest key (a partial unique index makes that one row even with two routers at once).
 */
import { randomBytes } from "node:crypto";
import type { Prisma, PrismaClient, Tx } from "@parapet/db";
import type { NotificationEventInput } from "./events.ts";

type Db = PrismaClient | Tx;

export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn, { timeout: 30_000 });
}

/** A fresh row id (channels get theirs before the insert: the sealed secret is bound to it). */
export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

// ---- events -----------------------------------------------------------------------------------

export async function insertEvents(db: Db, events: NotificationEventInput[]): Promise<number> {
  if (events.length === 0) return 0;
  let n = 0;
  // 200 rows a statement, as elsewhere (Prisma keeps the arguments of recent statements).
  for (let i = 0; i < events.length; i += 200) {
    const chunk = events.slice(i, i + 200);
    const r = await db.notificationEvent.createMany({
      data: chunk.map((e) => ({
        workspaceId: e.workspaceId,
        type: e.type,
        severity: e.severity,
        title: e.title.slice(0, 500),
        connectionId: e.connectionId ?? null,
        guardrailId: e.guardrailId ?? null,
        labels: e.labels ?? {},
        detail: e.detail ?? {},
        dedupKey: e.dedupKey ?? null,
        resolves: e.resolves ?? false,
        replyChannelId: e.replyChannelId ?? null,
      })),
    });
    n += r.count;
  }
  return n;
}

export interface UnroutedEvent {
  id: string;
  workspaceId: string;
  type: string;
  severity: string;
  connectionId: string | null;
  guardrailId: string | null;
  labels: unknown;
  resolves: boolean;
  replyChannelId: string | null;
}

/** Up to `limit` unrouted events, oldest first, locked for this transaction (others skip them). */
export function claimUnroutedEvents(tx: Tx, limit: number): Promise<UnroutedEvent[]> {
  return tx.$queryRaw<UnroutedEvent[]>`
    SELECT id, "workspaceId", type, severity, "connectionId", "guardrailId", labels, resolves, "replyChannelId"
    FROM notification_event WHERE "routedAt" IS NULL ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

export function markEventsRouted(tx: Tx, ids: string[], at: Date) {
  return tx.notificationEvent.updateMany({ where: { id: { in: ids } }, data: { routedAt: at } });
}

export function eventsByIds(db: Db, ids: string[]) {
  return db.notificationEvent.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "asc" } });
}

// ---- rules and channels used by routing ---------------------------------------------------------

export function activeRulesOf(db: Db, workspaceIds: string[]) {
  return db.notificationRule.findMany({
    where: { workspaceId: { in: workspaceIds }, enabled: true, channel: { enabled: true } },
    include: { channel: { select: { id: true, kind: true } } },
  });
}

export function enabledChannelsByIds(db: Db, ids: string[]) {
  return db.notificationChannel.findMany({
    where: { id: { in: ids }, enabled: true },
    select: { id: true, kind: true, workspaceId: true },
  });
}

// ---- deliveries ------------------------------------------------------------------------------------

export interface DeliveryGroup {
  workspaceId: string;
  channelId: string;
  eventType: string;
  /** null: never digested (its own message). */
  digestKey: string | null;
  eventIds: string[];
  count: number;
  notBefore: Date;
  maxAttempts: number;
}

/** Samples kept per delivery: enough for the message body; the count says the rest. */
const SAMPLE_EVENTS = 20;

/**
 * Adds a group of events to the channel's collecting delivery for its digest key, or opens one.
 * The partial unique index (channelId, digestKey) WHERE status = 'collecting' makes concurrent
 * routers meet on one row.
 */
export async function addToDelivery(tx: Tx, g: DeliveryGroup): Promise<void> {
  const samples = g.eventIds.slice(0, SAMPLE_EVENTS);
  if (g.digestKey === null) {
    await tx.notificationDelivery.create({
      data: {
        id: newId("dlv"),
        workspaceId: g.workspaceId,
        channelId: g.channelId,
        kind: g.count > 1 ? "digest" : "event",
        eventType: g.eventType,
        status: "pending",
        eventCount: g.count,
        eventIds: samples,
        notBefore: g.notBefore,
        maxAttempts: g.maxAttempts,
      },
    });
    return;
  }
  await tx.$executeRaw`
    INSERT INTO notification_delivery (id, "workspaceId", "channelId", kind, "eventType", "digestKey", status, "eventCount", "eventIds", "notBefore", "maxAttempts")
    VALUES (${newId("dlv")}, ${g.workspaceId}, ${g.channelId}, ${g.count > 1 ? "digest" : "event"}, ${g.eventType}, ${g.digestKey}, 'collecting',
            ${g.count}, ${samples}::text[], ${g.notBefore}, ${g.maxAttempts})
    ON CONFLICT ("channelId", "digestKey") WHERE status = 'collecting'
    DO UPDATE SET "eventCount" = notification_delivery."eventCount" + EXCLUDED."eventCount",
                  kind = 'digest',
                  "eventIds" = (notification_delivery."eventIds" || EXCLUDED."eventIds")[1:${SAMPLE_EVENTS}]`;
}

/** Digest windows that have closed become sendable. */
export function promoteCollecting(db: Db, now: Date) {
  return db.notificationDelivery.updateMany({ where: { status: "collecting", notBefore: { lte: now } }, data: { status: "pending" } });
}

/** A send whose worker died (claim expired) goes back to pending; the receiver may see it twice (the id says so). */
export function reclaimAbandoned(db: Db, now: Date) {
  return db.notificationDelivery.updateMany({ where: { status: "sending", claimedUntil: { lt: now } }, data: { status: "pending" } });
}

export function dueDeliveries(db: Db, now: Date, limit: number) {
  return db.notificationDelivery.findMany({
    where: { status: "pending", notBefore: { lte: now } },
    select: { id: true, attempts: true },
    orderBy: { notBefore: "asc" },
    take: limit,
  });
}

/** Takes a due delivery for one send; false when another worker has it or it is not due. */
export async function claimDelivery(db: Db, id: string, now: Date, leaseMs: number): Promise<boolean> {
  const r = await db.notificationDelivery.updateMany({
    where: { id, status: "pending", notBefore: { lte: now } },
    data: { status: "sending", claimedUntil: new Date(now.getTime() + leaseMs), attempts: { increment: 1 } },
  });
  return r.count === 1;
}

export function deliveryForSend(db: Db, id: string) {
  return db.notificationDelivery.findUnique({
    where: { id },
    include: { channel: true },
  });
}

export function workspaceName(db: Db, id: string) {
  return db.workspace.findUnique({ where: { id }, select: { name: true } });
}

export function updateDelivery(db: Db, id: string, data: Prisma.NotificationDeliveryUpdateInput) {
  return db.notificationDelivery.update({ where: { id }, data });
}

export function insertPendingDelivery(
  db: Db,
  data: { workspaceId: string; channelId: string; kind: string; eventType: string; maxAttempts: number; eventIds?: string[] },
) {
  return db.notificationDelivery.create({
    data: { id: newId("dlv"), status: "pending", eventCount: data.eventIds?.length ?? 0, eventIds: data.eventIds ?? [], ...data },
  });
}

/** Records a channel's success: failures reset, health back to ok. Returns whether it was failing. */
export async function channelSucceeded(db: Db, channelId: string, at: Date): Promise<void> {
  await db.notificationChannel.update({
    where: { id: channelId },
    data: { consecutiveFailures: 0, health: "ok", failingSince: null, lastSuccessAt: at },
  });
}

/** Counts a failed attempt; returns true exactly when this failure turned the channel `failing`. */
export async function channelFailed(db: Db, channelId: string, threshold: number, at: Date): Promise<boolean> {
  const c = await db.notificationChannel.update({ where: { id: channelId }, data: { consecutiveFailures: { increment: 1 } } });
  if (c.health === "failing" || c.consecutiveFailures < threshold) return false;
  const r = await db.notificationChannel.updateMany({
    where: { id: channelId, health: "ok" },
    data: { health: "failing", failingSince: at },
  });
  return r.count === 1;
}

/** Owners' and admins' addresses (the failing-channel notice). */
export async function adminEmails(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db.member.findMany({
    where: { organizationId: workspaceId, role: { in: ["owner", "admin"] } },
    select: { user: { select: { email: true } } },
  });
  return rows.map((r) => r.user.email);
}

// ---- management (API) ----------------------------------------------------------------------------

export function listChannelRows(db: Db, workspaceId: string) {
  return db.notificationChannel.findMany({ where: { workspaceId }, orderBy: { name: "asc" }, take: 500 });
}

export function findChannel(db: Db, workspaceId: string, id: string) {
  return db.notificationChannel.findFirst({ where: { id, workspaceId } });
}

export function findChannelByName(db: Db, workspaceId: string, name: string) {
  return db.notificationChannel.findFirst({ where: { workspaceId, name }, select: { id: true } });
}

export function insertChannel(db: Db, data: Prisma.NotificationChannelUncheckedCreateInput) {
  return db.notificationChannel.create({ data });
}

export function updateChannelRow(db: Db, id: string, data: Prisma.NotificationChannelUncheckedUpdateInput) {
  return db.notificationChannel.update({ where: { id }, data });
}

export function deleteChannelRow(db: Db, id: string) {
  return db.notificationChannel.delete({ where: { id } });
}

export function listRuleRows(db: Db, workspaceId: string) {
  return db.notificationRule.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" }, take: 500 });
}

export function findRule(db: Db, workspaceId: string, id: string) {
  return db.notificationRule.findFirst({ where: { id, workspaceId } });
}

export function insertRule(db: Db, data: Prisma.NotificationRuleUncheckedCreateInput) {
  return db.notificationRule.create({ data });
}

export function updateRuleRow(db: Db, id: string, data: Prisma.NotificationRuleUncheckedUpdateInput) {
  return db.notificationRule.update({ where: { id }, data });
}

export function deleteRuleRow(db: Db, id: string) {
  return db.notificationRule.delete({ where: { id } });
}

/** A channel's deliveries, newest first, paged by (createdAt, id). */
export function deliveryPage(db: Db, channelId: string, limit: number, after?: { t: string; id: string }) {
  return db.notificationDelivery.findMany({
    where: {
      channelId,
      ...(after ? { OR: [{ createdAt: { lt: new Date(after.t) } }, { createdAt: new Date(after.t), id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
}

export function workspaceIdsExist(db: Db, workspaceId: string, table: "connection" | "guardrail", ids: string[]) {
  return table === "connection"
    ? db.connection.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } })
    : db.guardrail.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } });
}

// ---- periodic scan (exemption expiry, coverage threshold) ----------------------------------------

export function allNotificationSettings(db: Db) {
  return db.notificationSettings.findMany();
}

export function findNotificationSettings(db: Db, workspaceId: string) {
  return db.notificationSettings.findUnique({ where: { workspaceId } });
}

export function upsertNotificationSettings(db: Db, workspaceId: string, data: Prisma.NotificationSettingsUncheckedUpdateInput) {
  return db.notificationSettings.upsert({
    where: { workspaceId },
    create: { workspaceId, ...(data as Omit<Prisma.NotificationSettingsUncheckedCreateInput, "workspaceId">) },
    update: data,
  });
}

/** Approved exemptions that end before `until` (or ended after `since`), with their guardrail and node names. */
export function activeExemptionsEnding(db: Db, since: Date, until: Date) {
  return db.exemption.findMany({
    where: { status: "active", expiresAt: { gt: since, lte: until } },
    select: {
      id: true,
      workspaceId: true,
      guardrailId: true,
      expiresAt: true,
      ownerEmail: true,
      principal: true,
      guardrail: { select: { name: true } },
      node: { select: { name: true, connectionId: true, effectiveLabels: true } },
    },
    take: 5000,
  });
}

/** Which of these dedup keys an event already carries (each alert of a kind is told once). */
export async function existingDedupKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.notificationEvent.findMany({
    where: { dedupKey: { in: keys } },
    select: { dedupKey: true },
    distinct: ["dedupKey"],
  });
  return new Set(rows.flatMap((r) => (r.dedupKey ? [r.dedupKey] : [])));
}

/** The workspace's coverage cells by status (active guardrails' aggregates). */
export function coverageCounts(db: Db, workspaceId: string) {
  return db.coverageCount.groupBy({ by: ["status"], where: { workspaceId }, _sum: { n: true } });
}
