import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { findGuardrailForImpact, latestReports, type TImpactReportRow } from "./impact.repository.ts";

function impactReportView(r: TImpactReportRow) {
  return {
    id: r.id,
    connection: r.connection,
    version: r.guardrailVersion,
    windowStart: r.windowStart.toISOString(),
    windowEnd: r.windowEnd.toISOString(),
    status: r.status,
    lockout: r.lockout,
    error: r.error,
    summary: r.summary as unknown,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/** The newest replay of the guardrail per connection. */
export async function getImpact(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, guardrailId: string) {
  const g = await findGuardrailForImpact(deps.prisma, actor.workspaceId, guardrailId);
  if (!g) throw notFound("guardrail", guardrailId.slice(0, 100));
  const rows = await latestReports(deps.prisma, actor.workspaceId, g.id);
  return { guardrailId: g.id, currentVersion: g.currentVersion, reports: rows.map(impactReportView) };
}
