import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { guardrailView } from "./guardrail-view.ts";
import type { TCreateGuardrailInput } from "./guardrails.schema.ts";
import { createGuardrail as insert, reconcilableConnectionIds, transaction } from "./guardrails.repository.ts";
import { checkSpec } from "./validate-spec.ts";

/** A new guardrail only adds protection, so it applies at once (version 1) and every connection reconciles. */
export async function createGuardrail(deps: UseCaseDeps, actor: Actor, input: TCreateGuardrailInput) {
  await checkSpec(deps.prisma, actor.workspaceId, input.controlId, input.params, input.scope);
  const spec = { params: input.params, scope: input.scope, mode: input.mode, remediation: input.remediation };
  const { g, connections } = await transaction(deps.prisma, async (tx) => {
    const g = await insert(tx, {
      workspaceId: actor.workspaceId,
      controlId: input.controlId,
      name: input.name,
      description: input.description ?? "",
      createdById: actor.userId,
      spec,
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "guardrail.created",
      targetType: "guardrail",
      targetId: g.id,
      data: { controlId: g.controlId, name: g.name, version: 1, ...spec },
    });
    return { g, connections: await reconcilableConnectionIds(tx, actor.workspaceId) };
  });
  await reconcileAfterCommit(deps.jobs, connections, "guardrail-change", `guardrail ${g.id} v1 created`);
  return guardrailView(g);
}
