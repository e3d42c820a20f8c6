/**
 * Connection tasks that need decrypted credentials: verify (permission probe), discover (hierarchy
 * into nodes) and preview (the plan a reconcile would run, without applying it).
 */
import { emitNotifications } from "@parapet/core/notifications/emit";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { DbClient as PrismaClient } from "@parapet/core/common/actor";
import { appendAudit, jobData, jobProcessor, QUEUES, ZConnectionTaskJob, type Keyring } from "@parapet/core";
import { adapterRequestFor } from "@parapet/core/connections/adapter-request";
import { previewImpact } from "@parapet/core/impact/preview-impact";
import { syncHierarchy } from "@parapet/core/connections/sync-hierarchy";
import { rootHeldBy, rootHeldMessage } from "@parapet/core/connections/root-holder";
import { reconcileConnection, type AdapterFactory } from "@parapet/core/reconcile/reconcile-connection";
import {
  findConnectionById,
  insertReconcileRun,
  markDiscovered,
  recordVerifyResult,
} from "@parapet/core/reconcile/reconcile-runs.repository";
import { logDetail, publicMessage } from "@parapet/providers/contract";
import { log, type Logger } from "@parapet/core/common/logger";
import { loggedProcessor, logOtherFailures } from "../job-log.ts";

export interface ConnectionWorkerDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
  workerId: string;
  bullPrefix: string;
  /** Base of the per-job loggers (the root logger by default). */
  logger?: Logger;
}

export async function processConnectionTask(deps: ConnectionWorkerDeps, data: unknown): Promise<unknown> {
  const job = jobData(QUEUES.discovery, ZConnectionTaskJob, { name: "connections.task", data });
  const { prisma } = deps;
  const conn = await findConnectionById(prisma, job.connectionId);
  if (!conn?.credentialCiphertext) return { skipped: "connection not found or has no credentials" };
  const system = { workspaceId: conn.workspaceId, actorType: "system" as const, actorId: deps.workerId, actorLabel: "Parapet worker" };

  if (job.task === "preview") {
    const s = await reconcileConnection(deps, conn.id, { trigger: "manual", dryRun: true, discover: !conn.lastDiscoveredAt });
    const plan = s.plan
      ? {
          changes: s.plan.changes.map((c) => ({
            op: c.change.op,
            cause: c.cause,
            reason: c.change.reason,
            kind: "artifact" in c.change ? c.change.artifact.kind : c.change.kind,
            name: "artifact" in c.change ? c.change.artifact.name : c.change.name,
            ...("target" in c.change ? { target: c.change.target } : {}),
          })),
          drift: s.plan.drift.map((d) => ({ kind: d.kind, summary: d.summary })),
          problems: s.problems,
          unknown: s.plan.unknown,
        }
      : null;
    await insertReconcileRun(prisma, {
      workspaceId: conn.workspaceId,
      connectionId: conn.id,
      trigger: "preview",
      status: s.status === "failed" ? "failed" : "succeeded",
      plan: plan ? (JSON.parse(JSON.stringify(plan)) as object) : undefined,
      readCalls: s.calls.reads,
      error: s.error ?? null,
      finishedAt: new Date(),
    });
    return { status: s.status, changes: plan?.changes.length ?? 0 };
  }

  const adapter = await deps.adapterFor(adapterRequestFor(deps.keys, { ...conn, credentialCiphertext: conn.credentialCiphertext }));
  try {
    if (job.task === "verify") {
      const v = await adapter.verify().catch((e: unknown) => {
        // The cloud's raw answer is for the operator's log; the connection shows the classified text.
        log().warn({ connectionId: conn.id, detail: logDetail(e) }, "verify failed");
        return { ok: false, checks: [], missing: [], error: publicMessage(e) };
      });
      // Access is fine, but another connection of this workspace already manages the root: say so now,
      // in the wizard, rather than after the person has chosen guardrails (reconcile refuses to apply).
      const rootId = conn.rootId ?? ("rootId" in v && typeof v.rootId === "string" ? v.rootId : null);
      const holder = v.ok ? await rootHeldBy(prisma, conn, rootId) : null;
      const warnings = holder ? [rootHeldMessage(conn.cloud, rootId!, holder)] : [];
      await recordVerifyResult(prisma, conn.id, {
        verifyResult: JSON.parse(JSON.stringify(warnings.length ? { ...v, warnings } : v)) as object,
        lastVerifiedAt: new Date(),
        status: v.ok ? (conn.status === "disabled" ? "disabled" : "active") : "error",
        lastError: v.ok ? (warnings[0] ?? null) : (v.error ?? `missing permissions: ${v.missing.join(", ")}`).slice(0, 2000),
        ...(v.ok && "rootId" in v && v.rootId && !conn.rootId ? { rootId: v.rootId } : {}),
      });
      await appendAudit(prisma, {
        ...system,
        action: "connection.verified",
        targetType: "connection",
        targetId: conn.id,
        data: { ok: v.ok, missing: v.missing },
      });
      // Alerts: a failing verification opens an incident per connection; the next passing one closes it.
      if (!v.ok || conn.status === "error")
        await emitNotifications(prisma, [
          {
            workspaceId: conn.workspaceId,
            type: "connection.verify_failing",
            severity: v.ok ? "info" : "critical",
            title: v.ok ? `Connection ${conn.name} verifies again` : `Connection ${conn.name} fails verification`,
            connectionId: conn.id,
            detail: v.ok
              ? { connection: conn.name }
              : { connection: conn.name, error: (v.error ?? `missing permissions: ${v.missing.join(", ")}`).slice(0, 300) },
            dedupKey: `verify:${conn.id}`,
            resolves: v.ok,
          },
        ]);
      return { ok: v.ok, missing: v.missing };
    }
    const h = await adapter.discover();
    const sync = await syncHierarchy(prisma, conn.workspaceId, conn.id, h);
    await markDiscovered(prisma, conn.id, conn.rootId ?? h.rootExternalId);
    await appendAudit(prisma, {
      ...system,
      action: "connection.discovered",
      targetType: "connection",
      targetId: conn.id,
      data: { created: sync.created, updated: sync.updated, removed: sync.removed },
    });
    return { nodes: h.nodes.length, ...sync, newEnvironmentIds: sync.newEnvironmentIds.length };
  } finally {
    await adapter.close().catch(() => undefined);
  }
}

export function createConnectionWorker(deps: ConnectionWorkerDeps, connection: Redis): Worker {
  const worker = new Worker(
    QUEUES.discovery,
    loggedProcessor(
      jobProcessor(QUEUES.discovery, {
        "connections.task": (payload) => processConnectionTask(deps, payload),
        // Plan's would-have-blocked preview: answered as the return value, nothing written.
        "impact.preview": (payload) => previewImpact(deps, payload),
      }),
      { logger: deps.logger },
    ),
    { connection, prefix: deps.bullPrefix, concurrency: 2 },
  );
  logOtherFailures(worker, deps.logger);
  return worker;
}
