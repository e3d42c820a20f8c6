import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { addCount, emptyTotals, guardrailView } from "./guardrail-view.ts";
import { guardrailDetail } from "./guardrails.repository.ts";

export async function getGuardrail(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const g = await guardrailDetail(deps.prisma, actor.workspaceId, id);
  if (!g) throw notFound("guardrail", id);
  const totals = emptyTotals();
  for (const [status, n] of Object.entries(g.counts)) addCount(totals, status, n);
  return {
    ...guardrailView(g, totals, g.pendingApprovalId),
    versions: g.versions.map((v) => ({
      version: v.version,
      params: v.params,
      scope: v.scope,
      mode: v.mode,
      remediation: v.remediation,
      note: v.note,
      createdBy: v.createdById,
      createdAt: v.createdAt.toISOString(),
    })),
    managedInCode: g.code ? { key: g.code.key, repo: g.code.repo, commit: g.code.commit, appliedAt: g.code.appliedAt.toISOString() } : null,
  };
}
