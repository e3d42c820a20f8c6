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

export function insertDelivery(prisma: PrismaClient, data: { subscriptionId: string | null; snapshotId: string; to: string; subject: string; status: "queued" }) {
  return prisma.emailDelivery.create({ data });
}

/** A delivery with its snapshot and its subscription's id, state and workspace. */
export function findDelivery(prisma: PrismaClient, id: string) {
  return prisma.emailDelivery.findUnique({ where: { id }, include: { snapshot: true, subscription: { select: { id: true, active: true, workspaceId: true } } } });
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
