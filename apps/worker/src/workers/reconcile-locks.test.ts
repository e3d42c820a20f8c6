import { describe, expect, it } from "vitest";
import { leaseRenewMs } from "@parapet/core/reconcile/phases/lease";
import { reconcileJobLocks } from "./reconcile.worker.ts";

describe("reconcile job locks, scaled to the lease", () => {
  it("with the default 60 s lease: a 20 s lock and a 10 s stall check", () => {
    expect(reconcileJobLocks(60_000)).toEqual({ lockDuration: 20_000, stalledInterval: 10_000, maxStalledCount: 2 });
  });

  it.each([15_000, 30_000, 60_000, 90_000])(
    "lease %i ms: a dead worker's job is handed over before its lease can have ended",
    (leaseMs) => {
      const { lockDuration, stalledInterval } = reconcileJobLocks(leaseMs);
      // At a kill at least lease − renewal period is left; the handover takes at most the lock's expiry
      // plus two stall checks (the first marks the job, the next moves it).
      expect(lockDuration + 2 * stalledInterval).toBeLessThanOrEqual(leaseMs - leaseRenewMs(leaseMs));
    },
  );

  it("never below 5 s / 2 s (a busy event loop must not cost a job its lock), never above BullMQ's 30 s defaults", () => {
    expect(reconcileJobLocks(3_000)).toMatchObject({ lockDuration: 5_000, stalledInterval: 2_000 });
    expect(reconcileJobLocks(3_600_000)).toMatchObject({ lockDuration: 30_000, stalledInterval: 30_000 });
  });
});
