import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { codeSourceOf } from "../code/code.repository.ts";
import { pendingFor } from "../approvals/approvals.repository.ts";
import { addCount, emptyTotals, guardrailView } from "./guardrail-view.ts";
import { coverageCounts, findGuardrailWithVersions } from "./guardrails.repository.ts";

export async function getGuardrail(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const g = await findGuardrailWithVersions(deps.prisma, actor.workspaceId, id);
  if (!g) throw notFound("guardrail", id);
  const [counts, pending, code] = await Promise.all([
    coverageCounts(deps.prisma, actor.workspaceId, id),
    pendingFor(deps.prisma, actor.workspaceId, "guardrail", id),
    codeSourceOf(deps.prisma, actor.workspaceId, id),
  ]);
  const totals = emptyTotals();
  for (const c of counts) addCount(totals, c.status, c.n);
  return {
    ...guardrailView(g, totals, pending?.id ?? null),
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
    managedInCode: code ? { key: code.key, repo: code.repo, commit: code.commit, appliedAt: code.appliedAt.toISOString() } : null,
  };
}
