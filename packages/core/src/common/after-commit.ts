import type { JobPort } from "./actor.ts";
import type { TReconcileJob } from "../jobs/definitions.ts";
import { log } from "./logger.ts";

/**
 * Requests reconciles after a commit. The change is already durable, so a queue outage must not turn
 * it into an error: the worker's poll tick reconciles every connection on its interval anyway.
 */
export async function reconcileAfterCommit(
  jobs: JobPort,
  connectionIds: string[],
  trigger: TReconcileJob["trigger"],
  reason: string,
): Promise<boolean> {
  let ok = true;
  for (const connectionId of [...new Set(connectionIds)]) {
    try {
      await jobs.requestReconcile({ connectionId, trigger, reason: reason.slice(0, 500) });
    } catch (e) {
      ok = false;
      // log(): the request's logger when a route called this, so the line carries its request id.
      log().warn({ connectionId, reason: (e as Error).message }, "reconcile request not queued (the poll tick will pick it up)");
    }
  }
  return ok;
}
