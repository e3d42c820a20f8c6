import type { ThrottleRule } from "./types.ts";

/** Classic token bucket: `burst` tokens, refilled continuously at `ratePerSec`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rule: ThrottleRule,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rule.burst;
    this.last = now();
  }

  /** Takes one token; returns 0 when granted, else the ms until one is available. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.rule.burst, this.tokens + ((t - this.last) / 1000) * this.rule.ratePerSec);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rule.ratePerSec) * 1000);
  }
}

/** A set of buckets keyed by call family; families without a rule are never throttled. */
export class Throttler {
  private buckets = new Map<string, TokenBucket>();
  constructor(private rules: Record<string, ThrottleRule> | false) {}

  setRules(rules: Record<string, ThrottleRule> | false): void {
    this.rules = rules;
    this.buckets.clear();
  }

  /** 0 when allowed, else ms to wait (for Retry-After). */
  check(family: string): number {
    if (!this.rules) return 0;
    const rule = this.rules[family];
    if (!rule) return 0;
    let b = this.buckets.get(family);
    if (!b) {
      b = new TokenBucket(rule);
      this.buckets.set(family, b);
    }
    return b.take();
  }
}
