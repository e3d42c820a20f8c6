/**
 * Insertion-ordered set of ids with a cached array view. Lists are paged by offset, and rebuilding the
 * array only after a mutation keeps each page O(page size) instead of O(n) for children lists of
 * thousands of accounts.
 */
export class IdSet implements Iterable<string> {
  private readonly set = new Set<string>();
  private cache: string[] | undefined;

  constructor(ids?: Iterable<string>) {
    if (ids) for (const id of ids) this.set.add(id);
  }

  get size(): number {
    return this.set.size;
  }
  has(id: string): boolean {
    return this.set.has(id);
  }
  add(id: string): boolean {
    if (this.set.has(id)) return false;
    this.set.add(id);
    this.cache = undefined;
    return true;
  }
  delete(id: string): boolean {
    const removed = this.set.delete(id);
    if (removed) this.cache = undefined;
    return removed;
  }
  toArray(): readonly string[] {
    return (this.cache ??= [...this.set]);
  }
  [Symbol.iterator](): Iterator<string> {
    return this.set[Symbol.iterator]();
  }
}
