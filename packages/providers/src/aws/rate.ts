/**
 * Client-side pacing for Organizations calls. AWS gives the management account a small shared TPS
 * budget per call family (Control Tower documents ~5 sustained / 8 burst for list calls, 2 for
 * DescribePolicy); pacing below it keeps a 10,000-account discovery from spending most of its time
 * in throttle back-offs. Throttles that still happen (other tools share the budget) are retried.
 */
export interface TRateRule {
  ratePerSec: number;
  burst: number;
}

export type TAwsRateLimits = Record<string, TRateRule>;

/** Keyed by operation name, falling back to the "read" / "write" family. */
export const AWS_DEFAULT_RATE_LIMITS: Readonly<TAwsRateLimits> = {
  read: { ratePerSec: 5, burst: 8 },
  write: { ratePerSec: 2, burst: 4 },
  DescribePolicy: { ratePerSec: 2, burst: 4 },
};

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rule: TRateRule,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rule.burst;
    this.last = now();
  }

  /** Milliseconds to wait before a token is free (0 = take it now); takes it when free. */
  tryTake(): number {
    const t = this.now();
    this.tokens = Math.min(this.rule.burst, this.tokens + ((t - this.last) / 1000) * this.rule.ratePerSec);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rule.ratePerSec) * 1000);
  }

  async take(sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
    for (let wait = this.tryTake(); wait > 0; wait = this.tryTake()) await sleep(wait);
  }
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly rules: TAwsRateLimits | false) {}

  async take(operation: string, write: boolean): Promise<void> {
    if (this.rules === false) return;
    const rules = this.rules;
    const family = write ? "write" : "read";
    const keyName = rules[operation] ? operation : family;
    const rule = rules[keyName];
    if (!rule) return;
    let b = this.buckets.get(keyName);
    if (!b) {
      b = new TokenBucket(rule);
      this.buckets.set(keyName, b);
    }
    await b.take();
  }
}

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
