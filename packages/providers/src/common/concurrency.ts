/**
 * Bounded concurrency for the adapters' fan-out reads (discover, observe, verify probes): at most
 * `limit` calls in flight, so one reconcile leaves room in the cloud's rate budget.
 */

/**
 * Runs `fn` over `items` with at most `limit` in flight; results keep the input order. After the first
 * failure no new item starts, and the error is thrown once the calls already in flight have finished,
 * so nothing keeps calling the cloud after the operation has failed.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return out;
}

/** Runs prepared tasks with at most `limit` in flight (mapLimit over thunks). */
export async function runLimited(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  await mapLimit(tasks, limit, (t) => t());
}

/**
 * Promise.all that waits for every call to finish before rejecting, so no read is still in flight
 * (and being recorded) after the operation that started it has returned.
 */
export async function settleAll<T extends readonly unknown[]>(ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
