/** Posture use-cases for the API: ask for a scan, read the newest, watch a customer policy. */
import { appendAudit } from "../audit/audit.repository.ts";
import { getControl } from "../catalog/catalog.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, notFound } from "../common/errors.ts";
import {
  adoptionsOf,
  createScan,
  findConnectionForPosture,
  findForeignPolicy,
  findNodeInWorkspace,
  foreignPoliciesOf,
  latestScan,
  pendingScan,
  postureForPreview,
  postureResultsOf,
  postureResultsOfNode,
  setStance,
} from "./posture.repository.ts";
import { ZWatchForeignPolicyInput, type TWatchForeignPolicyInput } from "./posture.schema.ts";

/**
 * Queues a read-only posture scan of one connection; a scan already waiting or running is reused
 * (each reads the cloud at its own, low, rate).
 */
export async function requestPostureScan(deps: Pick<UseCaseDeps, "prisma" | "jobs">, actor: Actor, connectionId: string) {
  const conn = await findConnectionForPosture(deps.prisma, actor.workspaceId, connectionId);
  if (!conn) throw notFound("connection", connectionId.slice(0, 100));
  if (!conn.credentialCiphertext) throw new AppError("conflict", "the connection has no credentials yet: finish connecting it first");
  const pending = await pendingScan(deps.prisma, conn.id);
  if (pending) return { scanId: pending.id, connectionId: conn.id, queued: false };
  if (!deps.jobs.requestPostureScan) throw new AppError("unavailable", "posture scans are not available in this process");
  const scan = await createScan(deps.prisma, { workspaceId: actor.workspaceId, connectionId: conn.id, requestedById: actor.userId });
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "posture.requested",
    targetType: "connection",
    targetId: conn.id,
    data: { scan: scan.id },
  });
  await deps.jobs.requestPostureScan(scan.id);
  return { scanId: scan.id, connectionId: conn.id, queued: true };
}

function adoptionView(a: Awaited<ReturnType<typeof adoptionsOf>>[number] | undefined) {
  if (!a) return null;
  return {
    id: a.id,
    approvalId: a.approvalId,
    guardrailId: a.guardrailId,
    state: a.state,
    targets: a.targets,
    detached: a.detached,
    leftAttached: a.leftAttached,
    error: a.error,
    finishedAt: a.finishedAt?.toISOString() ?? null,
  };
}

export async function getPosture(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, connectionId: string) {
  const conn = await findConnectionForPosture(deps.prisma, actor.workspaceId, connectionId);
  if (!conn) throw notFound("connection", connectionId.slice(0, 100));
  const [scan, policies, results, adoptions] = await Promise.all([
    latestScan(deps.prisma, conn.id),
    foreignPoliciesOf(deps.prisma, conn.id),
    postureResultsOf(deps.prisma, conn.id),
    adoptionsOf(deps.prisma, conn.id),
  ]);
  const adoptionOf = new Map(adoptions.map((a) => [a.foreignPolicyId, a]));
  const byControl = new Map<string, { enforced: number; partial: number; none: number; by: Set<string>; failing: Map<string, number> }>();
  for (const r of results) {
    const c = byControl.get(r.controlId) ?? { enforced: 0, partial: 0, none: 0, by: new Set<string>(), failing: new Map<string, number>() };
    if (r.status === "enforced" || r.status === "partial" || r.status === "none") c[r.status]++;
    for (const b of r.enforcedBy) c.by.add(b);
    for (const f of r.failing as Array<{ name: string }>) c.failing.set(f.name, (c.failing.get(f.name) ?? 0) + 1);
    byControl.set(r.controlId, c);
  }
  return {
    connectionId: conn.id,
    scan: scan
      ? {
          id: scan.id,
          status: scan.status,
          error: scan.error,
          calls: scan.calls,
          durationMs: scan.durationMs,
          policies: scan.policies,
          unreadable: scan.unreadable,
          slots: scan.slots,
          lockouts: scan.lockouts,
          createdAt: scan.createdAt.toISOString(),
          finishedAt: scan.finishedAt?.toISOString() ?? null,
        }
      : null,
    policies: policies.map((p) => ({
      id: p.id,
      kind: p.kind,
      externalId: p.externalId,
      name: p.name,
      attachments: p.attachments,
      size: p.size,
      managedBy: p.managedBy,
      stance: p.stance,
      bodyHash: p.bodyHash,
      adoption: adoptionView(adoptionOf.get(p.id)),
      driftDetectedAt: p.driftDetectedAt?.toISOString() ?? null,
      goneAt: p.goneAt?.toISOString() ?? null,
    })),
    controls: [...byControl.entries()].map(([controlId, c]) => ({
      controlId,
      title: getControl(controlId)?.title ?? controlId,
      enforced: c.enforced,
      partial: c.partial,
      none: c.none,
      enforcedBy: [...c.by].sort(),
      failing: [...c.failing.entries()].sort((a, b) => b[1] - a[1]).map(([n]) => n),
    })),
  };
}

