/** Report e-mail deliveries and the subscriptions they go to. */
import type { Prisma, PrismaClient } from "@parapet/db";

/** The workspace's active subscriptions (id, address). */
export function activeSubscriptions(prisma: PrismaClient, workspaceId: string) {
  return prisma.reportSubscription.findMany({ where: { workspaceId, active: true }, select: { id: true, email: true } });
}

/** Deliveries already made for a snapshot (a retried scheduled job must not send twice). */
export function deliveriesOfSnapshot(prisma: PrismaClient, snapshotId: string) {
  return prisma.emailDelivery.findMany({ where: { snapshotId }, select: { id: true, to: true, status: true } });
}

export function insertDelivery(
  prisma: PrismaClient,
  data: { subscriptionId: string | null; snapshotId: string; to: string; subject: string; status: "queued" },
) {
  return prisma.emailDelivery.create({ data });
}

/** A delivery with its snapshot and its subscription's id, state and workspace. */
export function findDelivery(prisma: PrismaClient, id: string) {
  return prisma.emailDelivery.findUnique({
    where: { id },
    include: { snapshot: true, subscription: { select: { id: true, active: true, workspaceId: true } } },
  });
}

export function updateDelivery(prisma: PrismaClient, id: string, data: Prisma.EmailDeliveryUpdateInput) {
  return prisma.emailDelivery.update({ where: { id }, data });
}

/** Up to 1000 of the workspace's deliveries still queued and created before `before`. */
export function staleQueuedDeliveries(prisma: PrismaClient, workspaceId: string, before: Date) {
  return prisma.emailDelivery.findMany({
    where: { status: "queued", createdAt: { lt: before }, snapshot: { workspaceId } },
    select: { id: true },
    take: 1000,
  });
}

/** Marks a delivery failed if it is still queued. */
export function failQueuedDelivery(prisma: PrismaClient, id: string, lastError: string) {
  return prisma.emailDelivery.updateMany({ where: { id, status: "queued" }, data: { status: "failed", lastError } });
}

type Tx = Prisma.TransactionClient;

/** A transaction with Prisma's default options (subscription changes and their audit events commit together). */
export function transaction<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(fn);
}

/** The workspace's subscriptions by address, at most 1000. */
export function listSubscriptionRows(prisma: PrismaClient, workspaceId: string) {
  return prisma.reportSubscription.findMany({ where: { workspaceId }, orderBy: { email: "asc" }, take: 1000 });
}

/** The member of the workspace whose account has this address, if any. */
export function memberWithEmail(prisma: PrismaClient, workspaceId: string, email: string) {
  return prisma.member.findFirst({ where: { organizationId: workspaceId, user: { email } }, select: { userId: true } });
}

/** Subscribes an address (or re-activates its subscription), linked to its member if there is one. */
export function upsertSubscription(tx: Tx, workspaceId: string, email: string, userId: string | null) {
  return tx.reportSubscription.upsert({
    where: { workspaceId_email: { workspaceId, email } },
    create: { workspaceId, email, userId },
    update: { active: true, unsubscribedAt: null, userId },
  });
}

export function findSubscription(prisma: PrismaClient, workspaceId: string, id: string) {
  return prisma.reportSubscription.findFirst({ where: { id, workspaceId } });
}

/** Activates a subscription, or deactivates it as unsubscribed now. */
export function setSubscriptionActiveRow(tx: Tx, id: string, active: boolean) {
  return tx.reportSubscription.update({
    where: { id },
    data: active ? { active: true, unsubscribedAt: null } : { active: false, unsubscribedAt: new Date() },
  });
}

/** Cancels the subscription's queued deliveries, saying why. */
export function cancelQueuedDeliveries(tx: Tx, subscriptionId: string, lastError: string) {
  return tx.emailDelivery.updateMany({ where: { subscriptionId, status: "queued" }, data: { status: "cancelled", lastError } });
}

export function deleteSubscriptionRow(tx: Tx, id: string) {
  return tx.reportSubscription.delete({ where: { id } });
}

/** What the unsubscribe page shows: the address, whether it is active, the workspace's name. */
export function subscriptionForUnsubscribePage(prisma: PrismaClient, id: string) {
  return prisma.reportSubscription.findUnique({
    where: { id },
    select: { id: true, email: true, active: true, workspace: { select: { name: true } } },
  });
}

export function subscriptionWithWorkspace(prisma: PrismaClient, id: string) {
  return prisma.reportSubscription.findUnique({ where: { id }, include: { workspace: { select: { name: true } } } });
}

/** Deactivates a subscription as unsubscribed now. */
export function unsubscribeRow(tx: Tx, id: string) {
  return tx.reportSubscription.update({ where: { id }, data: { active: false, unsubscribedAt: new Date() } });
}
