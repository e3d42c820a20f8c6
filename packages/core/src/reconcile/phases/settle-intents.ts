/**
 * Settle-intents phase (crash-safe journal recovery), live runs only, on the first observation.
 *
 * Reads: the observation, the open intents loaded with the journal. Writes: earlier runs still marked
 * running are closed as failed; each open intent is folded into the artifact record with its audit
 * event (the cloud shows it happened), closed as not applied, or left open (unreadable).
 * Guards: a crashed apply converges on the next run, and nothing Parapet did — even in a run that was
 * killed — is ever reported as drift (apply-journal.ts).
 */
import type { ObservedState } from "@parapet/providers/contract";
import { closeAbandonedRuns, loadRecorded, settleOpenIntents } from "../apply-journal.repository.ts";
import type { RecordedArtifact } from "../plan.ts";
import type { Loaded, RunContext, RunRow } from "./context.ts";

/** Returns the artifact record to plan against: re-read when settling folded something into it. */
export async function settleIntents(ctx: RunContext, run: RunRow, loaded: Loaded, observed: ObservedState): Promise<RecordedArtifact[]> {
  const { prisma } = ctx.deps;
  const { connectionId, conn, adapter } = ctx;
  ctx.lease.assertHeld();
  // This run holds the lease, which a live run keeps renewing: any other run still "running" is dead.
  await closeAbandonedRuns(prisma, connectionId, run.id);
  if (!loaded.openIntents.length) return loaded.recorded;
  const settled = await settleOpenIntents(
    prisma,
    { workspaceId: conn.workspaceId, connectionId },
    loaded.openIntents,
    observed,
    (d, o) => adapter.compare(d, o),
    ctx.system,
  );
  return settled ? loadRecorded(prisma, connectionId) : loaded.recorded;
}
