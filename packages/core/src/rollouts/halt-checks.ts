/**
 * The halt checks between stages (pure): given what happened since the stage began, the reason to halt,
 * or nothing. (a) a reconcile run of an affected connection failed or ended partial; (b) more drift findings opened for
 * the guardrail than the rollout's threshold; (c) an impact replay of the target version denies a
 * principal the pre-rollout baseline did not already show (nor a person accepted when resuming), or would
 * lock out the connector or break-glass.
 */
import type { TImpactSummary } from "../impact/replay.ts";

export interface HaltCheckInput {
  /** Runs that failed, or ended partial (part of the plan unreadable or refused by a limit). */
  failedRuns: Array<{ id: string; connectionName: string; status: string; error: string | null }>;
  driftOpened: number;
  driftThreshold: number;
  /** Per connection: the replay of the target version that this stage is judged by. */
  reports: Array<{ id: string; connectionName: string; status: string; lockout: boolean; error: string | null; summary: unknown }>;
  /** Per connection id → the denied principals of its baseline replay. */
  baselinePrincipals: ReadonlySet<string>;
  accepted: ReadonlySet<string>;
}

export interface HaltVerdict {
  reason: string;
  principals: string[];
}

/** Denied principals of a replay summary (its groups; omitted groups cannot name anyone, hence the count). */
export function deniedPrincipals(summary: unknown): Set<string> {
  const s = summary as Partial<TImpactSummary> | null;
  return new Set((s?.groups ?? []).map((g) => g.principal));
}

export function haltVerdict(input: HaltCheckInput): HaltVerdict | null {
  const run = input.failedRuns[0];
  if (run) {
    const more = input.failedRuns.length > 1 ? ` (and ${input.failedRuns.length - 1} more)` : "";
    return {
      reason:
        run.status === "partial"
          ? `reconcile run ${run.id} on ${run.connectionName} ended partial: part of its plan could not be read or was refused by a limit${more}`
          : `reconcile run ${run.id} on ${run.connectionName} failed${run.error ? `: ${run.error.slice(0, 300)}` : ""}${more}`,
      principals: [],
    };
  }
  if (input.driftOpened > input.driftThreshold) {
    return {
      reason: `drift spike: ${input.driftOpened} drift findings opened for this guardrail during the stage (threshold ${input.driftThreshold})`,
      principals: [],
    };
  }
  for (const r of input.reports) {
    if (r.status === "failed")
      return {
        reason: `impact replay ${r.id} on ${r.connectionName} failed: ${(r.error ?? "no reason given").slice(0, 300)}`,
        principals: [],
      };
    const s = r.summary as Partial<TImpactSummary> | null;
    if (r.lockout || (s?.lockouts?.length ?? 0) > 0) {
      const who = (s?.lockouts ?? []).map((l) => `${l.class} ${l.principal}`);
      return {
        reason: `impact replay ${r.id} on ${r.connectionName}: enforcing would lock out ${who.join(", ") || "the connector or break-glass"}`,
        principals: [...new Set((s?.lockouts ?? []).map((l) => l.principal))].sort(),
      };
    }
  }
  const fresh = new Map<string, string>();
  for (const r of input.reports) {
    for (const p of deniedPrincipals(r.summary))
      if (!input.baselinePrincipals.has(p) && !input.accepted.has(p) && !fresh.has(p)) fresh.set(p, r.id);
  }
  if (fresh.size > 0) {
    const principals = [...fresh.keys()].sort();
    const shown = principals.slice(0, 5).join(", ") + (principals.length > 5 ? ` and ${principals.length - 5} more` : "");
    return {
      reason: `impact replay ${fresh.get(principals[0]!)}: denies ${principals.length === 1 ? "a principal" : `${principals.length} principals`} the pre-rollout replay did not: ${shown}`,
      principals,
    };
  }
  return null;
}
