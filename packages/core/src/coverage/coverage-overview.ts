import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { addCount, emptyTotals, type CoverageTotals } from "../guardrails/guardrail-view.ts";
import { activeGuardrails, connectionClouds, countsByConnection, countsByGuardrail } from "./coverage.repository.ts";

/** Enforced ÷ in-scope pairs, exempt pairs excluded; 0 when nothing is in scope. */
export function score(t: CoverageTotals): number {
  const denominator = t.total - t.exempt;
  return denominator > 0 ? t.enforced / denominator : 0;
}

export async function coverageOverview(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const [byConn, byGr, conns, guardrails] = await Promise.all([
    countsByConnection(deps.prisma, actor.workspaceId),
    countsByGuardrail(deps.prisma, actor.workspaceId),
    connectionClouds(deps.prisma, actor.workspaceId),
    activeGuardrails(deps.prisma, actor.workspaceId),
  ]);
  const cloudOf = new Map(conns.map((c) => [c.id, c.cloud]));
  const totals = emptyTotals();
  const clouds = new Map<string, CoverageTotals>();
  for (const r of byConn) {
    addCount(totals, r.status, r._count._all);
    const cloud = cloudOf.get(r.connectionId) ?? "unknown";
    const t = clouds.get(cloud) ?? emptyTotals();
    addCount(t, r.status, r._count._all);
    clouds.set(cloud, t);
  }
  const grs = new Map<string, CoverageTotals>();
  for (const r of byGr) {
    const t = grs.get(r.guardrailId) ?? emptyTotals();
    addCount(t, r.status, r._count._all);
    grs.set(r.guardrailId, t);
  }
  return {
    score: score(totals),
    totals,
    byCloud: [...clouds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cloud, t]) => ({ cloud, score: score(t), totals: t })),
    byGuardrail: guardrails.map((g) => {
      const t = grs.get(g.id) ?? emptyTotals();
      return { guardrailId: g.id, name: g.name, score: score(t), totals: t };
    }),
  };
}
