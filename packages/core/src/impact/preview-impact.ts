/**
 * Plan's preview of proposed guardrails (issue 20 on issue 16's replay): what the file's version of each
 * added or changed guardrail would have denied on one connection, judged by the same evaluators over the
 * same audit log a stored replay reads, but for definitions that are not saved, and without writing
 * anything: no ImpactReport row, no audit entry. The answer goes back as the job's return value.
 *
 * Bounded: the window, an event cap and a deadline. The log is read once per connection (up to the cap,
 * until the deadline) and held in memory for the proposals to share; a proposal not judged by the
 * deadline is "skipped". Exemptions in force on a changed guardrail apply as they would after apply; to
 * say what they spare, the proposal is judged a second time without them.
 */
import type { AuditPage, CloudAdapter } from "@parapet/providers/contract";
import { publicMessage } from "@parapet/providers/contract";
import { getControl } from "../catalog/catalog.ts";
import { adapterRequestFor } from "../connections/adapter-request.ts";
import type { TImpactPreviewJob } from "../jobs/definitions.ts";
import { findConnectionById } from "../reconcile/reconcile-runs.repository.ts";
import type { GuardrailScope } from "../scope/select.ts";
import { IMPACT_EVALUATORS } from "./evaluators.ts";
import { activeExemptions, connectionNodes } from "./impact.repository.ts";
import type { TImpactPreviewResult } from "./impact.schema.ts";
import { connectorIdentity, protectedClassOf } from "./protected.ts";
import { replayImpact, type TImpactSummary } from "./replay.ts";
import type { RunImpactDeps } from "./run-impact.ts";
import { pagesOf, prepareTarget, type TTarget } from "./target.ts";
import type { TImpactEvaluator } from "./types.ts";

const TOP = 5;

/** The most frequent values of `by` over the denied groups (groups are principal × action × environment). */
function top<K extends "principal" | "action">(s: TImpactSummary, by: K) {
  const counts = new Map<string, number>();
  for (const g of s.groups) counts.set(g[by], (counts.get(g[by]) ?? 0) + g.count);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP)
    .map(
      ([k, count]) =>
        ({ [by]: k, count }) as K extends "principal" ? { principal: string; count: number } : { action: string; count: number },
    );
}

/** Reads pages until the window ends, the cap is reached or the deadline passes; says which stopped it. */
async function readBounded(
  adapter: CloudAdapter,
  job: TImpactPreviewJob,
  envs: readonly string[],
): Promise<{ pages: AuditPage[]; events: number; truncated: "events" | "time" | null }> {
  const pages: AuditPage[] = [];
  let events = 0;
  for await (const page of pagesOf(adapter, new Date(job.since), new Date(job.until), envs)) {
    const room = job.maxEvents - events;
    const kept = page.events.length > room ? { ...page, events: page.events.slice(0, room) } : page;
    pages.push(kept);
    events += kept.events.length;
    if (kept.events.length < page.events.length || (events >= job.maxEvents && page.nextPageToken))
      return { pages, events, truncated: "events" };
    if (page.nextPageToken && Date.now() >= job.deadline) return { pages, events, truncated: "time" };
  }
  return { pages, events, truncated: null };
}

async function* replayOf(pages: readonly AuditPage[]): AsyncGenerator<AuditPage> {
  for (const p of pages) yield p;
}

