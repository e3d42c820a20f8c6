/**
 * Discover phase: re-reads the cloud's hierarchy when asked (or never done) and checks that this
 * connection may manage its root.
 *
 * Reads: the provider's hierarchy (one `discover` call), earlier connections on the same root.
 * Writes (live runs): node rows (syncHierarchy — also on a dry run, as before), `lastDiscoveredAt`/`rootId`;
 * queues a `connection.discovered` audit event when nodes came or went.
 * Guards: one root, one connection per workspace (root-holder.ts) — checked before anything is written,
 * so two connections never undo each other's changes to the same Parapet policies.
 */
import { AppError } from "../../common/errors.ts";
import { rootHeldBy, rootHeldMessage } from "../../connections/root-holder.ts";
import { syncHierarchy } from "../../connections/sync-hierarchy.ts";
import { markDiscovered } from "../reconcile-runs.repository.ts";
import type { RunContext } from "./context.ts";

/** Returns the ids of environments that appeared in this discovery (none when it did not run). */
export async function discover(ctx: RunContext): Promise<{ newEnvironmentIds: string[] }> {
  const { conn, connectionId, opts, adapter, system } = ctx;
  const { prisma } = ctx.deps;
  // A refusal is Parapet's own, written for people (AppError): the run fails with exactly this text.
  const refuseIfHeld = async (rootId: string | null) => {
    if (opts.dryRun) return;
    const holder = await rootHeldBy(prisma, conn, rootId);
    if (holder) throw new AppError("conflict", rootHeldMessage(conn.cloud, rootId!, holder));
  };
  if (!opts.discover && conn.lastDiscoveredAt) {
    await refuseIfHeld(conn.rootId);
    return { newEnvironmentIds: [] };
  }
  const h = await adapter.discover();
  await refuseIfHeld(conn.rootId ?? h.rootExternalId);
  ctx.deps.onPhase?.("sync-hierarchy");
  const sync = await syncHierarchy(prisma, conn.workspaceId, connectionId, h);
  if (!opts.dryRun) {
    await markDiscovered(prisma, connectionId, conn.rootId ?? h.rootExternalId);
    if (sync.created || sync.removed) {
      ctx.audit.push({
        ...system,
        action: "connection.discovered",
        targetType: "connection",
        targetId: connectionId,
        data: { created: sync.created, updated: sync.updated, removed: sync.removed },
      });
    }
  }
  return { newEnvironmentIds: sync.newEnvironmentIds };
}
