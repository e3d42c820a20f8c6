import type { Tx } from "@parapet/db";
import { appendAudit } from "../audit/audit.repository.ts";
import { approvalView } from "../approvals/approval-view.ts";
import { createApproval, pendingFor } from "../approvals/approvals.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { reconcileAfterCommit } from "../common/after-commit.ts";
import { AppError, notFound } from "../common/errors.ts";
import { settleHeldLabels } from "../connections/held-labels.ts";
import { effectiveLabels } from "../scope/select.ts";
import { lostPairReasons, lostPairs } from "./label-coverage.ts";
import { nodeView } from "./node-view.ts";
import type { TSetLabelsInput } from "./nodes.schema.ts";
import { connectionTree, findNode, setEffectiveLabels, setOverrides, transaction } from "./nodes.repository.ts";

type Overrides = Record<string, string | null>;
type TreeRow = Awaited<ReturnType<typeof connectionTree>>[number];

const same = (a: unknown, b: unknown) => JSON.stringify(a, Object.keys(a ?? {}).sort()) === JSON.stringify(b, Object.keys(b ?? {}).sort());

/** Effective labels of every node of the tree whose labels would change if `id` had these overrides. */
function changedLabels(tree: TreeRow[], id: string, overrides: Overrides): Map<string, Record<string, string>> {
  const labels = effectiveLabels(
    tree.map((n) => ({
      id: n.id,
      parentId: n.parentId,
      cloudLabels: (n.cloudLabels ?? {}) as Record<string, string>,
      overrides: n.id === id ? overrides : ((n.labelOverrides ?? {}) as Overrides),
    })),
  );
  const out = new Map<string, Record<string, string>>();
  for (const n of tree) {
    const next = labels.get(n.id) ?? {};
    if (!same(n.effectiveLabels, next)) out.set(n.id, next);
  }
  return out;
}

/** Writes the overrides and the effective labels they imply; the number of nodes whose labels changed. */
export async function writeLabelOverrides(
  tx: Tx,
  node: { id: string; connectionId: string },
  overrides: Overrides,
  by: string,
): Promise<number> {
  const next = changedLabels(await connectionTree(tx, node.connectionId), node.id, overrides);
  await setOverrides(tx, node.id, overrides);
  await settleHeldLabels(tx, node.id, by);
  for (const [id, labels] of next) await setEffectiveLabels(tx, id, labels);
  return next.size;
}

export type SetLabelsOutcome =
  { kind: "applied"; node: ReturnType<typeof nodeView> } | { kind: "approval"; approval: ReturnType<typeof approvalView> };

/**
 * Replaces a node's label overrides (null removes an inherited label) and recomputes effective
 * labels for its connection's tree, so label-scoped guardrails see the change on the next reconcile.
 *
 * Labels decide scope, so a relabel can take environments out of a guardrail as surely as narrowing
 * the guardrail's scope can. The change is evaluated against every active guardrail's scope; when any
 * guardrail × environment pair would be lost it becomes an approval request (the two-person rule, the
 * same as for a narrowed scope) and changes nothing until a different member approves it.
 */
export async function setNodeLabels(deps: UseCaseDeps, actor: Actor, id: string, input: TSetLabelsInput): Promise<SetLabelsOutcome> {
  const node = await findNode(deps.prisma, actor.workspaceId, id);
  if (!node) throw notFound("node", id);
  const next = changedLabels(await connectionTree(deps.prisma, node.connectionId), id, input.overrides);
  const lost = await lostPairs(deps.prisma, actor.workspaceId, next);

  if (lost.length > 0) {
    const reasons = lostPairReasons(lost);
    const approval = await transaction(deps.prisma, async (tx) => {
      const open = await pendingFor(tx, actor.workspaceId, "node", id);
      if (open)
        throw new AppError(
          "conflict",
          `node: a label change to "${node.name}" is already awaiting approval (${open.id}); approve or reject it first`,
        );
      const a = await createApproval(tx, {
        workspaceId: actor.workspaceId,
        action: "node.labels",
        subjectType: "node",
        subjectId: id,
        payload: { before: node.labelOverrides ?? {}, overrides: input.overrides, reasons, lost: lost.slice(0, 200) },
        summary: `Relabel "${node.name}": ${reasons.join("; ")}`.slice(0, 1000),
        requestedById: actor.userId,
      });
      await appendAudit(tx, {
        ...auditBy(actor),
        action: "approval.requested",
        targetType: "approval",
        targetId: a.id,
        data: { for: "node.labels", nodeId: id, overrides: input.overrides, reasons },
      });
      return a;
    });
    return { kind: "approval", approval: approvalView(approval) };
  }

  const changed = await transaction(deps.prisma, async (tx) => {
    const changed = await writeLabelOverrides(tx, node, input.overrides, actor.label);
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "node.labels_updated",
      targetType: "node",
      targetId: id,
      data: { before: node.labelOverrides, after: input.overrides, nodesChanged: changed },
    });
    return changed;
  });
  if (changed > 0) await reconcileAfterCommit(deps.jobs, [node.connectionId], "manual", `labels of ${node.name} changed`);
  return { kind: "applied", node: nodeView((await findNode(deps.prisma, actor.workspaceId, id))!) };
}
