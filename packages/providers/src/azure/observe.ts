import { mapLimit } from "../common/concurrency.ts";
import type { ObservedState, ObserveRequest } from "../contract/types.ts";
import { AZURE_KINDS, reason, type AzureContext } from "./context.ts";
import { list, read, toObserved } from "./resources.ts";
import { parseArmId, parseScope, scopeKey, type PolicyArtifactKind } from "./scope.ts";

type Expected = ObserveRequest["expected"][number];

/**
 * Reads the expected artifacts grouped by kind and scope: one GET each where few are expected at a
 * scope, else one listing of the scope (`listThreshold`).
 */
export async function observeAzure(ctx: AzureContext, req: ObserveRequest): Promise<ObservedState> {
  const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
  const seen = new Set<string>();
  const groups = new Map<string, { kind: PolicyArtifactKind; scope: string; items: Expected[] }>();
  for (const e of req.expected) {
    const k = `${e.kind}|${e.name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    if (!AZURE_KINDS.has(e.kind)) {
      state.unreadable.push({ kind: e.kind, name: e.name, reason: `${e.kind} is not observed by the Azure adapter` });
      continue;
    }
    const kind = e.kind as PolicyArtifactKind;
    // Where to look: the scope the request names, else the one in the known ARM id, else the root.
    const fromId = e.externalId ? parseArmId(e.externalId) : undefined;
    const scope = (e.attachments?.[0] ?? fromId?.scope ?? ctx.rootScope).replace(/^\/+/, "");
    if (!parseScope(scope)) {
      state.unreadable.push({
        kind: e.kind,
        name: e.name,
        target: scope,
        reason: `'${scope}' is not an Azure management group or subscription scope`,
      });
      continue;
    }
    const gk = `${kind}|${scopeKey(scope)}`;
    const g = groups.get(gk) ?? { kind, scope, items: [] };
    g.items.push(e);
    groups.set(gk, g);
  }

  await mapLimit([...groups.values()], ctx.concurrency, async (g) => {
    if (g.items.length < ctx.listThreshold) {
      for (const e of g.items) {
        try {
          const f = await read(ctx, g.kind, g.scope, e.name);
          if (f) state.artifacts.push(toObserved(g.kind, e.name, g.scope, f));
        } catch (err) {
          state.unreadable.push({ kind: e.kind, name: e.name, reason: reason(err) });
        }
      }
      return;
    }
    try {
      const byName = new Map((await list(ctx, g.kind, g.scope)).map((x) => [x.name.toLowerCase(), x]));
      for (const e of g.items) {
        const x = byName.get(e.name.toLowerCase());
        if (x) state.artifacts.push(toObserved(g.kind, e.name, g.scope, x.found));
      }
    } catch (err) {
      for (const e of g.items) state.unreadable.push({ kind: e.kind, name: e.name, target: g.scope, reason: reason(err) });
    }
  });
  const order = (a: { kind?: string; name?: string }, b: { kind?: string; name?: string }): number =>
    `${a.kind ?? ""}|${a.name ?? ""}`.localeCompare(`${b.kind ?? ""}|${b.name ?? ""}`);
  state.artifacts.sort(order);
  state.unreadable.sort(order);
  return state;
}
