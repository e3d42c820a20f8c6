/**
 * The worker's half of a replay: compile the guardrail version as enforce would deploy it on this
 * connection, work out which environments it would cover (scope minus active exemptions), stream the
 * connection's audit log for the window through the cloud's evaluator, and store the summary.
 */
import { publicMessage } from "@parapet/providers/contract";
import { appendAudit } from "../audit/audit.repository.ts";
import { getControl } from "../catalog/catalog.ts";
import type { DbClient as PrismaClient } from "../common/actor.ts";
import { adapterRequestFor } from "../connections/adapter-request.ts";
import type { Keyring } from "../connections/secrets.ts";
import type { AdapterFactory } from "../reconcile/reconcile-connection.ts";
import type { GuardrailScope } from "../scope/select.ts";
import { IMPACT_EVALUATORS } from "./evaluators.ts";
import { activeExemptions, connectionNodes, loadReportForReplay, markDone, markFailed, markRunning } from "./impact.repository.ts";
import { connectorIdentity, protectedClassOf } from "./protected.ts";
import { replayImpact, type TImpactSummary } from "./replay.ts";
import { pagesOf, prepareTarget } from "./target.ts";
import type { TImpactEvaluator } from "./types.ts";

export interface RunImpactDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
  workerId: string;
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
  // Approved exemptions count: a principal spared by one is not denied, an exempt environment not replayed.
  const exemptions = await activeExemptions(prisma, report.guardrailId, conn.id, cloud);
  const nodes = await connectionNodes(prisma, conn.id);
  const target = prepareTarget({
    conn,
    credentials: request.credentials,
    control,
    guardrail: { id: report.guardrailId, version: version.version },
    params: version.params,
    scope: version.scope as GuardrailScope,
    exemptions,
    nodes,
  });
  if ("error" in target) return fail(target.error);
  const { fragment, ctx, scopeOf, environmentOf, envExternalIds } = target;

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
      environmentOf,
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
