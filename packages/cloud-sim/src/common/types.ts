/**
 * Shared shapes for the four cloud simulators. Each simulator is one `http(s).Server` on loopback that
 * speaks its cloud's wire protocol to the real SDK, plus an admin API under `/_admin/` on the same port.
 */

/** Token bucket per call family (e.g. AWS "ListPoliciesForTarget" family): burst and sustained rate. */
export interface ThrottleRule {
  burst: number;
  ratePerSec: number;
}

export interface FaultConfig {
  /** Added latency per request, ms (uniform in [min, max]). */
  latencyMs?: { min: number; max: number };
  /** Share of requests (0..1) answered with the cloud's "internal error / unavailable" shape. */
  errorRate?: number;
  /** Outage windows in epoch ms during which every cloud API request fails as unavailable. */
  outages?: Array<{ start: number; end: number }>;
}

export interface SimOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Throttle rules by call family; families are simulator-specific. `false` disables throttling. */
  throttle?: Record<string, ThrottleRule> | false;
  faults?: FaultConfig;
  /** Where audit-style events are POSTed after every mutation (cloud API or admin). */
  webhook?: { url: string; secret?: string };
  /** When set, state is loaded from and saved (debounced) to this JSON file. */
  persistFile?: string;
  /** Random seed for deterministic ids in tests and benchmarks. */
  seed?: number;
}

export interface RunningSim {
  cloud: "aws" | "azure" | "gcp" | "oci";
  /** Base URL of the cloud API (and admin API under /_admin/). */
  url: string;
  port: number;
  /** Requests served per operation name since start or the last reset. */
  counters(): Record<string, number>;
  resetCounters(): void;
  close(): Promise<void>;
}
