/**
 * Where drift is detected (pure). Drift is observed ≠ recorded: the cloud no longer holds what Parapet
 * last applied, so someone else changed it. A difference Parapet caused itself (desired moved on, a
 * change it has not applied yet) is a deploy, never drift: each detector below returns `null` then,
 * and the planner (`reconcile/plan.ts`) plans the deploy instead.
 *
 * The planner calls these while it walks desired × observed × recorded; the record phase then turns the
 * observations into finding writes with `findingWrites` (`drift/finding-writes.ts`).
 */
import type { ArtifactKind, DesiredArtifact, Difference, ObservedArtifact } from "@parapet/providers/contract";

type DriftKind = "missing" | "modified" | "weakened" | "detached" | "unexpected_attachment";

export interface DriftObservation {
  kind: DriftKind;
  artifactKind: ArtifactKind;
  name: string;
  target?: string;
  guardrailIds: string[];
  /** Stable across reconciles: the same drift keeps one finding open. */
  fingerprint: string;
  summary: string;
  expected?: unknown;
  observed?: unknown;
  /** True when a change in this plan repairs it. */
  repaired: boolean;
}

/** What Parapet's record says about one artifact, as far as drift detection needs it. */
export interface RecordedBaseline {
  externalId: string | null;
  /** True when the record's content hash is the desired one: Parapet applied exactly this. */
  deployed: boolean;
}

const artifactKey = (d: DesiredArtifact) => `${d.kind}|${d.name}`;

/**
 * The artifact is gone from the cloud. Drift only if Parapet recorded it as applied with this content
 * and an id (it was there); otherwise it was never created (a first deploy, or a create a crash lost).
 */
export function missingArtifactDrift(
  d: DesiredArtifact,
  recorded: RecordedBaseline | undefined,
  repaired: boolean,
): DriftObservation | null {
  if (!recorded?.deployed || recorded.externalId === null) return null;
  return {
    kind: "missing",
    artifactKind: d.kind,
    name: d.name,
    guardrailIds: d.guardrailIds,
    fingerprint: `missing|${artifactKey(d)}`,
    summary: `${d.kind} ${d.name} was deleted outside Parapet`,
    expected: d.body,
    repaired,
  };
}

/**
 * The cloud's content differs from desired. Drift only if desired is what Parapet applied last (so the
 * cloud moved); if desired moved on, the difference is a deploy.
 */
export function contentDrift(
  d: DesiredArtifact,
  o: ObservedArtifact,
  diff: Extract<Difference, { equal: false }>,
  recorded: RecordedBaseline | undefined,
  repaired: boolean,
): DriftObservation | null {
  if (!recorded?.deployed) return null;
  return {
    kind: diff.kind,
    artifactKind: d.kind,
    name: d.name,
    guardrailIds: d.guardrailIds,
    fingerprint: `${diff.kind}|${artifactKey(d)}`,
    summary: `${d.kind} ${d.name} was ${diff.kind === "weakened" ? "weakened" : "edited"} outside Parapet: ${diff.detail}`,
    expected: d.body,
    observed: o.body,
    repaired,
  };
}

/** A desired attachment is missing. Drift only if Parapet recorded attaching it there. */
export function detachedDrift(
  d: DesiredArtifact,
  target: string,
  recordedAttachments: ReadonlySet<string>,
  repaired: boolean,
): DriftObservation | null {
  if (!recordedAttachments.has(target)) return null;
  return {
    kind: "detached",
    artifactKind: d.kind,
    name: d.name,
    target,
    guardrailIds: d.guardrailIds,
    fingerprint: `detached|${artifactKey(d)}|${target}`,
    summary: `${d.kind} ${d.name} was detached from ${target} outside Parapet`,
    repaired,
  };
}

/**
 * An attachment that is not desired. Drift only if Parapet never recorded it (someone else attached it);
 * one Parapet recorded is its own attachment no longer wanted, a cleanup.
 */
export function unexpectedAttachmentDrift(
  d: DesiredArtifact,
  target: string,
  recordedAttachments: ReadonlySet<string>,
  repaired: boolean,
): DriftObservation | null {
  if (recordedAttachments.has(target)) return null;
  return {
    kind: "unexpected_attachment",
    artifactKind: d.kind,
    name: d.name,
    target,
    guardrailIds: d.guardrailIds,
    fingerprint: `unexpected|${artifactKey(d)}|${target}`,
    summary: `${d.kind} ${d.name} was attached to ${target} outside Parapet`,
    repaired,
  };
}

/** The artifact name inside a fingerprint (`<kind>|<artifact kind>|<name>[|<target>]`). */
export function fingerprintArtifactName(fingerprint: string): string | undefined {
  return fingerprint.split("|")[2];
}
