import type { PrismaClient, Tx } from "@parapet/db";
import type { GuardrailScope } from "../scope/select.ts";
import { scopeNodes } from "./nodes.repository.ts";
import { activeGuardrailScopes } from "../guardrails/guardrails.repository.ts";
import { selectIn } from "./select-scope.ts";

type Db = PrismaClient | Tx;

/** A guardrail × environment pair a label change would drop from the guardrail's scope. */
export interface LostPair {
  guardrailId: string;
  guardrail: string;
  nodeId: string;
  node: string;
}

/** Every active guardrail's current scope (what reconcile compiles). */
async function activeScopes(db: Db, workspaceId: string): Promise<Array<{ id: string; name: string; scope: GuardrailScope }>> {
  const rows = await activeGuardrailScopes(db, workspaceId);
  return rows.flatMap((g) => {
    const v = g.versions.find((x) => x.version === g.currentVersion);
    return v ? [{ id: g.id, name: g.name, scope: v.scope as GuardrailScope }] : [];
  });
}

/**
 * Which guardrail × environment pairs would no longer be selected if these nodes had these effective
 * labels. Evaluated by running each active guardrail's scope over the workspace's hierarchy before and
 * after (the same selection reconcile uses), so the answer does not depend on which label key changed:
 * `env=prod → env=dev` loses the pairs of a guardrail scoped to `env=prod`, and gains nothing that
 * would excuse it; a label nobody's scope reads loses nothing.
 */
export async function lostPairs(db: Db, workspaceId: string, nextLabels: ReadonlyMap<string, Record<string, string>>): Promise<LostPair[]> {
  const guardrails = await activeScopes(db, workspaceId);
  if (guardrails.length === 0 || nextLabels.size === 0) return [];
  const before = await scopeNodes(db, workspaceId);
  const after = before.map((n) => (nextLabels.has(n.id) ? { ...n, effectiveLabels: nextLabels.get(n.id) } : n));
  const names = new Map(before.map((n) => [n.id, n.name]));
  const out: LostPair[] = [];
  for (const g of guardrails) {
    const was = selectIn(before, g.scope);
    if (was.size === 0) continue;
    const now = selectIn(after, g.scope);
    for (const id of [...was].sort())
      if (!now.has(id)) out.push({ guardrailId: g.id, guardrail: g.name, nodeId: id, node: names.get(id) ?? id });
  }
  return out;
}

/** One line per guardrail for an approval's reasons. */
export function lostPairReasons(pairs: LostPair[]): string[] {
  const byGuardrail = new Map<string, LostPair[]>();
  for (const p of pairs) byGuardrail.set(p.guardrailId, [...(byGuardrail.get(p.guardrailId) ?? []), p]);
  return [...byGuardrail.values()].map((list) => {
    // By name, so the same change always reads the same (ids are random) and a person finds an environment.
    const shown = [...list]
      .sort((a, b) => a.node.localeCompare(b.node))
      .slice(0, 5)
      .map((p) => p.node)
      .join(", ");
    const more = list.length > 5 ? ` and ${list.length - 5} more` : "";
    return `coverage: "${list[0]!.guardrail}" would no longer cover ${list.length} environment${list.length === 1 ? "" : "s"} (${shown}${more})`;
  });
}
