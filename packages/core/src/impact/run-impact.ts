/**
 * The worker's half of a replay: compile the guardrail version as enforce would deploy it on this
 * connection, work out which environments it would cover (scope minus active exemptions), stream the
 * connection's audit log for the window through the cloud's evaluator, and store the summary.
 */
import type { AuditEvent, AuditPage, CloudAdapter } from "@parapet/providers/contract";
import { publicMessage } from "@parapet/providers/contract";
import { appendAudit } from "../audit/audit.repository.ts";
import { getControl } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import type { DbClient as PrismaClient } from "../common/actor.ts";
import { connectionCompileBasis } from "../connections/compile-basis.ts";
import { adapterRequestFor } from "../connections/adapter-request.ts";
import type { Keyring } from "../connections/secrets.ts";
import type { AdapterFactory } from "../reconcile/reconcile-connection.ts";
import { buildTree, selectEnvironments, type GuardrailScope, type TreeNode } from "../scope/select.ts";
import { IMPACT_EVALUATORS } from "./evaluators.ts";
import { activeExemptions, connectionNodes, loadReportForReplay, markDone, markFailed, markRunning } from "./impact.repository.ts";
import { connectorIdentity, protectedClassOf } from "./protected.ts";
import { auditNodeId, auditNodeIndex } from "./audit-nodes.ts";
import { replayImpact, type TEventScope, type TImpactSummary } from "./replay.ts";
import type { TImpactEvaluator } from "./types.ts";

export interface RunImpactDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
  workerId: string;
}

/** Events per page asked of the reader: enough to amortise a call, small enough to bound memory. */
const PAGE_SIZE = 500;
/** Readers narrow by environment when the list is this short; a longer one reads everything and filters here. */
const NARROW_MAX = 200;

