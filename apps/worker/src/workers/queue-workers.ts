/**
 * The consumer of each queue. Keyed by queue name with `Record<QueueName, …>`, so a queue added to
 * the catalog without a worker here fails the type check; each worker's handler map, in turn, must
 * name every catalog job of its queue (jobProcessor).
 */
import type { QueueName } from "@parapet/core";
import { createConnectionWorker } from "./connections.worker.ts";
import { createImpactWorker } from "./impact.worker.ts";
import { createNotificationsWorker } from "./notifications.worker.ts";
import { createReconcileWorker } from "./reconcile.worker.ts";
import { createReportsWorker } from "./reports.worker.ts";
import { createRolloutsWorker } from "./rollouts.worker.ts";

export const QUEUE_WORKERS = {
  discovery: createConnectionWorker,
  reconcile: createReconcileWorker,
  reports: createReportsWorker,
  notifications: createNotificationsWorker,
  impact: createImpactWorker,
  rollouts: createRolloutsWorker,
} as const satisfies Record<QueueName, (...args: never[]) => unknown>;
