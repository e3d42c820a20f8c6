import { appendAudit } from "../audit/audit.repository.ts";
import { emitNotifications } from "../notifications/emit.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { invalidField } from "../common/errors.ts";
import { exemptPrincipalProblem } from "./exempt-principal.ts";
import { exemptionView } from "./exemption-view.ts";
import type { TCreateExemptionInput } from "./exemptions.schema.ts";
import { createExemption, exemptionMaxDays, findGuardrailRef, findNodeRef, transaction } from "./exemptions.repository.ts";

const DAY_MS = 86_400_000;

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
  // The workspace's longest exemption holds for every way one is asked for (console, denial, policy as code):
  // enforced here, where they all pass.
  const maxDays = await exemptionMaxDays(deps.prisma, actor.workspaceId);
  if (expiresAt.getTime() > now + maxDays * DAY_MS)
    throw invalidField("expiresAt", `must be at most ${maxDays} days from now (the workspace's longest exemption)`);
  const principal = input.principal;
  if (principal) {
    const problem = exemptPrincipalProblem(principal.cloud, principal.id);
    if (problem) throw invalidField(problem.field, problem.message);
  }
  const [g, n] = await Promise.all([
    findGuardrailRef(deps.prisma, actor.workspaceId, input.guardrailId),
    input.nodeId === undefined ? null : findNodeRef(deps.prisma, actor.workspaceId, input.nodeId),
  ]);
  if (!g) throw invalidField("guardrailId", `no guardrail "${input.guardrailId}" in this workspace`);
  if (input.nodeId !== undefined && !n) throw invalidField("nodeId", `no node "${input.nodeId}" in this workspace`);
  // Azure was refused above; the schema's refinement guarantees one of the two.
  const who = n ? n.name : `${principal!.id} (${principal!.cloud.toUpperCase()})`;
  const until = expiresAt.toISOString().slice(0, 10);
  const sentence = n
    ? `exempts ${n.name} from "${g.name}" until ${until}`
    : `exempts the principal ${who} from "${g.name}" in every environment until ${until}`;
  const { e, a } = await transaction(deps.prisma, async (tx) => {
    const e = await createExemption(tx, {
      workspaceId: actor.workspaceId,
      guardrailId: g.id,
      nodeId: n?.id ?? null,
      principalCloud: n ? null : (principal!.cloud as "aws" | "gcp" | "oci"),
      principal: n ? null : principal!.id,
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
        ...(n ? { nodeId: n.id } : { principal: { cloud: principal!.cloud, id: principal!.id } }),
        expiresAt: expiresAt.toISOString(),
        reason: input.reason,
        reasons: [sentence],
        ...(opts.replyChannelId ? { replyChannelId: opts.replyChannelId } : {}),
        ...(opts.fromDenial ? { fromDenial: opts.fromDenial } : {}),
      },
      summary: `Exempt ${who} from "${g.name}" until ${until}`,
      requestedById: actor.userId,
    });
    await emitNotifications(tx, [
      {
        workspaceId: actor.workspaceId,
        type: "exemption.requested",
        severity: "warning",
        title: `Exemption requested by ${actor.label}: ${who} from "${g.name}" until ${until}`,
        guardrailId: g.id,
        detail: {
          ...(n ? { environment: n.name } : { principal: who }),
          guardrail: g.name,
          reason: input.reason.slice(0, 300),
          expires: until,
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
        data: {
          guardrailId: g.id,
          ...(n ? { nodeId: n.id } : { principal: { cloud: principal!.cloud, id: principal!.id } }),
          expiresAt: expiresAt.toISOString(),
          ownerEmail: input.ownerEmail,
          reason: input.reason,
        },
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
