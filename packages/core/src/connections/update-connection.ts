import { appendAudit } from "../audit/audit.repository.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval, pendingFor } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { connectionView } from "./connection-view.ts";
import type { TUpdateConnectionInput } from "./connections.schema.ts";
import { findConnection, transaction, updateConnection as write } from "./connections.repository.ts";
import { checkAuditSource } from "./audit-source.ts";
import { checkPrincipals } from "./credentials.ts";
import { principalChangeReasons } from "./principal-change.ts";

const MAX_WIZARD_STATE = 64 * 1024;

export type UpdateConnectionOutcome =
  | { kind: "applied"; connection: ReturnType<typeof connectionView> }
  | { kind: "approval"; approval: ReturnType<typeof approvalView>; connection: ReturnType<typeof connectionView> };

/**
 * Edits a connection. Principal classes that would spare more principals from every deny, or let
 * class-limited denies reach fewer (principal-change.ts), become an approval request; the request's
 * other fields (name, polling, limits, wizard progress) apply at once.
 */
export async function updateConnection(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  input: TUpdateConnectionInput,
): Promise<UpdateConnectionOutcome> {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  if (input.principals) checkPrincipals(c.cloud, input.principals);
  if (input.auditSource) checkAuditSource(c.cloud, input.auditSource);
  if (input.wizardState && JSON.stringify(input.wizardState).length > MAX_WIZARD_STATE) {
    throw new AppError("validation", `wizardState: larger than ${MAX_WIZARD_STATE} bytes`, [
      { field: "wizardState", message: "too large" },
    ]);
  }
  const reasons = input.principals ? await principalChangeReasons(deps.prisma, c, input.principals) : [];
  const held = reasons.length > 0;
  const data = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.principals !== undefined && !held ? { principals: input.principals } : {}),
    ...(input.pollIntervalSec !== undefined ? { pollIntervalSec: input.pollIntervalSec } : {}),
    ...(input.limits !== undefined ? { limits: input.limits } : {}),
    ...(input.auditSource !== undefined ? { auditSource: input.auditSource } : {}),
    ...(input.wizardState !== undefined ? { wizardState: input.wizardState } : {}),
  };
  const { row, approval } = await transaction(deps.prisma, async (tx) => {
    let approval = null;
    if (held) {
      const open = await pendingFor(tx, actor.workspaceId, "connection", id);
      if (open)
        throw new AppError(
          "conflict",
          `connection: a principal change to "${c.name}" is already awaiting approval (${open.id}); approve or reject it first`,
        );
      approval = await createApproval(tx, {
        workspaceId: actor.workspaceId,
        action: "connection.principals",
        subjectType: "connection",
        subjectId: id,
        payload: { before: c.principals ?? {}, principals: input.principals!, reasons },
        summary: `Change principal classes of "${c.name}": ${reasons.join("; ")}`.slice(0, 1000),
        requestedById: actor.userId,
      });
      await appendAudit(tx, {
        ...auditBy(actor),
        action: "approval.requested",
        targetType: "approval",
        targetId: approval.id,
        data: { for: "connection.principals", connectionId: id, principals: input.principals, reasons },
      });
    }
    const r = Object.keys(data).length > 0 ? await write(tx, id, data) : c;
    if (Object.keys(data).length > 0) {
      // wizardState is UI progress, not configuration: recorded by key only.
      await appendAudit(tx, {
        ...auditBy(actor),
        action: "connection.updated",
        targetType: "connection",
        targetId: id,
        data: {
          changed: Object.keys(data),
          ...(data.principals ? { principals: input.principals } : {}),
          ...(input.limits ? { limits: input.limits } : {}),
          ...(input.pollIntervalSec ? { pollIntervalSec: input.pollIntervalSec } : {}),
          ...(input.auditSource ? { auditSource: input.auditSource } : {}),
        },
      });
    }
    return { row: r, approval };
  });
  // Principal classes and limits change what compiles and how it packs.
  if (data.principals || input.limits) await reconcileAfterCommit(deps.jobs, [id], "manual", "connection settings changed");
  return approval
    ? { kind: "approval", approval: approvalView(approval), connection: connectionView(row) }
    : { kind: "applied", connection: connectionView(row) };
}
