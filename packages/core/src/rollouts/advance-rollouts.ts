import { appendAudit } from "../audit/audit.repository.ts";
import type { UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { transaction } from "../guardrails/guardrails.repository.ts";
import { deniedPrincipals, haltVerdict, type HaltVerdict } from "./halt-checks.ts";
import { requestStageReplay } from "./request-stage-replay.ts";
import { soakEndsAt } from "./rollout-view.ts";
import {
  baselineReports,
  driftOpenedSince,
  failedRunsSince,
  guardrailState,
  replayPending,
  reportsSince,
  rolloutConnections,
  runningRollouts,
  transitionRollout,
  type TRolloutRow,
} from "./rollouts.repository.ts";
import type { TRolloutStage } from "./rollouts.schema.ts";

export type TAdvanceOutcome =
  | { kind: "soaking"; until: Date }
  | { kind: "waiting-replay"; requested: number }
  | { kind: "halted"; reason: string }
  | { kind: "advanced"; stage: number }
  | { kind: "completed" }
  | { kind: "raced" };

const system = (r: TRolloutRow) => ({ workspaceId: r.workspaceId, actorType: "system" as const, actorLabel: `rollout ${r.id}` });

/**
 * One rollout's step. Nothing happens before the stage's soak time passed. Then the halt checks run
 * (halt-checks.ts) over what happened since the stage began; the impact check needs, on every connection
 * that can replay, a replay of the target version that finished after the soak ended (one is asked for
 * when none is), so it judges the calls made while the stage was deployed. A failed check halts the
 * rollout with the reason; clean checks move it to the next stage (or complete it after `everywhere`).
 */
export async function advanceRollout(
  deps: Pick<UseCaseDeps, "prisma" | "jobs">,
  r: TRolloutRow,
  now = new Date(),
): Promise<TAdvanceOutcome> {
  const until = soakEndsAt(r);
  if (now < until) return { kind: "soaking", until };
  const since = r.stageStartedAt;
  // The guardrail changed under the rollout (disabled, edited, switched back to audit through an
  // approval): what the checks would judge is no longer what the rollout started, so a person decides.
  const g = await guardrailState(deps.prisma, r.guardrailId);
  const changed = !g
    ? "the guardrail was deleted"
    : g.status !== "active"
      ? `the guardrail is ${g.status}`
      : g.currentVersion !== r.targetVersion
        ? `the guardrail was edited to v${g.currentVersion} (${g.versions[0]?.mode ?? "?"}) during the rollout of v${r.targetVersion}`
        : null;
  if (changed)
    return halt(deps, r, {
      reason: `${changed}; review it, then resume (the rollout continues with the current version if it is in enforce) or roll back`,
      principals: [],
    });
  const connections = await rolloutConnections(deps.prisma, r.workspaceId);
  const connectionIds = connections.map((c) => c.id);
  const name = new Map(connections.map((c) => [c.id, c.name]));
  const [failedRuns, driftOpened] = await Promise.all([
    failedRunsSince(deps.prisma, connectionIds, since),
    driftOpenedSince(deps.prisma, r.guardrailId, since),
  ]);
  // Runs and drift halt at once, without waiting for a replay.
  let verdict = haltVerdict({
    failedRuns: failedRuns.map((f) => ({ id: f.id, connectionName: f.connection.name, status: f.status, error: f.error })),
    driftOpened,
    driftThreshold: r.driftThreshold,
    reports: [],
    baselinePrincipals: new Set(),
    accepted: new Set(),
  });
  if (!verdict) {
    const replayable = connections.filter((c) => c.credentialCiphertext !== null).map((c) => c.id);
    const reports = await reportsSince(deps.prisma, r.guardrailId, r.targetVersion, until);
    const missing = replayable.filter((id) => !reports.has(id));
    if (missing.length > 0) {
      const requested = (await replayPending(deps.prisma, r.guardrailId, r.targetVersion))
        ? 0
        : (await requestStageReplay(deps, r, { since, until: now })).length;
      return { kind: "waiting-replay", requested };
    }
    const baseline = await baselineReports(deps.prisma, r.guardrailId, r.createdAt);
    const baselinePrincipals = new Set<string>();
    for (const b of baseline.values()) for (const p of deniedPrincipals(b.summary)) baselinePrincipals.add(p);
    verdict = haltVerdict({
      failedRuns: [],
      driftOpened: 0,
      driftThreshold: r.driftThreshold,
      reports: [...reports.values()].map((x) => ({
        id: x.id,
        connectionName: name.get(x.connectionId) ?? x.connection.name,
        status: x.status,
        lockout: x.lockout,
        error: x.error,
        summary: x.summary,
      })),
      baselinePrincipals,
      accepted: new Set(r.acceptedPrincipals),
    });
  }
  if (verdict) return halt(deps, r, verdict);
  const stages = r.stages as TRolloutStage[];
  const next = r.currentStage + 1;
  const done = next >= stages.length;
  const ok = await transaction(deps.prisma, async (tx) => {
    const changed = await transitionRollout(
      tx,
      r,
      done ? { status: "completed", finishedAt: now } : { currentStage: next, stageStartedAt: now, haltReason: null },
    );
    if (!changed) return false;
    await appendAudit(tx, {
      ...system(r),
      action: done ? "rollout.completed" : "rollout.stage_advanced",
      targetType: "guardrail",
      targetId: r.guardrailId,
      data: done
        ? { rolloutId: r.id, version: r.targetVersion }
        : {
            rolloutId: r.id,
            from: r.currentStage,
            stage: next,
            kind: stages[next]!.kind,
            ...(stages[next]!.kind === "wave" ? { percent: stages[next]!.percent } : {}),
          },
    });
    return true;
  });
  if (!ok) return { kind: "raced" };
  // Completing changes nothing in the clouds: `everywhere` already deploys the whole scope in enforce.
  if (!done) {
    await reconcileAfterCommit(deps.jobs, connectionIds, "guardrail-change", `rollout ${r.id}: stage ${next + 1} of ${stages.length}`);
    await requestStageReplay(deps, r, { until: now });
    return { kind: "advanced", stage: next };
  }
  return { kind: "completed" };
}

async function halt(deps: Pick<UseCaseDeps, "prisma">, r: TRolloutRow, v: HaltVerdict): Promise<TAdvanceOutcome> {
  const ok = await transaction(deps.prisma, async (tx) => {
    const halted = await transitionRollout(tx, r, {
      status: "halted",
      haltReason: v.reason.slice(0, 2000),
      haltPrincipals: v.principals.slice(0, 200),
    });
    if (!halted) return false;
    await appendAudit(tx, {
      ...system(r),
      action: "rollout.halted",
      targetType: "guardrail",
      targetId: r.guardrailId,
      data: { rolloutId: r.id, stage: r.currentStage, reason: v.reason, principals: v.principals.slice(0, 50) },
    });
    return true;
  });
  return ok ? { kind: "halted", reason: v.reason } : { kind: "raced" };
}

/** The `rollouts.advance` job: steps every running rollout; one failing does not stop the others. */
export async function advanceRollouts(deps: Pick<UseCaseDeps, "prisma" | "jobs">, now = new Date()) {
  const out: Array<{ rolloutId: string; outcome: TAdvanceOutcome["kind"] }> = [];
  const errors: Array<{ rolloutId: string; error: string }> = [];
  for (const r of await runningRollouts(deps.prisma)) {
    try {
      out.push({ rolloutId: r.id, outcome: (await advanceRollout(deps, r, now)).kind });
    } catch (e) {
      errors.push({ rolloutId: r.id, error: (e as Error).message.slice(0, 300) });
    }
  }
  if (errors.length && out.length === 0) throw new Error(`rollouts.advance: ${errors.map((e) => `${e.rolloutId}: ${e.error}`).join("; ")}`);
  return { stepped: out, errors };
}
