import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import { transaction } from "../guardrails/guardrails.repository.ts";
import { requestStageReplay } from "./request-stage-replay.ts";
import { rolloutView, wireStatus } from "./rollout-view.ts";
import {
  findGuardrailForRollout,
  findRollout,
  findRolloutById,
  guardrailState,
  transitionRollout,
  type TRolloutRow,
} from "./rollouts.repository.ts";
import { ZRolloutActionInput, type TRolloutActionInput } from "./rollouts.schema.ts";

async function activeRollout(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, guardrailId: string): Promise<TRolloutRow> {
  const g = await findGuardrailForRollout(deps.prisma, actor.workspaceId, guardrailId);
  if (!g) throw notFound("guardrail", guardrailId.slice(0, 100));
  const r = await findRollout(deps.prisma, actor.workspaceId, g.id);
  if (!r) throw notFound("rollout of guardrail", guardrailId.slice(0, 100));
  return r;
}

const raced = () =>
  new AppError("conflict", "rollout: it changed while you were acting on it (a stage advanced or it halted); reload and try again");

/** Stops a running rollout where it stands: the reached stages stay deployed, nothing advances until resumed. */
export async function holdRollout(deps: UseCaseDeps, actor: Actor, guardrailId: string, raw: TRolloutActionInput = {}) {
  const input = ZRolloutActionInput.parse(raw);
  const r = await activeRollout(deps, actor, guardrailId);
  if (r.status !== "running")
    throw new AppError("conflict", `rollout: only a running rollout can be held; this one is ${wireStatus(r.status)}`);
  const row = await transaction(deps.prisma, async (tx) => {
    if (!(await transitionRollout(tx, r, { status: "held" }))) throw raced();
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "rollout.held",
      targetType: "guardrail",
      targetId: r.guardrailId,
      data: { rolloutId: r.id, stage: r.currentStage, ...(input.reason ? { reason: input.reason } : {}) },
    });
    return findRolloutById(tx, r.id);
  });
  return { rollout: rolloutView(row) };
}

/**
 * Resumes a held or halted rollout. The current stage starts over (its soak and its checks count from
 * now), and a new replay is asked for. Resuming after an impact halt accepts the principals that halt
 * named: a person looked at them and decided enforcing may deny them; a later check halts only on others.
 */
export async function resumeRollout(deps: UseCaseDeps, actor: Actor, guardrailId: string, raw: TRolloutActionInput = {}) {
  const input = ZRolloutActionInput.parse(raw);
  const r = await activeRollout(deps, actor, guardrailId);
  if (r.status !== "held" && r.status !== "halted")
    throw new AppError("conflict", `rollout: only a held or halted rollout can be resumed; this one is ${wireStatus(r.status)}`);
  const accepted = [...new Set([...r.acceptedPrincipals, ...r.haltPrincipals])].sort();
  // Edited during the rollout: it continues with the current version, as long as that one is in enforce
  // (a rollout only ever takes a guardrail to enforce); otherwise it can only be rolled back.
  const g = await guardrailState(deps.prisma, r.guardrailId);
  if (!g || g.status !== "active" || g.versions[0]?.mode !== "enforce")
    throw new AppError(
      "conflict",
      `rollout: the guardrail is ${!g ? "gone" : g.status !== "active" ? g.status : "in audit now"}; roll this rollout back and start a new one`,
    );
  const row = await transaction(deps.prisma, async (tx) => {
    const ok = await transitionRollout(tx, r, {
      status: "running",
      stageStartedAt: new Date(),
      haltReason: null,
      haltPrincipals: [],
      acceptedPrincipals: accepted,
      targetVersion: g.currentVersion,
    });
    if (!ok) throw raced();
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "rollout.resumed",
      targetType: "guardrail",
      targetId: r.guardrailId,
      data: {
        rolloutId: r.id,
        stage: r.currentStage,
        from: wireStatus(r.status),
        ...(g.currentVersion !== r.targetVersion ? { targetVersion: g.currentVersion } : {}),
        ...(r.haltReason ? { haltReason: r.haltReason } : {}),
        ...(r.haltPrincipals.length ? { acceptedPrincipals: r.haltPrincipals } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
    return findRolloutById(tx, r.id);
  });
  await requestStageReplay(deps, row);
  return { rollout: rolloutView(row) };
}

export { activeRollout };