/** One environment's posture: each control judged against the customer's policies in force there. */
export async function getNodePosture(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, nodeId: string) {
  if (!(await findNodeInWorkspace(deps.prisma, actor.workspaceId, nodeId))) throw notFound("node", nodeId.slice(0, 100));
  const rows = await postureResultsOfNode(deps.prisma, actor.workspaceId, nodeId);
  return {
    nodeId,
    controls: rows.map((r) => ({
      controlId: r.controlId,
      title: getControl(r.controlId)?.title ?? r.controlId,
      status: r.status,
      enforcedBy: r.enforcedBy,
      failing: r.failing,
    })),
  };
}

/**
 * Coexist: leave the customer's policy in place and watch it ("external, watched"). The body read by
 * the last scan is accepted as the baseline; a later scan that reads another (or none) stamps drift.
 * Watching again after drift accepts the new body. Parapet never writes to a watched policy.
 */
export async function watchForeignPolicy(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  connectionId: string,
  raw: TWatchForeignPolicyInput,
) {
  const input = ZWatchForeignPolicyInput.parse(raw);
  const p = await findForeignPolicy(deps.prisma, actor.workspaceId, input.policyId);
  if (!p || p.connectionId !== connectionId) throw notFound("foreign policy", input.policyId.slice(0, 64));
  if (p.stance === "adopted") throw new AppError("conflict", "this policy was adopted: Parapet's own artifact replaced it");
  const updated = await setStance(
    deps.prisma,
    p.id,
    input.watch
      ? { stance: "watched", watchedHash: p.bodyHash, driftDetectedAt: null }
      : { stance: "unset", watchedHash: null, driftDetectedAt: null },
  );
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: input.watch ? "posture.watched" : "posture.unwatched",
    targetType: "connection",
    targetId: connectionId,
    data: { policy: p.externalId, name: p.name },
  });
  return { id: updated.id, stance: updated.stance };
}

/** The guardrail preview's posture line (fit and conflicts before the first deploy). */
export async function guardrailPosturePreview(prisma: UseCaseDeps["prisma"], workspaceId: string, controlId: string, nodeIds: string[]) {
  const { results, scans } = await postureForPreview(prisma, workspaceId, controlId, nodeIds);
  const by = new Set<string>();
  const failing = new Set<string>();
  let enforced = 0;
  let partial = 0;
  for (const r of results) {
    if (r.status === "enforced") enforced++;
    else if (r.status === "partial") partial++;
    else continue;
    for (const b of r.enforcedBy) by.add(b);
    for (const f of r.failing as Array<{ name: string }>) failing.add(f.name);
  }
  const lockouts = scans.flatMap((s) =>
    (Array.isArray(s.lockouts) ? (s.lockouts as Array<{ call: string; by: string[] }>) : []).map((l) => ({
      connectionId: s.connectionId,
      call: l.call,
      by: l.by,
    })),
  );
  return { enforced, partial, by: [...by].sort(), failing: [...failing].sort(), lockouts };
}
