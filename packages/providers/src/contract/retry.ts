import { isEgressRefused } from "../egress/guard.ts";
import { isProviderError } from "./errors.ts";

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 200, maxMs: 10_000 };

/** "Full jitter" exponential backoff (a random delay in [0, min(max, base·2^n)]). */
export function backoffMs(attempt: number, p: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(p.maxMs, p.baseMs * 2 ** attempt));
}

/**
 * Retries retryable ProviderErrors, including the ones SDKs do not retry themselves (AWS
 * ConcurrentModification / PolicyChangesInProgress, GCP etag ABORTED, OCI 412). `onRetry` lets the
 * caller refresh state first (e.g. re-read an etag) before the next attempt.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown, attempt: number) => Promise<void> | void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      // A refusal by the egress guard is a decision about the endpoint, not a transient failure.
      if (!isProviderError(e) || !e.retryable || attempt + 1 >= policy.attempts || isEgressRefused(e)) throw e;
      await onRetry?.(e, attempt);
      await sleep(backoffMs(attempt, policy));
    }
  }
}
