import { Prisma, type PrismaClient } from "@parapet/db";

/** What the event webhook needs of a connection: its cloud, sealed event secret and status. */
export function findEventConnection(prisma: PrismaClient, id: string) {
  return prisma.connection.findUnique({ where: { id }, select: { id: true, cloud: true, eventSecretCiphertext: true, status: true } });
}

/** Records that an event id was accepted for a connection; "duplicate" when it already was (unique key). */
export async function recordEventReceipt(prisma: PrismaClient, connectionId: string, eventId: string): Promise<"recorded" | "duplicate"> {
  try {
    await prisma.eventReceipt.create({ data: { connectionId, eventId } });
    return "recorded";
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") return "duplicate";
    throw e;
  }
}

/** Forgets a receipt, so the cloud's retry of an event that could not be queued is not taken for a duplicate. */
export function forgetEventReceipt(prisma: PrismaClient, connectionId: string, eventId: string) {
  return prisma.eventReceipt.deleteMany({ where: { connectionId, eventId } });
}
