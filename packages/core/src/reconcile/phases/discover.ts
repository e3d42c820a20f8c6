/**
 * Discover phase: keeps the recorded hierarchy current and checks that this connection may manage its root.
 *
 * Full sweep (the provider's whole `discover`) when: never discovered; asked for (`opts.discover`: a person's
 * "discover now", or an event the cloud's adapter cannot narrow to nodes); or the last full sweep is older
 * than `deps.fullDiscoveryIntervalSec` (default 24 h) — the catch-all for events the cloud never delivered.
 * Otherwise incremental: the nodes cloud events named since the last run (`hierarchy_change` rows, written by
 * the event webhook) are read one by one (`adapter.discoverNodes`) and applied to the recorded tree
 * (sync-changed-nodes.ts), so a steady-state day costs calls in proportion to what changed.
 *
 * Reads: the provider's hierarchy or the named nodes, earlier connections on the same root.
 * Writes (live runs): node rows (syncHierarchy — a full sweep also on a dry run, as before), `lastDiscoveredAt`
 * (= last full sweep) / `rootId`, consumed `hierarchy_change` rows; queues a `connection.discovered` audit
 * event when nodes came or went. A dry run never consumes event changes (they wait for the live run).
 * Guards: one root, one connection per workspace (root-holder.ts) — checked before anything is written,
 * so two connections never undo each other's changes to the same Parapet policies.
 */
import { isProviderError } from "@parapet/providers/contract";
import { AppError } from "../../common/errors.ts";
import { clearHierarchyChanges, pendingHierarchyChanges } from "../../connections/hierarchy-changes.repository.ts";
import { rootHeldBy, rootHeldMessage } from "../../connections/root-holder.ts";
import { syncChangedNodes } from "../../connections/sync-changed-nodes.ts";
import { syncHierarchy } from "../../connections/sync-hierarchy.ts";
import { markDiscovered } from "../reconcile-runs.repository.ts";
import type { RunContext } from "./context.ts";

/** How often a full sweep runs at most without being asked (catches events that never arrived). */
const DEFAULT_FULL_DISCOVERY_INTERVAL_SEC = 24 * 3600;
/** More waiting node changes than this in one run: one full sweep is cheaper than reading each. */
const MAX_TARGETED = 2000;

/** Returns the ids of environments that appeared in this discovery (none when it did not run). */
export async function discover(ctx: RunContext): Promise<{ newEnvironmentIds: string[] }> {
  const { conn, connectionId, opts, adapter } = ctx;
  const { prisma } = ctx.deps;
  // A refusal is Parapet's own, written for people (AppError): the run fails with exactly this text.
  const refuseIfHeld = async (rootId: string | null) => {
    if (opts.dryRun) return;
    // Called right before this phase writes (nodes, the root): only while this run holds the lease.
    ctx.lease.assertHeld();
    const holder = await rootHeldBy(prisma, conn, rootId);
    if (holder) throw new AppError("conflict", rootHeldMessage(conn.cloud, rootId!, holder));
  };
  // Event changes waiting (live runs only). Read before the cloud is, so any recorded later waits for the next run.
  const pending = opts.dryRun ? [] : await pendingHierarchyChanges(prisma, connectionId, MAX_TARGETED + 1);
  const upToId = pending.at(-1)?.id;
  const intervalMs = (ctx.deps.fullDiscoveryIntervalSec ?? DEFAULT_FULL_DISCOVERY_INTERVAL_SEC) * 1000;
  const sweepDue =
    !conn.lastDiscoveredAt ||
    opts.discover === true ||
    (!opts.dryRun && Date.now() - conn.lastDiscoveredAt.getTime() >= intervalMs) ||
    pending.some((p) => p.externalId === null) ||
    pending.length > MAX_TARGETED ||
    (pending.length > 0 && !adapter.discoverNodes);

  if (!sweepDue) {
    await refuseIfHeld(conn.rootId);
    if (pending.length === 0 || !adapter.discoverNodes || !conn.rootId) return { newEnvironmentIds: [] };
    const read = adapter.discoverNodes.bind(adapter);
    const ids = pending.map((p) => p.externalId).filter((x): x is string => x !== null);
    // A targeted read the cloud refuses (e.g. GCP's PERMISSION_DENIED for a resource we cannot see) is no
    // reason to fail the run or to guess: the full sweep below reads everything the way it always has.
    const r = await syncChangedNodes(prisma, conn.workspaceId, connectionId, conn.rootId, ids, read, {
      leafEnvironments: adapter.leafEnvironments,
    }).catch((e: unknown) => {
      if (!isProviderError(e)) throw e;
      return { kind: "sweep" as const, why: `a targeted read failed: ${e.message}` };
    });
    if (r.kind === "synced") {
      await clearHierarchyChanges(prisma, connectionId, upToId!);
      if (r.created || r.removed) discovered(ctx, { ...r, incremental: true });
      return { newEnvironmentIds: r.newEnvironmentIds };
    }
    ctx.deps.log?.(`discover ${connectionId}: targeted discovery fell back to a full sweep (${r.why})`);
  }

  const h = await adapter.discover();
  await refuseIfHeld(conn.rootId ?? h.rootExternalId);
  ctx.deps.onPhase?.("sync-hierarchy");
  const sync = await syncHierarchy(prisma, conn.workspaceId, connectionId, h);
  if (!opts.dryRun) {
    await markDiscovered(prisma, connectionId, conn.rootId ?? h.rootExternalId);
    // The sweep read the cloud after these were recorded: they are answered.
    if (upToId !== undefined) await clearHierarchyChanges(prisma, connectionId, upToId);
    if (sync.created || sync.removed) discovered(ctx, sync);
  }
  return { newEnvironmentIds: sync.newEnvironmentIds };
}

function discovered(ctx: RunContext, s: { created: number; updated: number; removed: number; incremental?: boolean }): void {
  ctx.audit.push({
    ...ctx.system,
    action: "connection.discovered",
    targetType: "connection",
    targetId: ctx.connectionId,
    data: { created: s.created, updated: s.updated, removed: s.removed, ...(s.incremental ? { incremental: true } : {}) },
  });
}
