/**
 * Which environments a rollout has reached (pure): the union of the reached stages' selections within
 * the guardrail's own selection. Reconcile deploys the guardrail in enforce there and in audit on the
 * rest of its scope (desired-state.ts).
 *
 * A wave takes a share of each connection's selected environments, ranked by a hash of guardrail id and
 * node id: deterministic (every reconcile picks the same ones), cumulative (a larger percent takes a
 * longer prefix of the same ranking, so an environment never leaves enforce as waves grow), spread over
 * the hierarchy rather than one subtree, and different per guardrail, so the same environments do not
 * carry the first wave of every rollout. Counting per connection keeps the rule local to the reconcile
 * that applies it; it also puts every connected cloud into each wave.
 */
import { createHash } from "node:crypto";
import { selectEnvironments, type GuardrailScope, type Tree } from "../scope/select.ts";

export interface TRolloutReach {
  /** Salt of the wave ranking: the guardrail id. */
  salt: string;
  /** The canary's selector, when the rollout has one (it is reached from the first stage on). */
  canary?: GuardrailScope;
  /** Cumulative wave percent reached (0 before the first wave). */
  wavePercent: number;
  everywhere: boolean;
}

/** The reach of a rollout whose stages up to and including `currentStage` are deployed. */
export function reachOf(
  salt: string,
  stages: ReadonlyArray<{ kind: string; nodeIds?: string[]; labels?: string; percent?: number }>,
  currentStage: number,
): TRolloutReach {
  const reach: TRolloutReach = { salt, wavePercent: 0, everywhere: false };
  for (const s of stages.slice(0, currentStage + 1)) {
    if (s.kind === "canary") {
      reach.canary = {
        ...(s.nodeIds?.length ? { nodeIds: s.nodeIds } : { all: true }),
        ...(s.labels ? { labels: s.labels } : {}),
      };
    } else if (s.kind === "wave") reach.wavePercent = Math.max(reach.wavePercent, s.percent ?? 0);
    else if (s.kind === "everywhere") reach.everywhere = true;
  }
  return reach;
}

const rank = (salt: string, id: string) => createHash("sha256").update(`${salt}:${id}`).digest("hex");

/** The selected environments the rollout has reached (a subset of `selected`). */
export function reachedEnvironments(tree: Tree, selected: ReadonlySet<string>, reach: TRolloutReach): Set<string> {
  if (reach.everywhere) return new Set(selected);
  const out = new Set<string>();
  if (reach.canary) for (const id of selectEnvironments(tree, reach.canary)) if (selected.has(id)) out.add(id);
  if (reach.wavePercent > 0 && selected.size > 0) {
    const take = Math.ceil((selected.size * reach.wavePercent) / 100);
    const ranked = [...selected].map((id) => [rank(reach.salt, id), id] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, id] of ranked.slice(0, take)) out.add(id);
  }
  return out;
}
