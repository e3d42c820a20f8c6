/** Requests served per operation; benchmarks read these to count API calls per reconcile. */
export class Counters {
  private map = new Map<string, number>();
  inc(op: string): void {
    this.map.set(op, (this.map.get(op) ?? 0) + 1);
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.map.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
  total(): number {
    let n = 0;
    for (const v of this.map.values()) n += v;
    return n;
  }
  reset(): void {
    this.map.clear();
  }
}
