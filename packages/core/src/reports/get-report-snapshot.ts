import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { asReportModel } from "./model.ts";
import { ZReportRef, type TReportRef } from "./reports.schema.ts";
import { findSnapshot } from "./report-store.repository.ts";

/** A stored report of the actor's workspace; another workspace's id is a 404 like an unknown one. */
export async function getReportSnapshot(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, input: TReportRef) {
  if (!ZReportRef.safeParse(input).success) throw new AppError("not_found", "report not found");
  const row = await findSnapshot(deps.prisma, actor.workspaceId, input.id);
  if (!row) throw new AppError("not_found", `report "${input.id}" was not found`);
  return { ...row, model: asReportModel(row.model) };
}
