/**
 * Observe phase: one read of what Parapet owns (plus the attachment targets packing needs), and one
 * re-read after a run that wrote something.
 *
 * Reads: the provider only (`observe`). Writes nothing.
 * Guards: an unreadable artifact or target comes back in `unreadable` and is `unknown` downstream, never
 * `missing` (no write is planned from a failed read); a steady-state run makes no second read.
 */
import type { ObserveRequest, ObservedState } from "@parapet/providers/contract";
import { changeArtifactKey } from "../apply-journal.ts";
import type { Applied, Loaded, Observation, RunContext } from "./context.ts";

type Expected = ObserveRequest["expected"][number];

/**
 * What to read: the record, the changes earlier runs left in flight (so the settle phase can tell whether
 * they happened) and desired state, keyed by kind and name.
 */
function expectedArtifacts(loaded: Loaded): Expected[] {
  const expected = new Map<string, Expected>();
  for (const r of loaded.recorded)
    expected.set(`${r.kind}|${r.name}`, { kind: r.kind, name: r.name, externalId: r.externalId, attachments: r.attachments });
  for (const i of loaded.openIntents) {
    const { kind, name } = changeArtifactKey(i.change);
    if (!expected.has(`${kind}|${name}`))
      expected.set(`${kind}|${name}`, {
        kind,
        name,
        externalId: "externalId" in i.change && i.change.externalId ? i.change.externalId : null,
        attachments: [],
      });
  }
  for (const d of loaded.desired.state.artifacts) {
    const prev = expected.get(`${d.kind}|${d.name}`);
    expected.set(`${d.kind}|${d.name}`, {
      kind: d.kind,
      name: d.name,
      externalId: prev?.externalId ?? null,
      attachments: [...new Set([...(prev?.attachments ?? []), ...d.attachments])],
    });
  }
  return [...expected.values()];
}

export async function observe(ctx: RunContext, loaded: Loaded): Promise<Observation> {
  const expected = expectedArtifacts(loaded);
  const targets = [...new Set(loaded.desired.state.artifacts.flatMap((a) => a.attachments))];
  const observed = await ctx.adapter.observe({ expected, targets });
  return { expected, targets, observed };
}

/**
 * Reads the cloud again after this run wrote to it, so the record phase records what the cloud holds
 * now. `artifacts` is the desired state the plan was made from.
 */
export async function observeAfterApply(
  ctx: RunContext,
  seen: Observation,
  artifacts: Loaded["desired"]["state"]["artifacts"],
  applied: Applied,
): Promise<ObservedState> {
  // Only re-read when something was written: steady state stays at zero extra calls.
  if (applied.applied === 0) return seen.observed;
  return ctx.adapter.observe({
    expected: [
      ...seen.expected,
      ...artifacts.map((d) => ({
        kind: d.kind,
        name: d.name,
        externalId: applied.externalIds.get(`${d.kind}|${d.name}`) ?? null,
        attachments: d.attachments,
      })),
    ],
    targets: seen.targets,
  });
}
