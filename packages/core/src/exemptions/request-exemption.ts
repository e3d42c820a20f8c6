import { appendAudit } from "../audit/audit.repository.ts";
import { emitNotifications } from "../notifications/emit.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { invalidField } from "../common/errors.ts";
import { exemptionView } from "./exemption-view.ts";
import type { TCreateExemptionInput } from "./exemptions.schema.ts";
import { createExemption, findGuardrailRef, findNodeRef, transaction } from "./exemptions.repository.ts";

const YEAR_MS = 366 * 24 * 3600 * 1000;

/** An exemption weakens protection: it is created pending and only takes effect once a different member approves it. */
export async function requestExemption(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  input: TCreateExemptionInput,
  /** Asked for from an alert: the decision is told on this channel too (notifications). */
  opts: { replyChannelId?: string | null; fromDenial?: string } = {},
) {
  const expiresAt = new Date(input.expiresAt);
  const now = Date.now();
  if (expiresAt.getTime() <= now) throw invalidField("expiresAt", "must be in the future");
  if (expiresAt.getTime() > now + YEAR_MS) throw invalidField("expiresAt", "must be at most one year from now");
  const [g, n] = await Promise.all([
    findGuardrailRef(deps.prisma, actor.workspaceId, input.guardrailId),
    findNodeRef(deps.prisma, actor.workspaceId, input.nodeId),
  ]);
  if (!g) throw invalidField("guardrailId", `no guardrail "${input.guardrailId}" in this workspace`);
  if (!n) throw invalidField("nodeId", `no node "${input.nodeId}" in this workspace`);
  const { e, a } = await transaction(deps.prisma, async (tx) => {
    const e = await createExemption(tx, {
      workspaceId: actor.workspaceId,
      guardrailId: g.id,
      nodeId: n.id,
      reason: input.reason,
      ownerEmail: input.ownerEmail,
      expiresAt,
      createdById: actor.userId,
    });
    const a = await createApproval(tx, {
      workspaceId: actor.workspaceId,
      action: "exemption.create",
      subjectType: "exemption",
      subjectId: e.id,
      payload: {
        guardrailId: g.id,
        nodeId: n.id,
        expiresAt: expiresAt.toISOString(),
        reason: input.reason,
        reasons: [`exempts ${n.name} from "${g.name}" until ${expiresAt.toISOString().slice(0, 10)}`],
        ...(opts.replyChannelId ? { replyChannelId: opts.replyChannelId } : {}),
        ...(opts.fromDenial ? { fromDenial: opts.fromDenial } : {}),
      },
      summary: `Exempt ${n.name} from "${g.name}" until ${expiresAt.toISOString().slice(0, 10)}`,
      requestedById: actor.userId,
    });
    await emitNotifications(tx, [
      {
        workspaceId: actor.workspaceId,
        type: "exemption.requested",
        severity: "warning",
        title: `Exemption requested by ${actor.label}: ${n.name} from "${g.name}" until ${expiresAt.toISOString().slice(0, 10)}`,
        guardrailId: g.id,
        detail: {
          environment: n.name,
          guardrail: g.name,
          reason: input.reason.slice(0, 300),
          expires: expiresAt.toISOString().slice(0, 10),
        },
        dedupKey: `exemption:${e.id}`,
        replyChannelId: opts.replyChannelId ?? null,
      },
    ]);
    await appendAudit(tx, [
      {
        ...auditBy(actor),
        action: "exemption.requested",
        targetType: "exemption",
        targetId: e.id,
        data: { guardrailId: g.id, nodeId: n.id, expiresAt: expiresAt.toISOString(), ownerEmail: input.ownerEmail, reason: input.reason },
      },
      {
        ...auditBy(actor),
        action: "approval.requested",
        targetType: "approval",
        targetId: a.id,
        data: { for: "exemption.create", exemptionId: e.id },
      },
    ]);
    return { e, a };
  });
  return { exemption: exemptionView(e), approval: approvalView(a) };
}
