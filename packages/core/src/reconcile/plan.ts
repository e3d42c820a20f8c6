/**
 * Plan (pure): the ordered changes that turn observed state into desired state, and the drift seen on
 * the way. Three states meet here:
 *   desired  — what the active guardrails imply now;
 *   recorded — what Parapet last applied (its database);
 *   observed — what the cloud says, read just now.
 * observed ≠ recorded is drift (someone else changed the cloud): it is reported, and repaired only
 * when a guardrail it carries is set to `auto`. desired ≠ recorded is a deploy (a guardrail changed):
 * always applied. Nothing is planned from a failed read. Which difference is drift is decided in
 * `drift/detect-drift.ts`; this file decides what to change.
 */
import type { ArtifactKind, Change, DesiredArtifact, Difference, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import { contentHash } from "@parapet/providers/contract";
import {
  contentDrift,
  detachedDrift,
  missingArtifactDrift,
  unexpectedAttachmentDrift,
  type DriftObservation,
} from "../drift/detect-drift.ts";

export interface RecordedArtifact {
  kind: ArtifactKind;
  name: string;
  externalId: string | null;
  contentHash: string;
  /** The body Parapet applied last (its record); passed on as `previous` so shared slots give back exactly it. */
  content?: unknown;
  attachments: string[];
  guardrailIds: string[];
}

export interface PlannedChange {
  change: Change;
  /** deploy: desired moved on; repair: put back what drifted; cleanup: remove what is no longer desired. */
  cause: "deploy" | "repair" | "cleanup";
  guardrailIds: string[];
}

export interface Plan {
  changes: PlannedChange[];
  drift: DriftObservation[];
  /** Artifacts/targets skipped because their reads failed. */
  unknown: Array<{ kind?: ArtifactKind; name?: string; target?: string; reason: string }>;
}

export interface PlanInput {
  desired: DesiredArtifact[];
  observed: ObservedState;
  recorded: RecordedArtifact[];
  compare: (d: DesiredArtifact, o: ObservedArtifact) => Difference;
  /** Whether drift on an artifact carrying these guardrails is repaired automatically. */
  autoRepair: (guardrailIds: string[]) => boolean;
  /**
   * A provider limit refused part of desired state at plan time. What desired state lacks may then be
   * exactly what was refused (a target that cannot take one more policy), so nothing is removed this
   * run: no detach, no delete. Constructive changes that fit still go ahead.
   */
  holdCleanup?: boolean;
  /**
   * Guardrails whose desired state is unknown this run (their compile failed: an unknown control after
   * an upgrade, parameters or principals the compiler now refuses). Leaving them out of desired state
   * must not read as "no longer wanted": an artifact that carries one is neither removed nor rewritten
   * without it, so a configuration error never takes protection away. Callers also set `holdCleanup`.
   */
  holdGuardrails?: ReadonlySet<string>;
}

// Create definitions before the things that reference them; delete in the reverse order.
const KIND_RANK: Record<ArtifactKind, number> = {
  "azure.policy-definition": 0,
  "gcp.custom-constraint": 0,
  "oci.security-recipe": 0,
  "azure.policy-set-definition": 1,
  "aws.scp": 2,
  "aws.rcp": 2,
  "gcp.org-policy": 2,
  "gcp.deny-policy": 2,
  "oci.policy": 2,
  "oci.security-zone": 2,
  "azure.policy-assignment": 3,
  "azure.policy-exemption": 4,
};
const OP_RANK: Record<Change["op"], number> = { create: 0, update: 1, attach: 2, detach: 3, delete: 4 };
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const key = (kind: string, name: string) => `${kind}|${name}`;

/** The hash Parapet records for what it applied; compared against desired to spot deploys. */
export function desiredHash(d: DesiredArtifact): string {
  return contentHash(d.body);
}

export function planReconcile(input: PlanInput): Plan {
  const changes: PlannedChange[] = [];
  const drift: DriftObservation[] = [];
  const unknown: Plan["unknown"] = [...input.observed.unreadable];
  const unreadableArtifacts = new Set(input.observed.unreadable.filter((u) => u.name).map((u) => key(u.kind ?? "", u.name!)));
  const unreadableTargets = new Set(input.observed.unreadable.filter((u) => u.target).map((u) => u.target!));
  const observedByKey = new Map<string, ObservedArtifact>();
  for (const o of input.observed.artifacts) if (o.owned) observedByKey.set(key(o.kind, o.name), o);
  const recordedByKey = new Map(input.recorded.map((r) => [key(r.kind, r.name), r]));
  const desiredKeys = new Set(input.desired.map((d) => key(d.kind, d.name)));

  for (const d of input.desired) {
    const k = key(d.kind, d.name);
    if (unreadableArtifacts.has(k)) continue;
    const o = observedByKey.get(k);
    const r = recordedByKey.get(k);
    const baseline = r ? { externalId: r.externalId, deployed: r.contentHash === desiredHash(d) } : undefined;
    const auto = input.autoRepair(d.guardrailIds);
    if (!o) {
      // Recorded as applied with this content, yet gone: someone deleted it.
      const missing = missingArtifactDrift(d, baseline, auto);
      const isDrift = missing !== null;
      if (missing) drift.push(missing);
      if (!isDrift || auto) {
        changes.push({
          change: { op: "create", artifact: d, reason: isDrift ? "recreate deleted artifact" : "new artifact" },
          cause: isDrift ? "repair" : "deploy",
          guardrailIds: d.guardrailIds,
        });
        for (const t of d.attachments) {
          if (unreadableTargets.has(t)) continue;
          changes.push({
            change: { op: "attach", kind: d.kind, name: d.name, externalId: "", target: t, reason: "attach new artifact" },
            cause: isDrift ? "repair" : "deploy",
            guardrailIds: d.guardrailIds,
          });
        }
      }
      continue;
    }
    const diff = input.compare(d, o);
    if (!diff.equal) {
      // Desired content that drops a held guardrail would remove its statements from a shared artifact.
      const dropsHeld = r?.guardrailIds.some((g) => input.holdGuardrails?.has(g) === true && !d.guardrailIds.includes(g)) === true;
      // Differs from desired: drift if it is what we applied last (so the cloud moved), else a deploy.
      const edited = contentDrift(d, o, diff, baseline, auto && !dropsHeld);
      const isDrift = edited !== null;
      if (edited) drift.push(edited);
      if ((!isDrift || auto) && !dropsHeld) {
        changes.push({
          change: {
            op: "update",
            artifact: d,
            externalId: o.externalId,
            ...(o.etag ? { etag: o.etag } : {}),
            ...(r?.content !== undefined ? { previous: r.content } : {}),
            reason: isDrift ? `repair: ${diff.detail}` : "guardrail changed",
          },
          cause: isDrift ? "repair" : "deploy",
          guardrailIds: d.guardrailIds,
        });
      }
    }
    const have = new Set(o.attachments);
    const recordedAttachments = new Set(r?.attachments ?? []);
    for (const t of d.attachments) {
      if (have.has(t) || unreadableTargets.has(t)) continue;
      const detached = detachedDrift(d, t, recordedAttachments, auto);
      const isDrift = detached !== null;
      if (detached) drift.push(detached);
      if (!isDrift || auto) {
        changes.push({
          change: {
            op: "attach",
            kind: d.kind,
            name: d.name,
            externalId: o.externalId,
            target: t,
            reason: isDrift ? "re-attach detached artifact" : "new attachment",
          },
          cause: isDrift ? "repair" : "deploy",
          guardrailIds: d.guardrailIds,
        });
      }
    }
    const want = new Set(d.attachments);
    for (const t of o.attachments) {
      if (want.has(t) || unreadableTargets.has(t)) continue;
      const unexpected = unexpectedAttachmentDrift(d, t, recordedAttachments, auto);
      const isDrift = unexpected !== null;
      if (unexpected) drift.push(unexpected);
      if (!isDrift || auto) {
        changes.push({
          change: {
            op: "detach",
            kind: d.kind,
            name: d.name,
            externalId: o.externalId,
            target: t,
            reason: isDrift ? "remove unexpected attachment" : "attachment no longer desired",
          },
          cause: isDrift ? "repair" : "cleanup",
          guardrailIds: d.guardrailIds,
        });
      }
    }
  }

  // Owned artifacts no longer desired (guardrail removed, repacked, or orphaned by a crash): detach, delete.
  for (const o of observedByKey.values()) {
    const k = key(o.kind, o.name);
    if (desiredKeys.has(k) || unreadableArtifacts.has(k)) continue;
    const gids = recordedByKey.get(k)?.guardrailIds ?? [];
    const content = recordedByKey.get(k)?.content;
    const previous = content !== undefined ? { previous: content } : {};
    for (const t of o.attachments) {
      if (unreadableTargets.has(t)) continue;
      changes.push({
        change: {
          op: "detach",
          kind: o.kind,
          name: o.name,
          externalId: o.externalId,
          target: t,
          ...previous,
          reason: "artifact no longer desired",
        },
        cause: "cleanup",
        guardrailIds: gids,
      });
    }
    if (!o.attachments.some((t) => unreadableTargets.has(t))) {
      changes.push({
        change: { op: "delete", kind: o.kind, name: o.name, externalId: o.externalId, ...previous, reason: "artifact no longer desired" },
        cause: "cleanup",
        guardrailIds: gids,
      });
    }
  }

  if (input.holdCleanup) changes.splice(0, changes.length, ...changes.filter((c) => c.cause !== "cleanup"));

  changes.sort((a, b) => {
    const ca = a.change;
    const cb = b.change;
    const destructive = (c: Change) => c.op === "detach" || c.op === "delete";
    // All constructive changes first (attach the new before detaching the old), then destructive ones.
    if (destructive(ca) !== destructive(cb)) return destructive(ca) ? 1 : -1;
    const kindA = "artifact" in ca ? ca.artifact.kind : ca.kind;
    const kindB = "artifact" in cb ? cb.artifact.kind : cb.kind;
    const nameA = "artifact" in ca ? ca.artifact.name : ca.name;
    const nameB = "artifact" in cb ? cb.artifact.name : cb.name;
    const rank = destructive(ca) ? KIND_RANK[kindB] - KIND_RANK[kindA] : KIND_RANK[kindA] - KIND_RANK[kindB];
    return (
      rank ||
      OP_RANK[ca.op] - OP_RANK[cb.op] ||
      byString(nameA, nameB) ||
      byString("target" in ca ? ca.target : "", "target" in cb ? cb.target : "")
    );
  });
  drift.sort((a, b) => byString(a.fingerprint, b.fingerprint));
  return { changes, drift, unknown };
}
