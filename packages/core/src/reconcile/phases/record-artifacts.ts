/**
 * Record phase, artifacts: the artifact record (the drift baseline) after this run.
 *
 * Reads: artifact rows (as the journal left them), the post-apply observation. Writes: one upsert per
 * desired artifact, then drops rows neither desired nor still in the cloud.
 * Guards: desired content becomes the baseline only once the cloud holds it, and drift left in place
 * keeps its baseline, so the record always means "what Parapet applied" and a failed apply is re-deployed
 * next run rather than reported as drift; an unreadable artifact's row is left as it was.
 */
import type { DesiredArtifact, Difference, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import { desiredHash } from "../plan.ts";
import { artifactRecords, dropArtifactsExcept, upsertArtifact } from "../reconcile-state.repository.ts";
import type { RunContext } from "./context.ts";

export async function recordArtifacts(
  ctx: RunContext,
  desired: DesiredArtifact[],
  observed: ObservedState,
  keepBaseline: ReadonlySet<string>,
  compare: (d: DesiredArtifact, o: ObservedArtifact) => Difference,
): Promise<void> {
  const { prisma } = ctx.deps;
  const { connectionId } = ctx;
  const workspaceId = ctx.conn.workspaceId;
  const obs = new Map(observed.artifacts.filter((o) => o.owned).map((o) => [`${o.kind}|${o.name}`, o]));
  const unreadable = new Set(observed.unreadable.filter((u) => u.name).map((u) => `${u.kind}|${u.name}`));
  // The record as the journal left it (every applied change is already folded in).
  const rows = new Map((await artifactRecords(prisma, connectionId)).map((r) => [r.name, r]));
  const keep: string[] = [];
  for (const d of desired) {
    const k = `${d.kind}|${d.name}`;
    keep.push(d.name);
    if (unreadable.has(k) || keepBaseline.has(d.name)) continue;
    const o = obs.get(k);
    const row = rows.get(d.name);
    const recordedAttachments = new Set(Array.isArray(row?.attachments) ? (row.attachments as string[]) : []);
    // The desired content becomes the baseline only once the cloud holds it; content a failed apply left
    // behind keeps the hash Parapet last applied, so the next run re-deploys it instead of calling it drift.
    const holdsDesired = o ? compare(d, o).equal : false;
    const contentHash = holdsDesired || !o ? desiredHash(d) : (row?.contentHash ?? "");
    const data = {
      kind: d.kind,
      externalId: o?.externalId ?? null,
      contentHash,
      content: JSON.parse(JSON.stringify(holdsDesired || !row ? d.body : row.content)) as object,
      // Attachments Parapet put there (desired now, or recorded and not yet removed, e.g. a cleanup a
      // failure stopped): only someone else's attachments stay out of the record, so they stay drift.
      attachments: o ? o.attachments.filter((t) => d.attachments.includes(t) || recordedAttachments.has(t)).sort() : [],
      guardrailIds: d.guardrailIds,
      state: o ? "applied" : "desired",
      ...(o ? { lastAppliedAt: new Date() } : {}),
    };
    await upsertArtifact(prisma, workspaceId, connectionId, d.name, data);
  }
  // Rows for artifacts that are neither desired nor still in the cloud are history: drop them.
  const stillThere = [...obs.values()].map((o) => o.name);
  await dropArtifactsExcept(prisma, connectionId, [...keep, ...stillThere]);
}
