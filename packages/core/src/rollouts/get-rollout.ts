import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { rolloutView } from "./rollout-view.ts";
import { findGuardrailForRollout, findRollout } from "./rollouts.repository.ts";

/** The guardrail's active rollout, else its newest, else null; another workspace's guardrail is 404. */
export async function getRollout(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, guardrailId: string) {
  const g = await findGuardrailForRollout(deps.prisma, actor.workspaceId, guardrailId);
  if (!g) throw notFound("guardrail", guardrailId.slice(0, 100));
  const r = await findRollout(deps.prisma, actor.workspaceId, g.id);
  return { rollout: r ? rolloutView(r) : null };
}
