import { appendAudit } from "../audit/audit.repository.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval, pendingFor } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { selectIn, validateScope } from "../nodes/select-scope.ts";
import { scopeNodes } from "../nodes/nodes.repository.ts";
import { guardrailView } from "./guardrail-view.ts";
import type { TScope, TUpdateGuardrailInput, TVersionSpec } from "./guardrails.schema.ts";
import { addVersion, findGuardrail, reconcilableConnectionIds, renameGuardrail, transaction } from "./guardrails.repository.ts";
import { checkParams } from "./validate-spec.ts";
import { weakeningReasons } from "./weakening.ts";
import { lockoutReports } from "../impact/impact.repository.ts";

/**
 * The hard stop of a replay (issue 16): when the newest replay of the current version on some
 * connection saw the connector or a break-glass principal denied, enforcing would lock out Parapet's
 * own repair path or emergency access there. Fix the principal classes or the guardrail and replay again.
 */
async function refuseLockout(deps: Pick<UseCaseDeps, "prisma">, guardrailId: string, version: number) {
  const found = await lockoutReports(deps.prisma, guardrailId, version);
  if (found.length === 0) return;
  throw new AppError(
    "conflict",
    `mode: enforcing would deny the connector or a break-glass principal on ${found.map((r) => r.connection.name).join(", ")} (impact replay ${found[0]!.id}); correct the connection's principal classes or the guardrail, then replay again`,
    [{ field: "mode", message: "the last impact replay found a lockout" }],
  );
}

export type UpdateOutcome =
  { kind: "applied"; guardrail: ReturnType<typeof guardrailView> } | { kind: "approval"; approval: ReturnType<typeof approvalView> };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Edits a guardrail. A change that only adds protection becomes the next version at once; one that
 * weakens protection (see weakening.ts) becomes an approval request and changes nothing until a
 * different member approves it.
 */
export async function updateGuardrail(deps: UseCaseDeps, actor: Actor, id: string, input: TUpdateGuardrailInput): Promise<UpdateOutcome> {
  const g = await findGuardrail(deps.prisma, actor.workspaceId, id);
  if (!g || g.status === "deleted") throw notFound("guardrail", id);
  const cur = g.versions[0]!;
  const before: TVersionSpec = {
    params: cur.params as Record<string, unknown>,
    scope: cur.scope as TScope,
    mode: cur.mode,
    remediation: cur.remediation,
  };
  const after: TVersionSpec = {
    params: input.params ?? before.params,
    scope: input.scope ?? before.scope,
    mode: input.mode ?? before.mode,
    remediation: input.remediation ?? before.remediation,
  };
  if (input.params) checkParams(g.controlId, input.params);
  if (before.mode === "audit" && after.mode === "enforce") await refuseLockout(deps, g.id, g.currentVersion);
  if (input.scope) await validateScope(deps.prisma, actor.workspaceId, input.scope);
  const specChanged = !same(before, after);

  let reasons: string[] = [];
  if (specChanged) {
    const nodes = await scopeNodes(deps.prisma, actor.workspaceId);
    const scopeChanged = !same(before.scope, after.scope);
    const selectedBefore = scopeChanged ? selectIn(nodes, before.scope) : new Set<string>();
    const selectedAfter = scopeChanged ? selectIn(nodes, after.scope) : new Set<string>();
    reasons = weakeningReasons({ before, after, selectedBefore, selectedAfter });
  }
  const note = input.note ?? "";

  if (reasons.length > 0) {
    const approval = await transaction(deps.prisma, async (tx) => {
      const open = await pendingFor(tx, actor.workspaceId, "guardrail", id);
      if (open)
        throw new AppError(
          "conflict",
          `guardrail: a change to "${g.name}" is already awaiting approval (${open.id}); approve or reject it first`,
        );
      const a = await createApproval(tx, {
        workspaceId: actor.workspaceId,
        action: "guardrail.update",
        subjectType: "guardrail",
        subjectId: id,
        payload: { baseVersion: g.currentVersion, spec: after, name: input.name, description: input.description, note, reasons },
        summary: `Weaken "${g.name}": ${reasons.join("; ")}`.slice(0, 1000),
        requestedById: actor.userId,
      });
      await appendAudit(tx, {
        ...auditBy(actor),
        action: "approval.requested",
        targetType: "approval",
        targetId: a.id,
        data: { for: "guardrail.update", guardrailId: id, reasons },
      });
      return a;
    });
    return { kind: "approval", approval: approvalView(approval) };
  }

  const { row, connections } = await transaction(deps.prisma, async (tx) => {
    if (specChanged) {
      const ok = await addVersion(
        tx,
        { id, baseVersion: g.currentVersion, name: input.name, description: input.description },
        after,
        note,
        actor.userId,
      );
      if (!ok) throw new AppError("conflict", `guardrail: "${g.name}" changed while you were editing it; reload and try again`);
    } else if (input.name !== undefined || input.description !== undefined) {
      await renameGuardrail(tx, id, input);
    }
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "guardrail.updated",
      targetType: "guardrail",
      targetId: id,
      data: { version: specChanged ? g.currentVersion + 1 : g.currentVersion, changed: Object.keys(input), note },
    });
    return {
      row: (await findGuardrail(tx, actor.workspaceId, id))!,
      connections: specChanged && g.status === "active" ? await reconcilableConnectionIds(tx, actor.workspaceId) : [],
    };
  });
  await reconcileAfterCommit(deps.jobs, connections, "guardrail-change", `guardrail ${id} v${row.currentVersion}`);
  return { kind: "applied", guardrail: guardrailView(row) };
}
