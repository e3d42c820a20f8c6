import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { connectionView } from "./connection-view.ts";
import type { TUpdateConnectionInput } from "./connections.schema.ts";
import { findConnection, transaction, updateConnection as write } from "./connections.repository.ts";
import { checkPrincipals } from "./credentials.ts";

const MAX_WIZARD_STATE = 64 * 1024;

export async function updateConnection(deps: UseCaseDeps, actor: Actor, id: string, input: TUpdateConnectionInput) {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  if (input.principals) checkPrincipals(c.cloud, input.principals);
  if (input.wizardState && JSON.stringify(input.wizardState).length > MAX_WIZARD_STATE) {
    throw new AppError("validation", `wizardState: larger than ${MAX_WIZARD_STATE} bytes`, [{ field: "wizardState", message: "too large" }]);
  }
  const data = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.principals !== undefined ? { principals: input.principals } : {}),
    ...(input.pollIntervalSec !== undefined ? { pollIntervalSec: input.pollIntervalSec } : {}),
    ...(input.limits !== undefined ? { limits: input.limits } : {}),
    ...(input.wizardState !== undefined ? { wizardState: input.wizardState } : {}),
  };
  const row = await transaction(deps.prisma, async (tx) => {
    const r = await write(tx, id, data);
    // wizardState is UI progress, not configuration: recorded by key only.
    await appendAudit(tx, { ...auditBy(actor), action: "connection.updated", targetType: "connection", targetId: id, data: { changed: Object.keys(data), ...(input.principals ? { principals: input.principals } : {}), ...(input.limits ? { limits: input.limits } : {}), ...(input.pollIntervalSec ? { pollIntervalSec: input.pollIntervalSec } : {}) } });
    return r;
  });
  // Principal classes and limits change what compiles and how it packs.
  if (input.principals || input.limits) await reconcileAfterCommit(deps.jobs, [id], "manual", "connection settings changed");
  return connectionView(row);
}
