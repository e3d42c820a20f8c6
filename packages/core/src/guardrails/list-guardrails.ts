import type { UseCaseDeps, Actor } from "../common/actor.ts";
import { addCount, emptyTotals, guardrailView, type CoverageTotals } from "./guardrail-view.ts";
import { coverageCounts, listGuardrails as rows, pendingApprovals } from "./guardrails.repository.ts";

export async function listGuardrails(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, status?: "active" | "disabled" | "deleted") {
  const [gs, counts, pending] = await Promise.all([
    rows(deps.prisma, actor.workspaceId, status),
    coverageCounts(deps.prisma, actor.workspaceId),
    pendingApprovals(deps.prisma, actor.workspaceId, "guardrail"),
  ]);
  const totals = new Map<string, CoverageTotals>();
  for (const c of counts) {
    const t = totals.get(c.guardrailId) ?? emptyTotals();
    addCount(t, c.status, c.n);
    totals.set(c.guardrailId, t);
  }
  const pendingBy = new Map(pending.map((p) => [p.subjectId, p.id]));
  return { items: gs.map((g) => guardrailView(g, totals.get(g.id), pendingBy.get(g.id) ?? null)) };
}