async function* pagesOf(adapter: CloudAdapter, since: Date, until: Date, envs: readonly string[]): AsyncGenerator<AuditPage> {
  let pageToken: string | undefined;
  do {
    const page = await adapter.readAuditEvents!({
      since,
      until,
      pageSize: PAGE_SIZE,
      ...(envs.length > 0 && envs.length <= NARROW_MAX ? { nodeExternalIds: envs } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    yield page;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

export async function runImpactReport(deps: RunImpactDeps, reportId: string): Promise<{ status: string; summary?: TImpactSummary }> {
  const { prisma } = deps;
  const report = await loadReportForReplay(prisma, reportId);
  if (!report || report.status === "done" || report.status === "failed") return { status: "gone" };
  const claimed = await markRunning(prisma, reportId);
  if (claimed.count === 0) return { status: "gone" };
  const conn = report.connection;
  const cloud = conn.cloud;
  const fail = async (message: string) => {
    await markFailed(prisma, reportId, message);
    return { status: "failed" };
  };
  const version = report.guardrail.versions.find((v) => v.version === report.guardrailVersion);
  const control = getControl(report.guardrail.controlId);
  if (!version || !control) return fail("the guardrail version or its control no longer exists");
  if (!conn.credentialCiphertext) return fail("the connection has no credentials");

  const request = adapterRequestFor(deps.keys, { ...conn, credentialCiphertext: conn.credentialCiphertext }, { withAuditSource: true });
  const basis = connectionCompileBasis(conn, request.credentials);
  // Approved exemptions count: a principal spared by one is not denied, an exempt environment not replayed.
  const exemptions = await activeExemptions(prisma, report.guardrailId, conn.id, cloud);
  const compileInput = {
    cloud,
    // What enforce would deploy, whatever mode the guardrail is in now.
    mode: "enforce" as const,
    workspaceId: conn.workspaceId,
    guardrail: { id: report.guardrailId, version: version.version },
    params: version.params,
    principals: basis.principals,
    facts: basis.facts,
    exemptPrincipals: exemptions.flatMap((x) => (x.principal ? [x.principal] : [])),
  };
  let fragment;
  let ctx;
  try {
    fragment = compileControl(control, compileInput).fragment;
    ctx = buildContext(compileInput);
  } catch (e) {
    return fail(`the guardrail does not compile for this connection: ${(e as Error).message}`);
  }

  const nodes = await connectionNodes(prisma, conn.id);
  const exempt = exemptions.flatMap((x) => (x.nodeId ? [x.nodeId] : []));
  const tree = buildTree(
    nodes.map((n): TreeNode => ({
      id: n.id,
      parentId: n.parentId,
      isEnvironment: n.isEnvironment,
      labels: n.effectiveLabels as Record<string, string>,
    })),
  );
  let selected: Set<string>;
  try {
    selected = selectEnvironments(tree, version.scope as GuardrailScope, exempt);
  } catch (e) {
    return fail(`the guardrail's scope cannot be resolved: ${(e as Error).message}`);
  }
  // Azure: the log names bare subscription ids, discovery records `subscriptions/<id>` (audit-nodes.ts).
  const nodeOf = auditNodeIndex(cloud, nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const n of nodes) if (n.parentId) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id]);
  const envCovered = new Map<string, boolean>();
  /** A non-environment node is in scope when every environment under it is (its artifact would attach there or above). */
  const covered = (id: string): boolean => {
    const known = envCovered.get(id);
    if (known !== undefined) return known;
    const kids = children.get(id) ?? [];
    const v = byId.get(id)?.isEnvironment ? selected.has(id) : kids.length > 0 && kids.every(covered);
    envCovered.set(id, v);
    return v;
  };
  const scopeOf = (e: AuditEvent): TEventScope => {
    const n = nodeOf(e.nodeExternalId);
    if (!n) return "unknown";
    return covered(n.id) ? "in" : "out";
  };
  const envExternalIds = nodes.filter((n) => n.isEnvironment && selected.has(n.id)).map((n) => auditNodeId(cloud, n.externalId));

  // Each cloud's evaluator takes its own fragment type; the fragment was compiled for this same cloud.
  const evaluator: TImpactEvaluator = IMPACT_EVALUATORS[cloud];
  const adapter = await deps.adapterFor(request);
  try {
    if (!adapter.readAuditEvents) return await fail(`reading the ${cloud} audit log is not available for this connection`);
    const connector = connectorIdentity(cloud, conn.credentialHints);
    const prepared = evaluator.prepare({ fragment, ctx });
    const summary = await replayImpact({
      prepared,
      pages: pagesOf(adapter, report.windowStart, report.windowEnd, envExternalIds),
      scopeOf,
      environmentOf: (e) => {
        const n = nodeOf(e.nodeExternalId);
        return n ? { name: n.name, id: n.id } : { name: e.nodeExternalId ?? "unknown" };
      },
      protectedClass: (e, facts) => protectedClassOf(cloud, ctx.principals as never, connector, e, facts),
      ...(adapter.lookupPrincipals ? { lookupPrincipals: (ids: readonly string[]) => adapter.lookupPrincipals!(ids) } : {}),
    });
    const lockout = summary.lockouts.length > 0;
    await markDone(prisma, reportId, JSON.parse(JSON.stringify(summary)) as object, lockout);
    await appendAudit(prisma, {
      workspaceId: conn.workspaceId,
      actorType: "system",
      actorId: deps.workerId,
      actorLabel: "Parapet worker",
      action: "impact.completed",
      targetType: "guardrail",
      targetId: report.guardrailId,
      data: {
        report: reportId,
        connectionId: conn.id,
        version: version.version,
        events: summary.events,
        denied: summary.denied,
        unjudgeable: summary.unjudgeable,
        lockout,
      },
    });
    return { status: "done", summary };
  } catch (e) {
    // The classified, user-facing text only: raw SDK answers stay in the worker log.
    return await fail(`reading the audit log failed: ${publicMessage(e)}`);
  } finally {
    await adapter.close().catch(() => undefined);
  }
}
