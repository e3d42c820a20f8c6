/**
 * Retries a database transaction that Postgres aborted to break a deadlock or a serialization
 * conflict. Such aborts are expected when a person's change races a worker writing the same rows;
 * the transaction rolled back entirely, so running it again is safe. Anything else is rethrown.
 */
const CONFLICT_SQLSTATES = new Set(["40P01", "40001"]);

/** Whether an error (as Prisma or its pg driver adapter raises it) is a deadlock or serialization failure. */
export function isTransactionConflict(e: unknown): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  // Prisma wraps the adapter's error; the SQLSTATE sits a level or two down (cause / meta.driverAdapterError).
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    const o = cur as { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
    if (o.code === "P2034") return true;
    if (typeof o.originalCode === "string" && CONFLICT_SQLSTATES.has(o.originalCode)) return true;
    if (typeof o.code === "string" && CONFLICT_SQLSTATES.has(o.code)) return true;
    cur = o.meta?.driverAdapterError ?? o.cause;
  }
  return false;
}

export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isTransactionConflict(e)) throw e;
      // Jittered backoff so the two sides do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, 25 * 2 ** i + Math.random() * 50));
    }
  }
}
