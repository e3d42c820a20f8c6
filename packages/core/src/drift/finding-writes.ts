/**
 * From drift observations to drift findings (pure): which open finding is seen again, repaired or gone,
 * and which observation opens a new one. The record phase of a reconcile
 * (`reconcile/phases/record-drift.ts`) performs the writes in the order given here.
 */
import type { ObservedState } from "@parapet/providers/contract";
import { fingerprintArtifactName, type DriftObservation } from "./detect-drift.ts";

/** Resolutions the reconciler writes (the `resolution` column keeps exactly these strings). */
export type DriftResolution = "auto_reapplied" | "desired_changed" | "manual";

export type FindingWrite =
  /** An open finding seen again and repaired by this run's apply. */
  | { op: "resolve-repaired"; findingId: string }
  /** An open finding seen again and still there: only `lastSeenAt` moves. */
  | { op: "touch"; findingId: string }
  /** A new finding; `resolvedNow` when this run's apply already repaired it (opened and resolved at once). */
  | { op: "open"; drift: DriftObservation; resolvedNow: boolean }
  /** An open finding no longer seen: fixed by someone else (`manual`) or its artifact is no longer desired. */
  | { op: "resolve-gone"; findingId: string; resolution: Exclude<DriftResolution, "auto_reapplied"> };

export interface FindingWritesInput {
  /** Open findings the planner owns (not uncovered environments or held labels). */
  open: ReadonlyArray<{ id: string; fingerprint: string }>;
  /** This run's drift, as the planner saw it. */
  drift: readonly DriftObservation[];
  /** No apply failed: a repair planned in this run really happened. */
  applyOk: boolean;
  observed: Pick<ObservedState, "unreadable">;
  desiredNames: ReadonlySet<string>;
}

export function findingWrites(input: FindingWritesInput): FindingWrite[] {
  const openByFp = new Map(input.open.map((f) => [f.fingerprint, f]));
  const writes: FindingWrite[] = [];
  const seenFp = new Set<string>();
  for (const d of input.drift) {
    seenFp.add(d.fingerprint);
    const repairedNow = d.repaired && input.applyOk;
    const existing = openByFp.get(d.fingerprint);
    if (existing) writes.push(repairedNow ? { op: "resolve-repaired", findingId: existing.id } : { op: "touch", findingId: existing.id });
    else writes.push({ op: "open", drift: d, resolvedNow: repairedNow });
  }
  // A finding whose artifact could not be read this run is neither seen nor gone: it stays open.
  const unreadable = new Set(input.observed.unreadable.map((u) => u.name ?? u.target));
  for (const f of input.open) {
    if (seenFp.has(f.fingerprint)) continue;
    const name = fingerprintArtifactName(f.fingerprint);
    if (name && unreadable.has(name)) continue;
    writes.push({ op: "resolve-gone", findingId: f.id, resolution: name && !input.desiredNames.has(name) ? "desired_changed" : "manual" });
  }
  return writes;
}
