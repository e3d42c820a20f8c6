/**
 * Plan phase (no I/O): desired vs observed vs recorded → ordered changes and drift observations
 * (`../plan.ts`, with drift decided in `drift/detect-drift.ts`).
 *
 * Reads: the loaded desired state and record, the observation. Writes nothing.
 * Guards: limits are checked at plan time (AWS is repacked here with the slots other tools hold, known
 * only after observing); a limit or compile problem holds every cleanup and every rewrite that would
 * drop a failed guardrail, so a configuration error never takes protection away; drift on a guardrail
 * set to notify is reported, not repaired, unless a person asked for the repair.
 */
import type { ObservedState } from "@parapet/providers/contract";
import { computeDesiredState } from "../desired-state.ts";
import { planReconcile, type RecordedArtifact } from "../plan.ts";
import type { Loaded, Planned, RunContext } from "./context.ts";

export function plan(ctx: RunContext, loaded: Loaded, observed: ObservedState, recorded: RecordedArtifact[]): Planned {
  const { desired } = loaded;
  // AWS slot occupancy is only known after observing: repack with what other tools hold.
  const state =
    ctx.conn.cloud === "aws" && Object.keys(observed.foreignSlots).length
      ? computeDesiredState({ ...desired.input, foreignSlots: observed.foreignSlots })
      : desired.state;
  const remediation = desired.remediation;
  const repair = ctx.opts.repair === true;
  const planned = planReconcile({
    desired: state.artifacts,
    observed,
    recorded,
    compare: (d, o) => ctx.adapter.compare(d, o),
    autoRepair: (gids) => repair || gids.length === 0 || gids.some((g) => remediation.get(g) !== "notify"),
    // A limit refused part of desired state, or a guardrail failed to compile: what desired state lacks
    // may be exactly that part, so remove nothing, and rewrite nothing without the failed guardrails.
    holdCleanup: state.problems.some((p) => p.code === "limit" || p.code === "compile"),
    holdGuardrails: new Set(state.problems.filter((p) => p.code === "compile").flatMap((p) => p.guardrailIds)),
  });
  return { plan: planned, state };
}
