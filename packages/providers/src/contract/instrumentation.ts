import type { CallRecord, CallStats } from "./types.ts";

/** Counts every API call an adapter makes, so a reconcile can report calls made vs the minimum. */
export class CallRecorder {
  private records: CallRecord[] = [];
  private listeners: Array<(r: CallRecord) => void> = [];

  record(r: CallRecord): void {
    this.records.push(r);
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

  stats(): CallStats {
    const s: CallStats = { reads: 0, writes: 0, throttled: 0, errors: 0, byOperation: {} };
    for (const r of this.records) {
      if (r.write) s.writes++;
      else s.reads++;
      if (r.throttled) s.throttled++;
      if (!r.ok) s.errors++;
      s.byOperation[r.operation] = (s.byOperation[r.operation] ?? 0) + 1;
    }
    return s;
  }

  reset(): void {
    this.records = [];
  }
}
