import type { DbClient } from "../common/actor.ts";
import { wireStatus } from "./rollout-view.ts";
import { rolloutEventsBetween, rolloutsByIds } from "./rollouts.repository.ts";
import type { TRolloutStage, TRolloutStatus } from "./rollouts.schema.ts";

/** One rollout that changed state during the report's week: where it stands and what happened. */
export interface TWeeklyRollout {
  rolloutId: string;
  guardrailId: string;
  guardrail: string;
  status: TRolloutStatus;
  /** 1-based, with the stage's kind, e.g. "2 of 4 (wave 10%)". */
  stage: string;
  haltReason: string | null;
  /** The week's starts, stage changes, halts, holds, resumes and roll backs, oldest first. */
  events: Array<{ action: string; at: string; by: string; detail?: string }>;
}

const stageText = (stages: TRolloutStage[], i: number) => {
  const s = stages[i];
  const kind = !s ? "?" : s.kind === "wave" ? `wave ${s.percent}%` : s.kind;
  return `${i + 1} of ${stages.length} (${kind})`;
};

/** Rollouts with a start, stage change, halt, hold, resume or roll back in [from, to), from the audit log. */
export async function weeklyRollouts(db: DbClient, workspaceId: string, period: { start: Date; end: Date }): Promise<TWeeklyRollout[]> {
  const events = await rolloutEventsBetween(db, workspaceId, period.start, period.end);
  const byRollout = new Map<string, typeof events>();
  for (const e of events) {
    const id = (e.data as { rolloutId?: unknown }).rolloutId;
    if (typeof id !== "string") continue;
    byRollout.set(id, [...(byRollout.get(id) ?? []), e]);
  }
  if (byRollout.size === 0) return [];
  const rows = await rolloutsByIds(db, workspaceId, [...byRollout.keys()]);
  return rows
    .map((r) => ({
      rolloutId: r.id,
      guardrailId: r.guardrailId,
      guardrail: r.guardrail.name,
      status: wireStatus(r.status),
      stage: stageText(r.stages as TRolloutStage[], r.currentStage),
      haltReason: r.haltReason,
      events: (byRollout.get(r.id) ?? []).map((e) => {
        const d = e.data as { reason?: unknown; stage?: unknown };
        const detail = typeof d.reason === "string" ? d.reason : typeof d.stage === "number" ? `stage ${d.stage + 1}` : undefined;
        return { action: e.action, at: e.createdAt.toISOString(), by: e.actorLabel, ...(detail ? { detail: detail.slice(0, 300) } : {}) };
      }),
    }))
    .sort((a, b) => (a.events[0]!.at < b.events[0]!.at ? -1 : 1));
}
