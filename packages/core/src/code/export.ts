import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { listGuardrails } from "../guardrails/guardrails.repository.ts";
import type { TCodeDocument } from "./code.schema.ts";
import { codeSources, liveExemptions } from "./code.repository.ts";
import { documentForm } from "./plan.ts";

/**
 * The workspace's guardrails as a document `plan` reports as "no changes" against the same workspace:
 * each guardrail under its code key (or, never applied from code, its id), and its live exemptions
 * (active or waiting for approval, not expired), which plan compares and apply requests by approval.
 */
export async function exportDocument(deps: Pick<UseCaseDeps, "prisma">, actor: Actor): Promise<{ document: TCodeDocument }> {
  const [rows, sources, exemptions] = await Promise.all([
    listGuardrails(deps.prisma, actor.workspaceId),
    codeSources(deps.prisma, actor.workspaceId),
    liveExemptions(deps.prisma, actor.workspaceId),
  ]);
  const keyOf = new Map(sources.map((s) => [s.guardrailId, s.key]));
  const key = (id: string) => keyOf.get(id) ?? id;
  return {
    document: {
      version: 1,
      guardrails: rows.map((r) => documentForm(r, key(r.id))),
      exemptions: exemptions.map((e) => ({
        guardrail: key(e.guardrailId),
        ...(e.nodeId ? { nodeId: e.nodeId } : {}),
        ...(e.principal && e.principalCloud ? { principal: { cloud: e.principalCloud, id: e.principal } } : {}),
        reason: e.reason,
        ownerEmail: e.ownerEmail,
        expiresAt: e.expiresAt.toISOString(),
        status: e.status,
      })),
    },
  };
}
