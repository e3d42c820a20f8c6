/**
 * Scope selection and attachment points. A guardrail's scope picks environments (leaves); Parapet then
 * attaches as high in the tree as the selection allows: a node whose every environment is selected
 * gets one attachment instead of one per leaf. Exemptions and exclusions carve subtrees out, which
 * pushes attachments down around them (the native exclusion on clouds without notScopes).
 */
import { matchLabels, parseLabelExpression, type LabelExpr } from "./label-expression.ts";

export interface TreeNode {
  id: string;
  parentId: string | null;
  isEnvironment: boolean;
  /** Effective (inherited) labels. */
  labels: Readonly<Record<string, string>>;
}

export interface GuardrailScope {
  /** Every environment of the connection (the default when nothing else is given). */
  all?: boolean;
  /** Subtrees rooted at these nodes. */
  nodeIds?: string[];
  /** Label expression over effective labels; filters the base selection. */
  labels?: string;
  /** Subtrees removed from the selection. */
  exclude?: string[];
}

export interface Tree {
  nodes: Map<string, TreeNode>;
  children: Map<string | null, string[]>;
  roots: string[];
}

export function buildTree(nodes: Iterable<TreeNode>): Tree {
  const map = new Map<string, TreeNode>();
  for (const n of nodes) map.set(n.id, n);
  const children = new Map<string | null, string[]>();
  const roots: string[] = [];
  for (const n of map.values()) {
    // A parent that is not in the set (e.g. removed) makes the node a root of what we know.
    const parent = n.parentId && map.has(n.parentId) ? n.parentId : null;
    if (parent === null) roots.push(n.id);
    const list = children.get(parent);
    if (list) list.push(n.id);
    else children.set(parent, [n.id]);
  }
  for (const list of children.values()) list.sort();
  roots.sort();
  return { nodes: map, children, roots };
}

/** Visits a subtree depth-first without recursion (hierarchies can be deep and wide). */
function* subtree(tree: Tree, rootId: string): Generator<TreeNode> {
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    const n = tree.nodes.get(id);
    if (!n) continue;
    yield n;
    const kids = tree.children.get(id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

function environmentsUnder(tree: Tree, rootId: string): string[] {
  const out: string[] = [];
  for (const n of subtree(tree, rootId)) if (n.isEnvironment) out.push(n.id);
  return out;
}

/** The selected environment ids. `carveOuts` (exemptions) are removed like exclusions. */
export function selectEnvironments(tree: Tree, scope: GuardrailScope, carveOuts: Iterable<string> = []): Set<string> {
  const selected = new Set<string>();
  const useAll = scope.all === true || !scope.nodeIds?.length;
  if (useAll) {
    for (const n of tree.nodes.values()) if (n.isEnvironment) selected.add(n.id);
  } else {
    for (const id of scope.nodeIds ?? []) for (const e of environmentsUnder(tree, id)) selected.add(e);
  }
  if (scope.labels) {
    const expr: LabelExpr = parseLabelExpression(scope.labels);
    for (const id of [...selected]) if (!matchLabels(expr, tree.nodes.get(id)!.labels)) selected.delete(id);
  }
  for (const id of [...(scope.exclude ?? []), ...carveOuts]) for (const e of environmentsUnder(tree, id)) selected.delete(e);
  return selected;
}

/**
 * The fewest nodes whose subtrees cover exactly the selected environments: a node is "full" when it
 * has at least one environment below it and all of them are selected; attachment points are full
 * nodes whose parent is not full.
 */
export function attachmentPoints(tree: Tree, selected: ReadonlySet<string>): string[] {
  const total = new Map<string, number>();
  const chosen = new Map<string, number>();
  // Post-order accumulation without recursion.
  const order: string[] = [];
  const stack = [...tree.roots];
  while (stack.length) {
    const id = stack.pop()!;
    order.push(id);
    for (const k of tree.children.get(id) ?? []) stack.push(k);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    const n = tree.nodes.get(id)!;
    let t = n.isEnvironment ? 1 : 0;
    let c = n.isEnvironment && selected.has(id) ? 1 : 0;
    for (const k of tree.children.get(id) ?? []) {
      t += total.get(k)!;
      c += chosen.get(k)!;
    }
    total.set(id, t);
    chosen.set(id, c);
  }
  const full = (id: string) => (total.get(id) ?? 0) > 0 && total.get(id) === chosen.get(id);
  const points: string[] = [];
  for (const id of order) {
    if (!full(id)) continue;
    const parent = tree.nodes.get(id)!.parentId;
    if (parent && tree.nodes.has(parent) && full(parent)) continue;
    points.push(id);
  }
  return points.sort();
}

/**
 * Effective labels: a node inherits its parent's labels, then applies its cloud labels, then the
 * user's overrides (an override of null removes an inherited label).
 */
export function effectiveLabels(
  nodes: ReadonlyArray<{
    id: string;
    parentId: string | null;
    cloudLabels: Record<string, string>;
    overrides: Record<string, string | null>;
  }>,
): Map<string, Record<string, string>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, Record<string, string>>();
  const resolve = (id: string): Record<string, string> => {
    const cached = out.get(id);
    if (cached) return cached;
    // Walk up to the first resolved ancestor, then resolve downwards (no recursion on deep trees).
    const chain: string[] = [];
    let cur: string | null = id;
    while (cur && byId.has(cur) && !out.has(cur)) {
      chain.push(cur);
      cur = byId.get(cur)!.parentId;
    }
    let inherited: Record<string, string> = cur && out.has(cur) ? out.get(cur)! : {};
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = byId.get(chain[i]!)!;
      const labels: Record<string, string> = { ...inherited, ...n.cloudLabels };
      for (const [k, v] of Object.entries(n.overrides)) {
        if (v === null) delete labels[k];
        else labels[k] = v;
      }
      out.set(n.id, labels);
      inherited = labels;
    }
    return out.get(id)!;
  };
  for (const n of nodes) resolve(n.id);
  return out;
}
