import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError } from "../common/errors.ts";
import type { TScope, TVersionSpec } from "../guardrails/guardrails.schema.ts";
import { addVersion, reconcilableConnectionIds, transaction } from "../guardrails/guardrails.repository.ts";
import { activeRollout } from "./hold-rollout.ts";
import { rolloutView, wireStatus } from "./rollout-view.ts";
import { findGuardrailForRollout, findRolloutById, transitionRollout } from "./rollouts.repository.ts";
import { ZRolloutActionInput, type TRolloutActionInput } from "./rollouts.schema.ts";

/**
 * Rolls an unfinished rollout back: the guardrail's next version is its current spec in audit mode, so
 * reconcile returns it to audit everywhere. Only the mode goes back: params, scope and remediation stay
 * as they are now, so a roll back can never undo another change (say, a protection added during the
 * rollout) that an approval did not see.
 *
 * No approval. DESIGN.md asks one for changes that weaken protection, and enforce → audit is one of them
 * (weakening.ts). But an unfinished rollout's enforce stages are the rollout's own trial, started without
 * an approval because it only added protection; rolling back never goes below the protection that was in
 * force — and approved, where that was needed — before the rollout began (the same spec in audit). It is the rollout's emergency
 * brake: a halt means enforcement is denying someone unexpectedly, and waiting for a second member then
 * keeps production broken. A completed rollout is an ordinary enforce version: returning it to audit is
 * an edit of the mode, which goes through updateGuardrail and its approval.
 */
export async function rollBackRollout(deps: UseCaseDeps, actor: Actor, guardrailId: string, raw: TRolloutActionInput = {}) {
  const input = ZRolloutActionInput.parse(raw);
  const r = await activeRollout(deps, actor, guardrailId);
  if (r.status !== "running" && r.status !== "held" && r.status !== "halted")
    throw new AppError(
      "conflict",
      `rollout: only an unfinished rollout can be rolled back; this one is ${wireStatus(r.status)} (switching a completed rollout back to audit is a mode change that needs an approval)`,
    );
  const g = await findGuardrailForRollout(deps.prisma, actor.workspaceId, r.guardrailId);
  const cur = g?.versions[0];
  if (!g || !cur) throw new AppError("internal", `rollout ${r.id}: the guardrail's current version is missing`);
  const spec: TVersionSpec = {
    params: cur.params as Record<string, unknown>,
    scope: cur.scope as TScope,
    mode: "audit",
    remediation: cur.remediation,
  };
  const { row, connections } = await transaction(deps.prisma, async (tx) => {
    const note = `rollout ${r.id} rolled back: audit everywhere`;
    // Guarded on the version read above: an edit in between makes this a conflict, not a silent revert of it.
    if (!(await addVersion(tx, { id: r.guardrailId, baseVersion: g.currentVersion }, spec, note, actor.userId))) throw raced();
    if (!(await transitionRollout(tx, r, { status: "rolled_back", finishedAt: new Date() }))) throw raced();
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "rollout.rolled_back",
      targetType: "guardrail",
      targetId: r.guardrailId,
      data: {
        rolloutId: r.id,
        stage: r.currentStage,
        from: wireStatus(r.status),
        version: g.currentVersion + 1,
        fromVersion: g.currentVersion,
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
    return {
      row: await findRolloutById(tx, r.id),
      connections: await reconcilableConnectionIds(tx, r.workspaceId),
    };
  });
  await reconcileAfterCommit(deps.jobs, connections, "guardrail-change", `rollout ${r.id} rolled back`);
  return { rollout: rolloutView(row) };
}

const raced = () => new AppError("conflict", "rollout: the guardrail or the rollout changed while rolling back; reload and try again");
