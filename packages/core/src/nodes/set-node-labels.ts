import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { notFound } from "../common/errors.ts";
import { effectiveLabels } from "../scope/select.ts";
import { nodeView } from "./node-view.ts";
import type { TSetLabelsInput } from "./nodes.schema.ts";
import { connectionTree, findNode, setEffectiveLabels, setOverrides, transaction } from "./nodes.repository.ts";

const same = (a: unknown, b: unknown) => JSON.stringify(a, Object.keys((a ?? {})).sort()) === JSON.stringify(b, Object.keys((b ?? {})).sort());

/**
 * Replaces a node's label overrides (null removes an inherited label) and recomputes effective
 * labels for its connection's tree, so label-scoped guardrails see the change on the next reconcile.
 */
export async function setNodeLabels(deps: UseCaseDeps, actor: Actor, id: string, input: TSetLabelsInput) {
  const node = await findNode(deps.prisma, actor.workspaceId, id);
  if (!node) throw notFound("node", id);
  const changed = await transaction(deps.prisma, async (tx) => {
    await setOverrides(tx, id, input.overrides);
    const tree = await connectionTree(tx, node.connectionId);
    const labels = effectiveLabels(
      tree.map((n) => ({
        id: n.id,
        parentId: n.parentId,
        cloudLabels: (n.cloudLabels ?? {}) as Record<string, string>,
        overrides: n.id === id ? input.overrides : ((n.labelOverrides ?? {}) as Record<string, string | null>),
      })),
    );
    let changed = 0;
    for (const n of tree) {
      const next = labels.get(n.id) ?? {};
      if (!same(n.effectiveLabels, next)) {
        await setEffectiveLabels(tx, n.id, next);
        changed++;
      }
    }
    await appendAudit(tx, { ...auditBy(actor), action: "node.labels_updated", targetType: "node", targetId: id, data: { before: node.labelOverrides, after: input.overrides, nodesChanged: changed } });
    return changed;
  });
  if (changed > 0) await reconcileAfterCommit(deps.jobs, [node.connectionId], "manual", `labels of ${node.name} changed`);
  return nodeView((await findNode(deps.prisma, actor.workspaceId, id))!);
}
