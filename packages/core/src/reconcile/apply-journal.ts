/**
 * The apply journal (pure part). Every change is journaled as an intent before it is sent to the cloud;
 * once the cloud accepts it, the change is folded into Parapet's record of what it applied (the baseline
 * drift is measured against) in the same transaction that closes the intent. So the record is always
 * "everything Parapet did", whatever point a worker dies at, except the one change that was in flight:
 * that intent stays pending, and the next run settles it from what the cloud shows (applied or not).
 * Nothing Parapet did, even in a run that was killed, can then look like someone else's change.
 */
import type { ArtifactKind, Change, DesiredArtifact, Difference, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import { desiredHash, type RecordedArtifact } from "./plan.ts";

export const changeArtifactKey = (c: Change): { kind: ArtifactKind; name: string } =>
  "artifact" in c ? { kind: c.artifact.kind, name: c.artifact.name } : { kind: c.kind, name: c.name };

/**
 * The record after `change` was applied to the cloud. `null`: the artifact is gone (deleted). An attach
 * to an artifact Parapet has no record of (adopted from the cloud) records it with an unknown content
 * hash, so the next run compares content as a deploy, never as drift.
 */
export function foldChange(row: RecordedArtifact | undefined, change: Change, externalId?: string): RecordedArtifact | null {
  const { kind, name } = changeArtifactKey(change);
  const base: RecordedArtifact = row ?? { kind, name, externalId: null, contentHash: "", attachments: [], guardrailIds: [] };
  switch (change.op) {
    case "create":
    case "update":
      return {
        ...base,
        externalId: externalId ?? (change.op === "update" ? change.externalId : null) ?? base.externalId,
        contentHash: desiredHash(change.artifact),
        content: change.artifact.body,
        guardrailIds: change.artifact.guardrailIds,
      };
    case "attach":
      return {
        ...base,
        externalId: base.externalId ?? (change.externalId || null),
        attachments: [...new Set([...base.attachments, change.target])].sort(),
      };
    case "detach":
      return { ...base, attachments: base.attachments.filter((t) => t !== change.target) };
    case "delete":
      return null;
  }
}

export type IntentOutcome = "applied" | "not_applied" | "unknown";

/**
 * Whether a change whose outcome was never recorded (the worker died between sending it and recording
 * it) took effect, judged from a fresh observation. A failed read is `unknown`: the intent stays open.
 */
export function intentOutcome(
  change: Change,
  observed: ObservedState,
  compare: (d: DesiredArtifact, o: ObservedArtifact) => Difference,
): IntentOutcome {
  const { kind, name } = changeArtifactKey(change);
  const target = "target" in change ? change.target : undefined;
  if (observed.unreadable.some((u) => (u.name === name && (u.kind ?? kind) === kind) || (target !== undefined && u.target === target)))
    return "unknown";
  const o = observed.artifacts.find((a) => a.owned && a.kind === kind && a.name === name);
  switch (change.op) {
    case "create":
      return o ? "applied" : "not_applied";
    case "update":
      return o && compare(change.artifact, o).equal ? "applied" : "not_applied";
    case "attach":
      return o?.attachments.includes(change.target) ? "applied" : "not_applied";
    case "detach":
      return !o || !o.attachments.includes(change.target) ? "applied" : "not_applied";
    case "delete":
      return o ? "not_applied" : "applied";
  }
}