export async function previewImpact(deps: Omit<RunImpactDeps, "workerId">, job: TImpactPreviewJob): Promise<TImpactPreviewResult> {
  const { prisma } = deps;
  const base = { connectionId: job.connectionId, since: job.since, until: job.until, events: 0, truncated: null, proposals: [] };
  const failed = (error: string): TImpactPreviewResult => ({ ...base, status: "failed", error });
  const conn = await findConnectionById(prisma, job.connectionId);
  // The payload names the workspace it was planned in: a connection of another workspace is not read.
  if (!conn || conn.workspaceId !== job.workspaceId || !conn.credentialCiphertext) return failed("the connection has no credentials");
  const cloud = conn.cloud;
  const request = adapterRequestFor(deps.keys, { ...conn, credentialCiphertext: conn.credentialCiphertext }, { withAuditSource: true });
  const nodes = await connectionNodes(prisma, conn.id);

  const targets = await Promise.all(
    job.proposals.map(async (p) => {
      const control = getControl(p.controlId);
      const exemptions = p.guardrailId ? await activeExemptions(prisma, p.guardrailId, conn.id, cloud) : [];
      if (!control) return { p, exemptions, error: `no control "${p.controlId}"` };
      const input = {
        conn,
        credentials: request.credentials,
        control,
        // Not saved: a stable stand-in id (statement names only; the verdict does not depend on it).
        guardrail: { id: p.guardrailId ?? `proposed-${p.key}`, version: 0 },
        params: p.params,
        scope: p.scope as GuardrailScope,
        nodes,
      };
      const withExemptions = prepareTarget({ ...input, exemptions });
      const without = exemptions.length > 0 ? prepareTarget({ ...input, exemptions: [] }) : withExemptions;
      if ("error" in withExemptions) return { p, exemptions, error: withExemptions.error };
      if ("error" in without) return { p, exemptions, error: without.error };
      return { p, exemptions, error: null, withExemptions, without };
    }),
  );
  // Read once for all: the environments any proposal covers before exemptions (an exempted one is read
  // too, to count what its exemption spares).
  const envs = [...new Set(targets.flatMap((t) => (t.error === null ? t.without.envExternalIds : [])))];
  if (envs.length === 0 && targets.every((t) => t.error !== null))
    return { ...base, status: "done", error: null, proposals: targets.map((t) => proposalFailed(t.p.key, t.error ?? "")) };

  const adapter = await deps.adapterFor(request);
  try {
    if (!adapter.readAuditEvents) return failed(`reading the ${cloud} audit log is not available for this connection`);
    const read = await readBounded(adapter, job, envs);
    const connector = connectorIdentity(cloud, conn.credentialHints);
    const evaluator: TImpactEvaluator = IMPACT_EVALUATORS[cloud];
    const lookupPrincipals = adapter.lookupPrincipals
      ? { lookupPrincipals: (ids: readonly string[]) => adapter.lookupPrincipals!(ids) }
      : {};
    const run = (t: TTarget) =>
      replayImpact({
        prepared: evaluator.prepare({ fragment: t.fragment, ctx: t.ctx }),
        pages: replayOf(read.pages),
        scopeOf: t.scopeOf,
        environmentOf: t.environmentOf,
        protectedClass: (e, facts) => protectedClassOf(cloud, t.ctx.principals as never, connector, e, facts),
        ...lookupPrincipals,
      });
    const proposals: TImpactPreviewResult["proposals"] = [];
    for (const t of targets) {
      if (t.error !== null) {
        proposals.push(proposalFailed(t.p.key, t.error));
        continue;
      }
      if (Date.now() >= job.deadline) {
        proposals.push({
          ...proposalFailed(t.p.key, "the plan's time budget ran out before this guardrail was judged"),
          status: "skipped",
        });
        continue;
      }
      const s = await run(t.withExemptions);
      const raw = t.without === t.withExemptions ? s : await run(t.without);
      proposals.push({
        key: t.p.key,
        status: "done",
        error: null,
        judged: s.judged,
        denied: s.denied,
        unjudgeable: s.unjudgeable,
        deniedPrincipals: s.deniedPrincipals,
        topPrincipals: top(s, "principal"),
        topActions: top(s, "action"),
        lockout: s.lockouts.length > 0,
        exemptionsInForce: t.exemptions.length,
        sparedByExemptions: Math.max(0, raw.denied - s.denied),
      });
    }
    return { ...base, status: "done", error: null, events: read.events, truncated: read.truncated, proposals };
  } catch (e) {
    // The classified, user-facing text only: raw SDK answers stay in the worker log.
    return failed(`reading the audit log failed: ${publicMessage(e)}`);
  } finally {
    await adapter.close().catch(() => undefined);
  }
}

function proposalFailed(key: string, error: string): TImpactPreviewResult["proposals"][number] {
  return {
    key,
    status: "failed",
    error,
    judged: 0,
    denied: 0,
    unjudgeable: 0,
    deniedPrincipals: 0,
    topPrincipals: [],
    topActions: [],
    lockout: false,
    exemptionsInForce: 0,
    sparedByExemptions: 0,
  };
}
