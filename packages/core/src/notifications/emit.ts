/**
 * Emitting an alert = inserting NotificationEvent rows, in the caller's transaction where it has one.
 * Never a network call: the notifications worker routes and sends them later (route.ts, deliver.ts),
 * so a slow Slack never slows a reconcile, and an event is never lost to a failed send.
 */
import type { PrismaClient, Tx } from "@parapet/db";
import type { NotificationEventInput } from "./events.ts";
import { insertEvents } from "./notifications.repository.ts";

export function emitNotifications(db: PrismaClient | Tx, events: NotificationEventInput[]): Promise<number> {
  return insertEvents(db, events);
}
