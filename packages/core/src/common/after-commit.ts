import type { JobPort } from "./actor.ts";
import type { TReconcileJob } from "../jobs/definitions.ts";

/**
 * Requests reconciles after a commit. The change is already durable, so a queue outage must not turn
 * it into an error: the worker's poll tick reconciles every connection on its interval anyway.
 */
export async function reconcileAfterCommit(jobs: JobPort, connectionIds: string[], trigger: TReconcileJob["trigger"], reason: string): Promise<boolean> {
  let ok = true;
  for (const connectionId of [...new Set(connectionIds)]) {
    try {
      await jobs.requestReconcile({ connectionId, trigger, reason: reason.slice(0, 500) });
    } catch (e) {
      ok = false;
      console.warn(`reconcile request for ${connectionId} not queued (the poll tick will pick it up): ${(e as Error).message}`);
    }
  }
  return ok;
}
