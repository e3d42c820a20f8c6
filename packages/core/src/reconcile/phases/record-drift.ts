/**
 * Record phase, drift findings: performs the finding writes `drift/finding-writes.ts` derives from the
 * plan's drift (detected in `drift/detect-drift.ts`), then the uncovered-environment findings.
 *
 * Reads: open findings of the connection, artifact ids. Writes: drift_finding rows (open, touch,
 * resolve), in the order the pure step gives.
 * Guards: a finding whose artifact could not be read stays open (unknown is never "fixed"); a repair
 * counts as done only when no apply failed.
 */
import type { DesiredArtifact, ObservedState } from "@parapet/providers/contract";
import { findingWrites, type DriftResolution } from "../../drift/finding-writes.ts";
import type { DesiredState } from "../desired-state.ts";
import type { Plan } from "../plan.ts";
import { artifactIds, insertFinding, openPlannerFindings, openUncoveredFindings, updateFinding } from "../reconcile-state.repository.ts";
import type { LoadedDesired, RunContext } from "./context.ts";

export interface FindingChanges {
  opened: Array<{ id: string; kind: string; summary: string }>;
  resolved: Array<{ id: string; resolution: DriftResolution }>;
  /** What to tell people (alerts): each new finding, each repair, each drift left open. */
  notices: Array<{
    findingId: string;
    event: "drift.detected" | "drift.repaired" | "drift.left_open";
    guardrailId: string | null;
    nodeId: string | null;
    kind: string;
    summary: string;
    /** The artifact's name: where the finding names no node (a deleted artifact), its attachments say where. */
    artifact: string | null;
  }>;
}

export async function recordDrift(
  ctx: RunContext,
  plan: Plan,
  applyOk: boolean,
  desired: DesiredArtifact[],
  observed: ObservedState,
  nodeIdByExternal: Map<string, string>,
): Promise<FindingChanges> {
  const { prisma } = ctx.deps;
  const { connectionId } = ctx;
  const open = await openPlannerFindings(prisma, connectionId);
  const artifactId = new Map((await artifactIds(prisma, connectionId)).map((a) => [a.name, a.id]));
  const out: FindingChanges = { opened: [], resolved: [], notices: [] };
  const now = new Date();
  const resolved = { status: "resolved", resolvedAt: now } as const;
  for (const w of findingWrites({ open, drift: plan.drift, applyOk, observed, desiredNames: new Set(desired.map((d) => d.name)) })) {
    switch (w.op) {
      case "touch":
        await updateFinding(prisma, w.findingId, { lastSeenAt: now });
        break;
      case "resolve-repaired": {
        const f = await updateFinding(prisma, w.findingId, {
          ...resolved,
          resolution: "auto_reapplied",
          resolvedBy: "parapet",
          lastSeenAt: now,
        });
        out.resolved.push({ id: w.findingId, resolution: "auto_reapplied" });
        const artifact = [...artifactId.entries()].find(([, id]) => id === f.artifactId)?.[0] ?? null;
        out.notices.push({
          findingId: f.id,
          event: "drift.repaired",
          guardrailId: f.guardrailId,
          nodeId: f.nodeId,
          kind: f.kind,
          summary: f.summary,
          artifact,
        });
        break;
      }
      case "resolve-gone":
        await updateFinding(prisma, w.findingId, { ...resolved, resolution: w.resolution, resolvedBy: "cloud" });
        out.resolved.push({ id: w.findingId, resolution: w.resolution });
        break;
      case "open": {
        const d = w.drift;
        const f = await insertFinding(prisma, {
          workspaceId: ctx.conn.workspaceId,
          connectionId,
          guardrailId: d.guardrailIds[0] ?? null,
          nodeId: d.target ? (nodeIdByExternal.get(d.target) ?? null) : null,
          artifactId: artifactId.get(d.name) ?? null,
          kind: d.kind,
          fingerprint: d.fingerprint,
          summary: d.summary.slice(0, 1000),
          expected: d.expected === undefined ? undefined : (JSON.parse(JSON.stringify(d.expected)) as object),
          observed: d.observed === undefined ? undefined : (JSON.parse(JSON.stringify(d.observed)) as object),
          openedAt: now,
          lastSeenAt: now,
          ...(w.resolvedNow ? { ...resolved, resolution: "auto_reapplied", resolvedBy: "parapet" } : {}),
        });
        out.opened.push({ id: f.id, kind: f.kind, summary: f.summary });
        if (w.resolvedNow) out.resolved.push({ id: f.id, resolution: "auto_reapplied" });
        const notice = {
          findingId: f.id,
          guardrailId: f.guardrailId,
          nodeId: f.nodeId,
          kind: f.kind,
          summary: f.summary,
          artifact: d.name,
        };
        out.notices.push({ ...notice, event: "drift.detected" });
        if (w.resolvedNow) out.notices.push({ ...notice, event: "drift.repaired" });
        // Notify mode: the guardrail asks people to decide, so say that it is waiting for them.
        else if (!d.repaired) out.notices.push({ ...notice, event: "drift.left_open" });
        break;
      }
    }
  }
  return out;
}

/**
 * Uncovered environments: a finding resolves once a guardrail covers its node; a new environment that
 * no guardrail covers opens one (only when the workspace has guardrails at all).
 */
export async function recordUncovered(
  ctx: RunContext,
  desired: LoadedDesired,
  state: DesiredState,
  newEnvironmentIds: string[],
): Promise<void> {
  const { prisma } = ctx.deps;
  const { connectionId } = ctx;
  const covered = new Set(state.coverage.map((c) => c.nodeId));
  const open = await openUncoveredFindings(prisma, connectionId);
  const now = new Date();
  for (const f of open) {
    if (f.nodeId && covered.has(f.nodeId)) {
      await updateFinding(prisma, f.id, { status: "resolved", resolvedAt: now, resolution: "desired_changed", resolvedBy: "parapet" });
    }
  }
  if (desired.input.guardrails.length === 0) return;
  const openNodes = new Set(open.map((f) => f.nodeId));
  for (const nodeId of newEnvironmentIds) {
    if (covered.has(nodeId) || openNodes.has(nodeId)) continue;
    await insertFinding(prisma, {
      workspaceId: ctx.conn.workspaceId,
      connectionId,
      nodeId,
      kind: "uncovered_environment",
      fingerprint: `uncovered|${nodeId}`,
      summary: "A new environment appeared that no guardrail covers",
      openedAt: now,
      lastSeenAt: now,
    });
  }
}
