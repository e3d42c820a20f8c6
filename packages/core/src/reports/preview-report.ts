import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { buildReportModel } from "./build-report.ts";

/**
 * This week's report as "send now" would send it, built from the history up to the current hour.
 * Nothing is stored except today's coverage sample (idempotent), so previewing is safe to repeat.
 */
export function previewReport(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  return buildReportModel(deps.prisma, actor.workspaceId, { sampleFirst: true });
}
