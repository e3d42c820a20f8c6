import { runLimited } from "../common/concurrency.ts";
import { publicMessage } from "../contract/public-message.ts";
import type { ArtifactKind, ObservedState, ObserveRequest } from "../contract/types.ts";
import { CUSTOM, DENY, ORG_POLICY, type GcpContext, type RawOrgPolicy } from "./context.ts";
import { customArtifact, getCustomConstraint, listCustomConstraints } from "./custom-constraints.ts";
import { countForeignDenyPolicies, denyArtifact, getDenyPolicy } from "./deny-policies.ts";
import { getOrgPolicy, listOrgPolicies, orgArtifact } from "./org-policies.ts";
import { canonicalDenyPolicyName, nodeOfDenyPolicy, nodeOfPolicy } from "./policy.ts";
import type { TGcpCustomConstraint } from "./types.ts";

/**
 * Calls per observe: org policies — per node, one GetPolicy when one policy is expected there, else
 * ListPolicies pages (usually one); custom constraints — one GetCustomConstraint, or ListCustomConstraints
 * pages when two or more are expected; deny policies — one GetPolicy each; plus one ListPolicies per
 * requested target where an expected deny policy does not exist yet (deny-policy slots; none in
 * steady state). Retries of throttled calls come on top.
 */
export async function observeGcp(ctx: GcpContext, req: ObserveRequest): Promise<ObservedState> {
  const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
  const seen = new Set<string>();
  const orgByNode = new Map<string, string[]>();
  const customs: string[] = [];
  const denies: string[] = [];
  for (const e of req.expected) {
    const key = `${e.kind}|${e.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (e.kind === ORG_POLICY) {
      const node = nodeOfPolicy(e.name);
      orgByNode.set(node, [...(orgByNode.get(node) ?? []), e.name]);
    } else if (e.kind === CUSTOM) customs.push(e.name);
    else if (e.kind === DENY) denies.push(canonicalDenyPolicyName(e.name));
    else state.unreadable.push({ kind: e.kind, name: e.name, reason: `the GCP adapter does not manage ${e.kind}` });
  }
  const tasks: Array<() => Promise<void>> = [];
  const unreadable = (kind: ArtifactKind, names: string[], e: unknown) => {
    const reason = publicMessage(e);
    for (const name of names) state.unreadable.push({ kind, name, reason });
  };
  for (const [node, names] of orgByNode) {
    tasks.push(async () => {
      try {
        const found = new Map<string, RawOrgPolicy>();
        if (names.length === 1) {
          const p = await getOrgPolicy(ctx, names[0] ?? "");
          if (p) found.set(p.policy.name, p);
        } else {
          for (const [k, v] of await listOrgPolicies(ctx, node)) found.set(k, v);
        }
        for (const name of names) {
          const p = found.get(name);
          if (p) state.artifacts.push(orgArtifact(p));
        }
      } catch (e) {
        unreadable(ORG_POLICY, names, e);
      }
    });
  }
  if (customs.length) {
    tasks.push(async () => {
      try {
        const found = new Map<string, TGcpCustomConstraint>();
        if (customs.length === 1) {
          const cc = await getCustomConstraint(ctx, customs[0] ?? "");
          if (cc) found.set(cc.name, cc);
        } else {
          for (const [k, v] of await listCustomConstraints(ctx)) found.set(k, v);
        }
        for (const name of customs) {
          const cc = found.get(name);
          if (cc) state.artifacts.push(customArtifact(ctx, cc));
        }
      } catch (e) {
        unreadable(CUSTOM, customs, e);
      }
    });
  }
  for (const name of denies) {
    tasks.push(async () => {
      try {
        const p = await getDenyPolicy(ctx, name);
        if (p) state.artifacts.push(denyArtifact(p));
      } catch (e) {
        unreadable(DENY, [name], e);
      }
    });
  }
  await runLimited(tasks, ctx.concurrency);
  // Deny-policy slots matter only where Parapet's deny policy is about to be created: a target whose
  // expected deny policy exists already holds it within the limit. So steady state reads none.
  const present = new Set(state.artifacts.filter((a) => a.kind === DENY).map((a) => a.name));
  const failedReads = new Set(state.unreadable.filter((u) => u.kind === DENY && u.name).map((u) => u.name));
  const pending = new Set(denies.filter((n) => !present.has(n) && !failedReads.has(n)).map((n) => nodeOfDenyPolicy(n)));
  const slotTasks = [...new Set(req.targets ?? [])]
    .filter((t) => pending.has(t))
    .map((target) => async () => {
      try {
        state.foreignSlots[target] = { [DENY]: await countForeignDenyPolicies(ctx, target) };
      } catch (e) {
        state.unreadable.push({ target, reason: publicMessage(e) });
      }
    });
  await runLimited(slotTasks, ctx.concurrency);
  state.artifacts.sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : a.kind + a.name > b.kind + b.name ? 1 : 0));
  return state;
}
