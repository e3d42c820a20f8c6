import { isEgressRefused } from "../egress/guard.ts";
import { sleep } from "../common/sleep.ts";
import { isProviderError, type ProviderErrorKind } from "./errors.ts";

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 200, maxMs: 10_000 };

/** "Full jitter" exponential backoff (a random delay in [0, min(max, base·2^n)]). */
function backoffMs(attempt: number, p: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(p.maxMs, p.baseMs * 2 ** attempt));
}

/**
 * Runs `fn` again after a full-jitter backoff while `shouldRetry` says so, up to the policy's attempts.
 * `onRetry` lets the caller refresh state first (e.g. re-read an etag) before the next attempt.
 */
export async function retryWhen<T>(
  shouldRetry: (err: unknown) => boolean,
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown, attempt: number) => Promise<void> | void,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!shouldRetry(e) || attempt + 1 >= policy.attempts) throw e;
      await onRetry?.(e, attempt);
      await wait(backoffMs(attempt, policy));
    }
  }
}

// A refusal by the egress guard is a decision about the endpoint, not a transient failure.
const isRetryable = (e: unknown): boolean => isProviderError(e) && e.retryable && !isEgressRefused(e);

/**
 * Retries retryable ProviderErrors, including the ones SDKs do not retry themselves (AWS
 * ConcurrentModification / PolicyChangesInProgress, GCP etag ABORTED, OCI 412). `onRetry` lets the
 * caller refresh state first (e.g. re-read an etag) before the next attempt.
 */
export function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown, attempt: number) => Promise<void> | void,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  return retryWhen(isRetryable, fn, policy, onRetry, wait);
}

/** withRetry restricted to retryable errors of the given kinds (the others propagate at once). */
export function retryOnly<T>(kinds: ReadonlySet<ProviderErrorKind>, policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  return retryWhen((e) => isRetryable(e) && isProviderError(e) && kinds.has(e.kind), fn, policy);
}
