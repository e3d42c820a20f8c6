import type { CallRecord, CallStats } from "./types.ts";

const empty = (): CallStats => ({ reads: 0, writes: 0, throttled: 0, errors: 0, byOperation: {} });

/**
 * Counts every API call an adapter makes, so a reconcile can report calls made vs the minimum. Keeps
 * the tallies, not the calls: discovering a 100,000-account organization makes over 100,000 calls.
 */
export class CallRecorder {
  private tally: CallStats = empty();
  private listeners: Array<(r: CallRecord) => void> = [];

  record(r: CallRecord): void {
    const s = this.tally;
    if (r.write) s.writes++;
    else s.reads++;
    if (r.throttled) s.throttled++;
    if (!r.ok) s.errors++;
    s.byOperation[r.operation] = (s.byOperation[r.operation] ?? 0) + 1;
    for (const l of this.listeners) l(r);
  }

  onCall(l: (r: CallRecord) => void): void {
    this.listeners.push(l);
  }

  /** Wraps one SDK call: times it, records it, and rethrows after classification by `classify`. */
  async call<T>(operation: string, write: boolean, fn: () => Promise<T>, isThrottle: (e: unknown) => boolean): Promise<T> {
    const t0 = performance.now();
    try {
      const out = await fn();
      this.record({ operation, ms: performance.now() - t0, ok: true, throttled: false, write });
      return out;
    } catch (e) {
      this.record({ operation, ms: performance.now() - t0, ok: false, throttled: isThrottle(e), write });
      throw e;
    }
  }

  /** A copy: later calls do not change it. */
  stats(): CallStats {
    return { ...this.tally, byOperation: { ...this.tally.byOperation } };
  }

  reset(): void {
    this.tally = empty();
  }
}
