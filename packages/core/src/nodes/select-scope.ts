import type { PrismaClient, Tx } from "@parapet/db";
import { AppError } from "../common/errors.ts";
import { parseLabelExpression } from "../scope/label-expression.ts";
import { buildTree, selectEnvironments, type GuardrailScope } from "../scope/select.ts";
import { existingNodeIds, scopeNodes, type ScopeNodeRow } from "./nodes.repository.ts";

/**
 * Validates a scope against the workspace (label expression parses; every node id belongs to the
 * workspace) and returns the environments it selects across all connections.
 */
export async function selectScope(
  db: PrismaClient | Tx,
  workspaceId: string,
  scope: GuardrailScope,
  nodes?: ScopeNodeRow[],
): Promise<{ selected: Set<string>; nodes: ScopeNodeRow[] }> {
  await validateScope(db, workspaceId, scope);
  const rows = nodes ?? (await scopeNodes(db, workspaceId));
  return { selected: selectIn(rows, scope), nodes: rows };
}

export async function validateScope(db: PrismaClient | Tx, workspaceId: string, scope: GuardrailScope): Promise<void> {
  if (scope.labels !== undefined && scope.labels.trim() !== "") parseLabelExpression(scope.labels);
  for (const field of ["nodeIds", "exclude"] as const) {
    const ids = scope[field] ?? [];
    const found = await existingNodeIds(db, workspaceId, ids);
    const i = ids.findIndex((id) => !found.has(id));
    if (i >= 0) {
      const message = `no node "${ids[i]}" in this workspace`;
      throw new AppError("validation", `scope.${field}.${i}: ${message}`, [{ field: `scope.${field}.${i}`, message }]);
    }
  }
}

/** Environments selected over every connection's tree (pure, given the rows). */
export function selectIn(rows: ScopeNodeRow[], scope: GuardrailScope, carveOuts: Iterable<string> = []): Set<string> {
  const byConn = new Map<string, ScopeNodeRow[]>();
  for (const r of rows) byConn.set(r.connectionId, [...(byConn.get(r.connectionId) ?? []), r]);
  const out = new Set<string>();
  const s: GuardrailScope = { ...scope, ...(scope.labels?.trim() ? {} : { labels: undefined }) };
  const carve = [...carveOuts];
  for (const list of byConn.values()) {
    const tree = buildTree(
      list.map((n) => ({
        id: n.id,
        parentId: n.parentId,
        isEnvironment: n.isEnvironment,
        labels: (n.effectiveLabels ?? {}) as Record<string, string>,
      })),
    );
    // Node ids of another connection select nothing here (and the "all" fallback must not kick in).
    const own = (ids: string[] | undefined) => ids?.filter((id) => tree.nodes.has(id));
    const local: GuardrailScope = {
      ...s,
      ...(s.nodeIds ? { nodeIds: own(s.nodeIds) } : {}),
      ...(s.exclude ? { exclude: own(s.exclude) } : {}),
    };
    if (!s.all && s.nodeIds?.length && !local.nodeIds?.length) continue;
    for (const id of selectEnvironments(
      tree,
      local,
      carve.filter((c) => tree.nodes.has(c)),
    ))
      out.add(id);
  }
  return out;
}
