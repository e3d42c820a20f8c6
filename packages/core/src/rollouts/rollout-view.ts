import type { TRolloutRow } from "./rollouts.repository.ts";
import type { TRolloutStage, TRolloutStatus } from "./rollouts.schema.ts";

const MINUTE_MS = 60_000;

/** The database spells `rolled-back` as Prisma's identifier `rolled_back`; the API and UI use the hyphen. */
export const wireStatus = (s: TRolloutRow["status"]): TRolloutStatus => (s === "rolled_back" ? "rolled-back" : s);

export function soakEndsAt(r: Pick<TRolloutRow, "stages" | "currentStage" | "stageStartedAt">): Date {
  const stage = (r.stages as TRolloutStage[])[r.currentStage];
  return new Date(r.stageStartedAt.getTime() + (stage?.soakMinutes ?? 0) * MINUTE_MS);
}

export function rolloutView(r: TRolloutRow) {
  const stages = r.stages as TRolloutStage[];
  const finishedAll = r.status === "completed";
  return {
    id: r.id,
    guardrailId: r.guardrailId,
    baseVersion: r.baseVersion,
    targetVersion: r.targetVersion,
    status: wireStatus(r.status),
    currentStage: r.currentStage,
    stageStartedAt: r.stageStartedAt.toISOString(),
    soakEndsAt: soakEndsAt(r).toISOString(),
    driftThreshold: r.driftThreshold,
    haltReason: r.haltReason,
    haltPrincipals: r.haltPrincipals,
    acceptedPrincipals: r.acceptedPrincipals,
    startedBy: r.startedByLabel,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    stages: stages.map((s, index) => ({
      index,
      kind: s.kind,
      ...(s.kind === "canary" ? { ...(s.nodeIds ? { nodeIds: s.nodeIds } : {}), ...(s.labels ? { labels: s.labels } : {}) } : {}),
      ...(s.kind === "wave" ? { percent: s.percent } : {}),
      soakMinutes: s.soakMinutes,
      state: finishedAll || index < r.currentStage ? "done" : index === r.currentStage ? "active" : "pending",
    })),
  };
}
