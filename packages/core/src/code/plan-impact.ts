import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { replayableConnections } from "../impact/impact.repository.ts";
import { ZImpactPreviewResult, type TImpactPreviewResult } from "../impact/impact.schema.ts";
import type { ScopeNodeRow } from "../nodes/nodes.repository.ts";
import { selectIn } from "../nodes/select-scope.ts";
import type { TCodeGuardrail, TImpactLimits, TPlanImpact, TPlanResult } from "./code.schema.ts";

const DAY_MS = 86_400_000;
/** Kept from the budget for the answers to come back and the plan to be written. */
const RESERVE_MS = 1_500;

export interface TProposal {
  g: TCodeGuardrail;
  /** The workspace guardrail it changes, or null for a new one. */
  guardrailId: string | null;
}

const empty = () => ({
  events: 0,
  truncated: null,
  judged: 0,
  denied: 0,
  unjudgeable: 0,
  deniedPrincipals: 0,
  topPrincipals: [],
  topActions: [],
  lockout: false,
  exemptionsInForce: 0,
  sparedByExemptions: 0,
});

/**
 * Plan's would-have-blocked preview: each proposal (the file's version of an added or changed guardrail)
 * is replayed by the worker against the audit log of each connection its scope covers, without anything
 * being saved (impact/preview-impact.ts). One job per connection judges all its proposals over one read.
 * Bounded by the window, events per connection, connections, and a time budget for the whole plan; the
 * result says when any bound cut it short. The web never holds cloud credentials, so without a worker
 * queue (jobs.previewImpact absent) every connection answers "timeout".
 */
export async function previewPlanImpact(
  deps: Pick<UseCaseDeps, "prisma" | "jobs">,
  actor: Actor,
  proposals: TProposal[],
  nodes: ScopeNodeRow[],
  limits: TImpactLimits,
): Promise<{ byKey: Map<string, TPlanImpact[]>; meta: NonNullable<TPlanResult["impact"]> }> {
  const started = Date.now();
  const until = new Date(started);
  const since = new Date(started - limits.days * DAY_MS);
  const conns = await replayableConnections(deps.prisma, actor.workspaceId);
  const replayable = new Set(conns.map((c) => c.id));
  const connOfNode = new Map(nodes.map((n) => [n.id, n.connectionId]));
  // A disabled guardrail denies nothing: nothing to preview.
  const live = proposals.filter((p) => p.g.enabled);
  const inScope = new Map(
    live.map((p) => [p.g.key, new Set([...selectIn(nodes, p.g.scope)].map((id) => connOfNode.get(id)!).filter((c) => replayable.has(c)))]),
  );
  const wanted = conns.filter((c) => [...inScope.values()].some((s) => s.has(c.id)));
  const chosen = wanted.slice(0, limits.maxConnections);
  const omitted = wanted.slice(limits.maxConnections).map((c) => c.name);
  const waitUntil = started + limits.budgetSeconds * 1000;
  const deadline = Math.max(started + 1000, waitUntil - RESERVE_MS);

  const answers = new Map<string, TImpactPreviewResult | { error: string } | null>(
    await Promise.all(
      chosen.map(async (c) => {
        const mine = live.filter((p) => inScope.get(p.g.key)!.has(c.id));
        if (!deps.jobs.previewImpact) return [c.id, null] as const;
        const got = await deps.jobs
          .previewImpact(
            {
              workspaceId: actor.workspaceId,
              connectionId: c.id,
              since: since.toISOString(),
              until: until.toISOString(),
              maxEvents: limits.maxEvents,
              deadline,
              proposals: mine.map((p) => ({
                key: p.g.key,
                guardrailId: p.guardrailId,
                controlId: p.g.control,
                params: p.g.params,
                scope: p.g.scope,
              })),
            },
            waitUntil,
          )
          .catch(() => ({ error: "the job queue is unreachable right now" }));
        if (got === null || "error" in got) return [c.id, got] as const;
        const parsed = ZImpactPreviewResult.safeParse(got.result);
        return [c.id, parsed.success ? parsed.data : { error: "the worker's answer was not understood" }] as const;
      }),
    ),
  );

  const byKey = new Map<string, TPlanImpact[]>();
  let truncated = omitted.length > 0;
  for (const p of live) {
    const rows: TPlanImpact[] = [];
    for (const c of chosen) {
      if (!inScope.get(p.g.key)!.has(c.id)) continue;
      const head = { connectionId: c.id, connection: c.name, cloud: c.cloud };
      const a = answers.get(c.id);
      if (!a) {
        truncated = true;
        rows.push({ ...head, ...empty(), status: "timeout", error: `no answer within the plan's ${limits.budgetSeconds} s budget` });
      } else if ("error" in a && !("status" in a)) {
        rows.push({ ...head, ...empty(), status: "failed", error: a.error });
      } else if (a.status === "failed") {
        rows.push({ ...head, ...empty(), status: "failed", error: a.error });
      } else {
        const found = a.proposals.find((q) => q.key === p.g.key);
        if (a.truncated || !found || found.status === "skipped") truncated = true;
        const { key: _key, ...x } = found ?? { key: "", ...empty(), status: "skipped" as const, error: "not judged" };
        rows.push({
          ...head,
          ...x,
          events: a.events,
          truncated: a.truncated,
        });
      }
    }
    byKey.set(p.g.key, rows);
  }
  return {
    byKey,
    meta: {
      since: since.toISOString(),
      until: until.toISOString(),
      maxEvents: limits.maxEvents,
      maxConnections: limits.maxConnections,
      budgetSeconds: limits.budgetSeconds,
      connections: wanted.length,
      connectionsOmitted: omitted,
      truncated,
    },
  };
}
