import type { FaultConfig } from "./types.ts";

export type FaultDecision = { kind: "none" } | { kind: "error" } | { kind: "outage" };

/** Decides per request whether to inject latency, a transient error or an outage. */
export class FaultInjector {
  constructor(
    private cfg: FaultConfig = {},
    private readonly random: () => number = Math.random,
  ) {}

  set(cfg: FaultConfig): void {
    this.cfg = cfg;
  }

  get(): FaultConfig {
    return this.cfg;
  }

  async delay(): Promise<void> {
    const l = this.cfg.latencyMs;
    if (!l || l.max <= 0) return;
    const ms = l.min + this.random() * Math.max(0, l.max - l.min);
    await new Promise((r) => setTimeout(r, ms));
  }

  decide(now = Date.now()): FaultDecision {
    if (this.cfg.outages?.some((o) => now >= o.start && now < o.end)) return { kind: "outage" };
    if (this.cfg.errorRate && this.random() < this.cfg.errorRate) return { kind: "error" };
    return { kind: "none" };
  }
}
