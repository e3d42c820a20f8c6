/**
 * The cloud-event webhook's reads and writes (apps/web/src/app/api/v1/events/…), as a service over
 * events/event-receipts.repository.ts: apps/web does not import repositories.
 */
import type { PrismaClient } from "@parapet/db";
import { recordHierarchyChanges } from "../connections/hierarchy-changes.repository.ts";
import type { HierarchyHint } from "./parse-event.ts";

export { findEventConnection, forgetEventReceipt, recordEventReceipt } from "./event-receipts.repository.ts";

/**
 * Remembers what an authenticated event says about the hierarchy, for the reconcile it requests: the
 * nodes it names (read from the cloud by targeted discovery — the event's own copy is never trusted), or
 * a full sweep. Called only after the HMAC check and the de-duplication by event id.
 */
export async function noteHierarchyChange(prisma: PrismaClient, connectionId: string, eventId: string, hint: HierarchyHint): Promise<void> {
  if (hint.kind === "none") return;
  await recordHierarchyChanges(prisma, connectionId, eventId, hint.kind === "sweep" ? [null] : hint.externalIds);
}
