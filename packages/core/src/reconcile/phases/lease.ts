/**
 * Lease phase: one reconcile per connection at a time, across worker processes.
 *
 * Reads/writes: the connection's `reconcileLeaseOwner`/`reconcileLeaseUntil` columns (lease.repository.ts).
 * Guards: two workers never apply to one connection at once, so neither mistakes the other's writes
 * for drift or undoes them; a crashed holder blocks nobody for longer than its lease; a run whose lease
 * lapsed (renewals failed, or another worker took it) notices before its next write and stops
 * (`assertHeld`), so two workers never write side by side even when the database blips.
 */
import type { ReconcileDeps } from "./context.ts";
import { acquireLease, releaseLease } from "../lease.repository.ts";

export interface RunLease {
  /**
   * Throws LeaseLostError when this process can no longer be sure it holds the lease: a renewal found
   * another owner, or no renewal has succeeded for two thirds of the lease (so less than a third is
   * left for the write about to start). Called before every write to the cloud or the database.
   */
  assertHeld(): void;
  /** Stops renewing (first thing when a run ends, so nothing renews a lease it is about to release). */
  stopRenewing(): void;
  /** Gives the lease up; a failure here is harmless (the lease expires). */
  release(): Promise<void>;
}

/** The run stopped because it lost its lease; what it sent so far is journalled, the rest is the next run's. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/** A dry run writes nothing, so it takes no lease. */
export const NO_LEASE: RunLease = { assertHeld: () => undefined, stopRenewing: () => undefined, release: async () => undefined };

/**
 * One minute: how long a killed worker's connections wait before another worker may take them over.
 * Long enough that renewing every 20 s rides out a database blip of up to ~40 s; short enough that a
 * dead worker's connections are reconciled again within about a minute. Workers set it from
 * PARAPET_RECONCILE_LEASE_SEC.
 */
export const DEFAULT_LEASE_MS = 60_000;

/** Renewal period: a third of the lease, so one failed renewal still leaves a third before it lapses. */
export const leaseRenewMs = (leaseMs: number) => Math.floor(leaseMs / 3);

/** Takes the connection's lease and keeps renewing it, or returns `null` when another worker holds it. */
export async function takeLease(
  deps: Pick<ReconcileDeps, "prisma" | "workerId" | "leaseMs" | "leaseClock">,
  connectionId: string,
): Promise<RunLease | null> {
  const { prisma, workerId, leaseClock } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const renewMs = leaseRenewMs(leaseMs);
  // This process's view of its lease, on its own monotonic clock, measured from before the write that
  // took or renewed it: never later than the database's expiry, whatever the two clocks say.
  let sentAt = performance.now();
  if (!(await acquireLease(prisma, connectionId, workerId, leaseMs, leaseClock?.()))) return null;
  let heldUntil = sentAt + leaseMs;
  let taken = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // The renewal in flight, if any: release waits for it, or it could take the lease again after the release.
  let inflight: Promise<void> = Promise.resolve();
  const renew = async () => {
    sentAt = performance.now();
    let ok = false;
    try {
      ok = await acquireLease(prisma, connectionId, workerId, leaseMs, leaseClock?.());
      // `false` means an unexpired lease of another owner: ours lapsed and was taken.
      if (ok) heldUntil = sentAt + leaseMs;
      else taken = true;
    } catch {
      // The database is away: keep trying, sooner than the normal period, while the lease still runs.
    }
    if (!stopped && !taken) schedule(ok ? renewMs : Math.max(100, Math.floor(leaseMs / 10)));
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      inflight = renew();
    }, ms);
  };
  schedule(renewMs);
  return {
    assertHeld: () => {
      if (taken)
        throw new LeaseLostError(`the reconcile lease on this connection was taken by another worker; stopped before the next write`);
      // Less than a third left: a write started now might still be running when the lease lapses and
      // another worker starts on the connection. Stop here instead; the next run carries on from the journal.
      if (performance.now() > heldUntil - renewMs)
        throw new LeaseLostError(
          `the reconcile lease could not be renewed for ${Math.round((leaseMs - renewMs) / 1000)} s; stopped before the next write`,
        );
    },
    stopRenewing: () => {
      stopped = true;
      clearTimeout(timer);
    },
    release: async () => {
      await inflight;
      await releaseLease(prisma, connectionId, workerId).catch(() => undefined);
    },
  };
}
