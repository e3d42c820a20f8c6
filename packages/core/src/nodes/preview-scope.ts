import type { Actor, UseCaseDeps } from "../common/actor.ts";
import type { TScope } from "../guardrails/guardrails.schema.ts";
import { connectionNames } from "./nodes.repository.ts";
import { selectScope } from "./select-scope.ts";
import { guardrailPosturePreview } from "../posture/posture.service.ts";

/** How many environments a scope selects, per connection, with a sample (nothing is saved). */
export async function previewScope(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, scope: TScope, controlId?: string) {
  const { selected, nodes } = await selectScope(deps.prisma, actor.workspaceId, scope);
  const conns = await connectionNames(deps.prisma, actor.workspaceId);
  const per = new Map<string, number>();
  const sample: Array<{ id: string; name: string; connectionId: string }> = [];
  for (const n of nodes) {
    if (!selected.has(n.id)) continue;
    per.set(n.connectionId, (per.get(n.connectionId) ?? 0) + 1);
    if (sample.length < 20) sample.push({ id: n.id, name: n.name, connectionId: n.connectionId });
  }
  const posture = controlId ? await guardrailPosturePreview(deps.prisma, actor.workspaceId, controlId, [...selected]) : undefined;
  return {
    ...(posture ? { posture } : {}),
    environments: selected.size,
    byConnection: conns.map((c) => ({ connectionId: c.id, name: c.name, cloud: c.cloud, environments: per.get(c.id) ?? 0 })),
    sample,
  };
}
