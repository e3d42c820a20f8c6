import type { PrismaClient } from "@parapet/db";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { singleFlight } from "../common/single-flight.ts";
import { addCount, emptyTotals, type CoverageTotals } from "../guardrails/guardrail-view.ts";
import { activeGuardrails, connectionClouds, countsByConnectionAndGuardrail } from "./coverage.repository.ts";

/** Enforced ÷ in-scope pairs, exempt pairs excluded; 0 when nothing is in scope. */
function score(t: CoverageTotals): number {
  const denominator = t.total - t.exempt;
  return denominator > 0 ? t.enforced / denominator : 0;
}

/** The overview is the same for everyone in a workspace, so simultaneous viewers share one computation. */
export function coverageOverview(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  return sharedOverview(deps.prisma, actor.workspaceId);
}

const sharedOverview = singleFlight((_prisma: PrismaClient, workspaceId: string) => workspaceId, computeOverview);

async function computeOverview(prisma: PrismaClient, workspaceId: string) {
  const [conns, guardrails] = await Promise.all([connectionClouds(prisma, workspaceId), activeGuardrails(prisma, workspaceId)]);
  const counts = await countsByConnectionAndGuardrail(
    prisma,
    workspaceId,
    guardrails.map((g) => g.id),
  );
  const cloudOf = new Map(conns.map((c) => [c.id, c.cloud]));
  const totals = emptyTotals();
  const clouds = new Map<string, CoverageTotals>();
  const grs = new Map<string, CoverageTotals>();
  for (const r of counts) {
    const n = r.n;
    addCount(totals, r.status, n);
    const cloud = cloudOf.get(r.connectionId) ?? "unknown";
    const c = clouds.get(cloud) ?? emptyTotals();
    addCount(c, r.status, n);
    clouds.set(cloud, c);
    const g = grs.get(r.guardrailId) ?? emptyTotals();
    addCount(g, r.status, n);
    grs.set(r.guardrailId, g);
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
