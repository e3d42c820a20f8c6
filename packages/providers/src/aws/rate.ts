import { sleep } from "../common/sleep.ts";

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
  // CloudTrail LookupEvents: "limited to two per second, per account, per Region" (botocore
  // cloudtrail service-2.json, LookupEvents documentation).
  LookupEvents: { ratePerSec: 2, burst: 2 },
  // The organization trail's log files are S3 reads, outside the Organizations budget: S3 serves at least
  // 5,500 GET/HEAD requests per second per prefix ("Best practices design patterns: optimizing Amazon S3
  // performance", https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html).
  // Paced well below that, so a replay never competes with the customer's own readers of the bucket.
  ListObjectsV2: { ratePerSec: 50, burst: 50 },
  // AWS Config advanced queries: no published per-operation rate; paced like the Organizations reads,
  // so a replay's principal-tag lookups stay a trickle beside the customer's own Config use.
  SelectAggregateResourceConfig: { ratePerSec: 2, burst: 4 },
  GetObject: { ratePerSec: 50, burst: 50 },
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

  async take(wait: (ms: number) => Promise<void> = sleep): Promise<void> {
    for (let ms = this.tryTake(); ms > 0; ms = this.tryTake()) await wait(ms);
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
