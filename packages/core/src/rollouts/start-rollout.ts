import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, invalidField, notFound } from "../common/errors.ts";
import type { TScope, TVersionSpec } from "../guardrails/guardrails.schema.ts";
import { addVersion, reconcilableConnectionIds, transaction } from "../guardrails/guardrails.repository.ts";
import { lockoutReports } from "../impact/impact.repository.ts";
import { requestStageReplay } from "./request-stage-replay.ts";
import { rolloutView } from "./rollout-view.ts";
import { createRollout, findGuardrailForRollout, findRollout, workspaceNodeIds } from "./rollouts.repository.ts";
import { ZStartRolloutInput, type TStartRolloutInput } from "./rollouts.schema.ts";

/**
 * Starts a staged rollout of the guardrail to enforce: its next version is the current one in enforce
 * mode, and reconcile deploys that version in enforce only where the reached stages select (the rest of
 * the scope stays in audit) until the last stage, `everywhere`, completes.
 *
 * Approvals: a rollout is only ever a change that adds protection (audit → enforce on the same params,
 * scope and remediation), which weakening.ts never asks an approval for, so starting one needs none and
 * cannot carry a weakening change past the two-person rule. Anything else (scope, params) is edited
 * first, through updateGuardrail and its approval when it weakens. The approval that covers a change
 * covers the whole rollout: stages advance, hold and resume without a new one; rolling back returns to
 * the version in force before the rollout (roll-back-rollout.ts says why that needs no approval).
 */
export async function startRollout(deps: UseCaseDeps, actor: Actor, guardrailId: string, raw: TStartRolloutInput) {
  const input = ZStartRolloutInput.parse(raw);
  const g = await findGuardrailForRollout(deps.prisma, actor.workspaceId, guardrailId);
  if (!g) throw notFound("guardrail", guardrailId.slice(0, 100));
  const cur = g.versions[0];
  if (!cur) throw notFound("guardrail", guardrailId.slice(0, 100));
  if (g.status !== "active") throw new AppError("conflict", `guardrail: "${g.name}" is ${g.status}; enable it before rolling it out`);
  if (cur.mode !== "audit")
    throw new AppError("conflict", `mode: "${g.name}" is already in enforce; a rollout takes a guardrail from audit to enforce`, [
      { field: "mode", message: "already enforce" },
    ]);
  const open = await findRollout(deps.prisma, actor.workspaceId, g.id);
  if (open && (open.status === "running" || open.status === "held" || open.status === "halted"))
    throw new AppError("conflict", `rollout: "${g.name}" already has a ${open.status} rollout (${open.id}); finish or roll it back first`);
  // The replay's hard stop, as for a plain switch to enforce (update-guardrail.ts).
  const locked = await lockoutReports(deps.prisma, g.id, g.currentVersion);
  if (locked.length)
    throw new AppError(
      "conflict",
      `mode: enforcing would deny the connector or a break-glass principal on ${locked.map((r) => r.connection.name).join(", ")} (impact replay ${locked[0]!.id}); correct the principal classes or the guardrail, then replay again`,
      [{ field: "mode", message: "the last impact replay found a lockout" }],
    );
  const canary = input.stages[0]?.kind === "canary" ? input.stages[0] : undefined;
  if (canary?.nodeIds) {
    const found = await workspaceNodeIds(deps.prisma, actor.workspaceId, canary.nodeIds);
    const i = canary.nodeIds.findIndex((id) => !found.has(id));
    if (i >= 0) throw invalidField(`stages.0.nodeIds.${i}`, `no node "${canary.nodeIds[i]}" in this workspace`);
  }
  const spec: TVersionSpec = {
    params: cur.params as Record<string, unknown>,
    scope: cur.scope as TScope,
    mode: "enforce",
    remediation: cur.remediation,
  };
  const note = input.note ?? "staged rollout to enforce";
  const { rollout, connections } = await transaction(deps.prisma, async (tx) => {
    const ok = await addVersion(tx, { id: g.id, baseVersion: g.currentVersion }, spec, note, actor.userId);
    if (!ok) throw new AppError("conflict", `guardrail: "${g.name}" changed while you were starting the rollout; reload and try again`);
    let row;
    try {
      row = await createRollout(tx, {
        workspaceId: actor.workspaceId,
        guardrailId: g.id,
        baseVersion: g.currentVersion,
        targetVersion: g.currentVersion + 1,
        stages: input.stages,
        driftThreshold: input.driftThreshold,
        startedById: actor.userId,
        startedByLabel: actor.label.slice(0, 200),
      });
    } catch (e) {
      // The partial unique index: another start committed first.
      if ((e as { code?: string }).code === "P2002") throw new AppError("conflict", `rollout: "${g.name}" already has an active rollout`);
      throw e;
    }
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "rollout.started",
      targetType: "guardrail",
      targetId: g.id,
      data: { rolloutId: row.id, fromVersion: g.currentVersion, version: g.currentVersion + 1, stages: input.stages, note },
    });
    return { rollout: row, connections: await reconcilableConnectionIds(tx, actor.workspaceId) };
  });
  await reconcileAfterCommit(deps.jobs, connections, "guardrail-change", `rollout ${rollout.id}: stage 1 of ${input.stages.length}`);
  await requestStageReplay(deps, rollout);
  return { rollout: rolloutView(rollout) };
}
