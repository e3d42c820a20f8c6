/**
 * Load phase: the connection, its adapter, and what the plan is computed from — desired state (nodes,
 * active guardrail versions, exemptions) and the apply journal (open intents, the artifact record).
 *
 * Reads: connection, node, guardrail(+versions), exemption, rollout, apply_intent, artifact. Writes nothing.
 * Guards: no compiled deny applies to the connector or break-glass principals (the compile basis adds the
 * connector's own identity, the same basis the console's preview uses); a disabled, draft or
 * credential-less connection is never reconciled (a typed skip, not an error).
 */
import type { PrismaClient } from "@parapet/db";
import type { CloudAdapter, CloudId } from "@parapet/providers/contract";
import { connectionCompileBasis } from "../../connections/compile-basis.ts";
import { adapterRequestFor } from "../../connections/adapter-request.ts";
import type { GuardrailScope } from "../../scope/select.ts";
import { loadOpenIntents, loadRecorded } from "../apply-journal.repository.ts";
import { computeDesiredState, type DesiredGuardrail, type DesiredNode } from "../desired-state.ts";
import { desiredInputs } from "../reconcile-state.repository.ts";
import { activeRolloutReaches } from "../../rollouts/rollouts.repository.ts";
import { findConnectionById } from "../reconcile-runs.repository.ts";
import { connectionSkip, type SkipReason } from "../skip-reason.ts";
import type { Loaded, LoadedDesired, ReconcilableConnection, ReconcileDeps, RunContext, RunRow } from "./context.ts";

export type LoadedConnection = { kind: "ready"; conn: ReconcilableConnection } | { kind: "skip"; reason: SkipReason };

/** The connection row, or why it cannot be reconciled. */
export async function loadConnection(prisma: PrismaClient, connectionId: string): Promise<LoadedConnection> {
  const conn = await findConnectionById(prisma, connectionId);
  const reason = connectionSkip(conn);
  if (reason) return { kind: "skip", reason };
  // connectionSkip refused a row without credentials; the check narrows the type.
  if (!conn?.credentialCiphertext) return { kind: "skip", reason: { kind: "connection-not-found" } };
  return { kind: "ready", conn: { ...conn, credentialCiphertext: conn.credentialCiphertext } };
}

/** Decrypts the credentials (only here, in the worker) and opens the cloud adapter. */
export async function connect(deps: ReconcileDeps, conn: ReconcilableConnection): Promise<{ adapter: CloudAdapter; credentials: unknown }> {
  const req = adapterRequestFor(deps.keys, conn);
  return { adapter: await deps.adapterFor(req), credentials: req.credentials };
}

/**
 * Desired state and the journal. `run` is absent on a dry run, which settles nothing and so needs no
 * open intents.
 */
export async function loadState(ctx: RunContext, credentials: unknown, run: RunRow | undefined): Promise<Loaded> {
  const { conn, connectionId } = ctx;
  const { prisma } = ctx.deps;
  // The same basis the console's preview compiles with (connectionCompileBasis), so both agree.
  const { principals } = connectionCompileBasis(conn, credentials);
  const desired = await loadDesired(prisma, conn.workspaceId, connectionId, conn.cloud, conn.facts, principals, conn.limits);
  // Changes an earlier run sent without recording their outcome (it was killed, or lost the database):
  // observed too, so this run can tell whether they happened and fold them into the record.
  const openIntents = run ? await loadOpenIntents(prisma, connectionId, run.id) : [];
  const recorded = await loadRecorded(prisma, connectionId);
  return { desired, openIntents, recorded };
}

/** Desired state from the database (also used to preview a principal change: connections/principal-change.ts). */
export async function loadDesired(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  cloud: CloudId,
  facts: unknown,
  principals: unknown,
  limits: unknown,
): Promise<LoadedDesired> {
  const [[nodes, guardrails, exemptions], rollouts] = await Promise.all([
    desiredInputs(prisma, workspaceId, connectionId, cloud),
    activeRolloutReaches(prisma, workspaceId),
  ]);
  const remediation = new Map<string, "auto" | "notify">();
  const gs: DesiredGuardrail[] = [];
  for (const g of guardrails) {
    const v = g.versions.find((x) => x.version === g.currentVersion);
    if (!v) continue;
    remediation.set(g.id, v.remediation);
    const rollout = rollouts.get(g.id);
    gs.push({
      id: g.id,
      version: v.version,
      controlId: g.controlId,
      params: v.params,
      scope: v.scope as GuardrailScope,
      mode: v.mode,
      ...(rollout ? { rollout } : {}),
    });
  }
  const desiredNodes: DesiredNode[] = nodes.map((n) => ({
    id: n.id,
    externalId: n.externalId,
    parentId: n.parentId,
    kind: n.kind,
    name: n.name,
    isEnvironment: n.isEnvironment,
    labels: n.effectiveLabels as Record<string, string>,
  }));
  const input = {
    cloud,
    workspaceId,
    facts,
    principals: (principals as Record<string, unknown>) ?? {},
    limits: { aws: ((limits as Record<string, unknown> | null) ?? {}) as Record<string, number> },
    nodes: desiredNodes,
    guardrails: gs,
    exemptions,
  };
  return {
    input,
    state: computeDesiredState(input),
    remediation,
    nodeIdByExternal: new Map(nodes.map((n) => [n.externalId, n.id])),
    environments: nodes.filter((n) => n.isEnvironment).map((n) => n.id),
  };
}
