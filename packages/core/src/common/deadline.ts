/**
 * Deadlines for calls that may never settle. A library close/quit/disconnect can wait forever after a
 * reconnect (BullMQ's Worker.close awaited an ioredis "end" event that never came while the blocking
 * connection waited to reconnect), and a process on its way down must not hang on it: every step of a
 * shutdown runs under a deadline, and the caller decides what to do when one passes.
 */
export class DeadlineExceeded extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = "DeadlineExceeded";
  }
}

/** Settles like `work`, or rejects with DeadlineExceeded after `ms`. The timer never keeps a process alive. */
export function withinDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export interface ShutdownStep {
  /** Named in the log line when this step is the one that overran ("closing queue workers"). */
  name: string;
  run(): Promise<unknown>;
}

export type ShutdownOutcome =
  | { ok: true; ms: number; failed: { name: string; error: string }[] }
  | { ok: false; ms: number; stuckIn: string; failed: { name: string; error: string }[] };

/**
 * Runs shutdown steps in order under one overall deadline. A step that throws is noted and the next
 * one still runs (a failed quit must not keep the database pool open); a step still running when the
 * deadline passes ends the sequence with `ok: false` and the step's name, and the steps after it are
 * skipped — the caller's forced path (release what it holds, exit non-zero) takes over.
 */
export async function shutdownInOrder(
  steps: readonly ShutdownStep[],
  deadlineMs: number,
  now: () => number = () => performance.now(),
): Promise<ShutdownOutcome> {
  const start = now();
  const failed: { name: string; error: string }[] = [];
  for (const step of steps) {
    const left = deadlineMs - (now() - start);
    try {
      await withinDeadline(step.name, Math.max(0, left), step.run());
    } catch (e) {
      if (e instanceof DeadlineExceeded) return { ok: false, ms: Math.round(now() - start), stuckIn: step.name, failed };
      failed.push({ name: step.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { ok: true, ms: Math.round(now() - start), failed };
}
