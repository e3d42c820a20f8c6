/**
 * Lease phase: one reconcile per connection at a time, across worker processes.
 *
 * Reads/writes: the connection's `reconcileLeaseOwner`/`reconcileLeaseUntil` columns (lease.repository.ts).
 * Guards: two workers never apply to one connection at once, so neither mistakes the other's writes
 * for drift or undoes them; a crashed holder blocks nobody for longer than its lease.
 */
import type { ReconcileDeps } from "./context.ts";
import { acquireLease, releaseLease } from "../lease.repository.ts";

export interface RunLease {
  /** Stops renewing (first thing when a run ends, so nothing renews a lease it is about to release). */
  stopRenewing(): void;
  /** Gives the lease up; a failure here is harmless (the lease expires). */
  release(): Promise<void>;
}

/** A dry run writes nothing, so it takes no lease. */
export const NO_LEASE: RunLease = { stopRenewing: () => undefined, release: async () => undefined };

const DEFAULT_LEASE_MS = 5 * 60_000;

/** Takes the connection's lease and keeps renewing it, or returns `null` when another worker holds it. */
export async function takeLease(
  deps: Pick<ReconcileDeps, "prisma" | "workerId" | "leaseMs" | "leaseClock">,
  connectionId: string,
): Promise<RunLease | null> {
  const { prisma, workerId, leaseClock } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  if (!(await acquireLease(prisma, connectionId, workerId, leaseMs, leaseClock?.()))) return null;
  // Long runs keep their lease; a crashed holder's lease simply expires.
  const renew = setInterval(
    () => void acquireLease(prisma, connectionId, workerId, leaseMs, leaseClock?.()).catch(() => undefined),
    leaseMs / 3,
  );
  return {
    stopRenewing: () => clearInterval(renew),
    release: () => releaseLease(prisma, connectionId, workerId).catch(() => undefined),
  };
}
