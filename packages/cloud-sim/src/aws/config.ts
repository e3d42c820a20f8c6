import type { FaultConfig, ThrottleRule } from "../common/types.ts";
import type { AwsLimits } from "./org-state.ts";
import { OPERATIONS } from "./organizations-api.ts";

/** One deterministic injected failure: the next `count` calls of `operation` fail with this error. */
export interface AwsInjectedError {
  /** Operation name (e.g. "AttachPolicy"), or "*" for any Organizations operation. */
  operation: string;
  /** `__type` to answer with, e.g. "ConcurrentModificationException" or "PolicyChangesInProgressException". */
  code: string;
  message?: string;
  reason?: string;
  /** HTTP status; default 400 (500 for ServiceException). */
  status?: number;
  /** Default 1. */
  count?: number;
}

/** Runtime-adjustable behaviour, settable at start, through POST /_admin/config, or `sim.configure()`. */
export interface AwsSimConfig {
  /**
   * Token buckets keyed by operation name or by family ("read", "write"); an operation uses its own rule,
   * else its family's. Given rules are merged over the defaults; `false` disables throttling.
   */
  throttle?: Record<string, ThrottleRule> | false;
  faults?: FaultConfig;
  limits?: Partial<AwsLimits>;
  webhook?: { url: string; secret?: string } | null;
  /** Share (0..1) of write calls answered with ConcurrentModificationException. */
  concurrentModificationRate?: number;
  /** Answer an empty last page with a NextToken when a page ends exactly at the end of a list. */
  trailingEmptyPage?: boolean;
  /** Page size when MaxResults is absent (AWS uses up to 20). */
  defaultPageSize?: number;
  /** Appended to the queue of one-shot failures. */
  injectErrors?: AwsInjectedError[];
}

/**
 * Defaults shaped after the Organizations throttling AWS documents for Control Tower (ListOrganizationalUnits /
 * ListPoliciesForTarget 8 burst, 5 sustained TPS; DescribePolicy 2 TPS) with writes slower still.
 */
export const DEFAULT_THROTTLE: Record<string, ThrottleRule> = {
  read: { burst: 8, ratePerSec: 5 },
  write: { burst: 4, ratePerSec: 2 },
  DescribePolicy: { burst: 4, ratePerSec: 2 },
  CreateAccount: { burst: 2, ratePerSec: 1 },
};

/** Expands family rules to one rule per operation, the shape common/Throttler expects. */
export function expandThrottle(rules: Record<string, ThrottleRule> | false | undefined): Record<string, ThrottleRule> | false {
  if (rules === false) return false;
  const merged = { ...DEFAULT_THROTTLE, ...rules };
  const out: Record<string, ThrottleRule> = {};
  for (const [op, def] of Object.entries(OPERATIONS)) {
    const r = merged[op] ?? merged[def.family];
    if (r) out[op] = r;
  }
  if (merged.sts) out.sts = merged.sts;
  return out;
}

function isRule(v: unknown): v is ThrottleRule {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.burst === "number" && r.burst >= 1 && typeof r.ratePerSec === "number" && r.ratePerSec > 0;
}

/** Checks a config received as JSON; returns an error message naming the first bad field, or undefined. */
export function checkConfig(v: Record<string, unknown>): string | undefined {
  const t = v.throttle;
  if (t !== undefined && t !== false) {
    if (typeof t !== "object" || t === null || Array.isArray(t)) return "throttle must be false or an object of {burst, ratePerSec}";
    for (const [k, r] of Object.entries(t)) if (!isRule(r)) return `throttle.${k} must be {burst >= 1, ratePerSec > 0}`;
  }
  const f = v.faults;
  if (f !== undefined) {
    if (typeof f !== "object" || f === null || Array.isArray(f)) return "faults must be an object";
    const fc = f as Record<string, unknown>;
    if (fc.errorRate !== undefined && (typeof fc.errorRate !== "number" || fc.errorRate < 0 || fc.errorRate > 1))
      return "faults.errorRate must be 0..1";
    const l = fc.latencyMs as Record<string, unknown> | undefined;
    if (l !== undefined && (typeof l !== "object" || l === null || typeof l.min !== "number" || typeof l.max !== "number")) {
      return "faults.latencyMs must be {min, max}";
    }
    const o = fc.outages;
    if (
      o !== undefined &&
      (!Array.isArray(o) ||
        !o.every(
          (w) =>
            typeof w === "object" &&
            w !== null &&
            typeof (w as Record<string, unknown>).start === "number" &&
            typeof (w as Record<string, unknown>).end === "number",
        ))
    ) {
      return "faults.outages must be a list of {start, end} epoch ms";
    }
  }
  const lim = v.limits;
  if (lim !== undefined) {
    if (typeof lim !== "object" || lim === null || Array.isArray(lim)) return "limits must be an object";
    for (const [k, n] of Object.entries(lim))
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) return `limits.${k} must be a non-negative integer`;
  }
  const w = v.webhook;
  if (w !== undefined && w !== null) {
    if (typeof w !== "object" || typeof (w as Record<string, unknown>).url !== "string") return "webhook must be null or {url, secret?}";
    try {
      new URL(String((w as Record<string, unknown>).url));
    } catch {
      return "webhook.url must be an absolute URL";
    }
  }
  const cm = v.concurrentModificationRate;
  if (cm !== undefined && (typeof cm !== "number" || cm < 0 || cm > 1)) return "concurrentModificationRate must be 0..1";
  if (v.trailingEmptyPage !== undefined && typeof v.trailingEmptyPage !== "boolean") return "trailingEmptyPage must be a boolean";
  if (v.defaultPageSize !== undefined && (typeof v.defaultPageSize !== "number" || v.defaultPageSize < 1 || v.defaultPageSize > 20)) {
    return "defaultPageSize must be 1..20";
  }
  const inj = v.injectErrors;
  if (inj !== undefined) {
    if (!Array.isArray(inj)) return "injectErrors must be a list";
    for (const e of inj as unknown[]) {
      const x = e as Record<string, unknown>;
      if (typeof e !== "object" || e === null || typeof x.operation !== "string" || typeof x.code !== "string") {
        return "injectErrors[] needs operation and code strings";
      }
    }
  }
  return undefined;
}
