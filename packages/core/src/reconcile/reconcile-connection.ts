/**
 * One reconcile of one connection: discover (when asked or never done) → desired → observe → plan →
 * apply (deploys always; repairs when remediation is auto) → record drift findings, coverage rows,
 * artifacts and audit events. Level-triggered and idempotent: running it again converges, and a
 * crash anywhere is repaired by the next run. Each applied change is recorded (artifact record, intent,
 * audit event) as soon as the cloud takes it, and the next run settles the one change a dead worker had
 * in flight from what the cloud shows (apply-journal.ts): what Parapet did is never reported as drift.
 */
import type { PrismaClient } from "@parapet/db";
import type { ApplyResult, ArtifactKind, CallStats, Change, CloudAdapter, CloudId, DesiredArtifact, Difference, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import { isProviderError, logDetail, publicMessage } from "@parapet/providers/contract";
import { appendAudit, type AuditInput } from "../audit/audit.repository.ts";
import { AppError } from "../common/errors.ts";
import { openCredentials, type Keyring } from "../connections/secrets.ts";
import { syncHierarchy } from "../connections/sync-hierarchy.ts";
import { rootHeldBy, rootHeldMessage } from "../connections/root-holder.ts";
import { computeDesiredState, type DesiredGuardrail, type DesiredNode, type DesiredState } from "./desired-state.ts";
import { changeArtifactKey } from "./apply-journal.ts";
import { closeAbandonedRuns, keepIntentOpen, loadOpenIntents, loadRecorded, openIntent, recordApplied, recordNotApplied, settleOpenIntents } from "./apply-journal.repository.ts";
import { desiredHash, planReconcile, type Plan, type PlannedChange } from "./plan.ts";
import { acquireLease, releaseLease } from "./lease.repository.ts";
import { findConnectionById, insertReconcileRun, markDiscovered, updateConnectionOutcome, updateReconcileRun } from "./reconcile-runs.repository.ts";
import { artifactIds, artifactRecords, desiredInputs, dropArtifactsExcept, insertFinding, openPlannerFindings, openUncoveredFindings, updateFinding, upsertArtifact } from "./reconcile-state.repository.ts";
import { writeCoverageRows, type CoverageRowInput } from "./coverage-rows.ts";
import { connectionCompileBasis } from "../connections/compile-basis.ts";
import type { GuardrailScope } from "../scope/select.ts";

export interface AdapterRequest {
  connectionId: string;
  workspaceId: string;
  cloud: CloudId;
  endpoint: string | null;
  credentials: unknown;
  facts: unknown;
  limits: unknown;
}

export type AdapterFactory = (req: AdapterRequest) => CloudAdapter | Promise<CloudAdapter>;

export interface ReconcileDeps {
  prisma: PrismaClient;
  keys: Keyring;
  adapterFor: AdapterFactory;
  /** Identifies the lease holder (worker process). */
  workerId: string;
  leaseMs?: number;
  /** Operator log: the cloud's raw error text goes here, never into what users read. */
  log?: (line: string) => void;
}

export type ReconcileTrigger = "poll" | "event" | "manual" | "guardrail-change" | "discovery" | "approval";

export interface ReconcileOptions {
  trigger: ReconcileTrigger;
  /** Re-read the hierarchy first (always done when the connection was never discovered). */
  discover?: boolean;
  /** Compute and return the plan without applying or recording anything. */
  dryRun?: boolean;
  /** Why (e.g. the cloud event or guardrail version), kept in the audit trail. */
  reason?: string;
  /** A person asked for drift to be put back: repair it even for guardrails set to notify. */
  repair?: boolean;
}

export interface ReconcileSummary {
  connectionId: string;
  status: "succeeded" | "failed" | "partial" | "skipped";
  skippedReason?: string;
  runId?: string;
  plan?: Plan;
  problems: DesiredState["problems"];
  applied: number;
  failed: number;
  driftOpened: number;
  driftResolved: number;
  calls: CallStats;
  error?: string;
}

/** Audit events appended per transaction at the end of a run (drift, problems): bounded, whatever the run's size. */
const AUDIT_BATCH = 200;

const EMPTY_CALLS: CallStats = { reads: 0, writes: 0, throttled: 0, errors: 0, byOperation: {} };

export async function reconcileConnection(deps: ReconcileDeps, connectionId: string, opts: ReconcileOptions): Promise<ReconcileSummary> {
  const { prisma } = deps;
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const base = { connectionId, problems: [], applied: 0, failed: 0, driftOpened: 0, driftResolved: 0, calls: EMPTY_CALLS };
  const conn = await findConnectionById(prisma, connectionId);
  if (!conn || conn.status === "disabled" || conn.status === "draft" || !conn.credentialCiphertext) {
    return { ...base, status: "skipped", skippedReason: conn ? `connection is ${conn.status}` : "connection not found" };
  }
  if (!opts.dryRun && !(await acquireLease(prisma, connectionId, deps.workerId, leaseMs))) {
    return { ...base, status: "skipped", skippedReason: "another worker holds the lease" };
  }
  // Long runs keep their lease; a crashed holder's lease simply expires.
  const renew = opts.dryRun ? undefined : setInterval(() => void acquireLease(prisma, connectionId, deps.workerId, leaseMs).catch(() => undefined), leaseMs / 3);
  let adapter: CloudAdapter | undefined;
  const run = opts.dryRun
    ? undefined
    : await insertReconcileRun(prisma, { workspaceId: conn.workspaceId, connectionId, trigger: opts.trigger });
  try {
    const credentials = openCredentials(deps.keys, connectionId, conn.credentialCiphertext);
    adapter = await deps.adapterFor({
      connectionId,
      workspaceId: conn.workspaceId,
      cloud: conn.cloud,
      endpoint: conn.endpoint,
      credentials,
      facts: conn.facts,
      limits: conn.limits,
    });
    const audit: AuditInput[] = [];
    const system = { workspaceId: conn.workspaceId, actorType: "system" as const, actorId: deps.workerId, actorLabel: "Parapet reconciler" };

    let newEnvironmentIds: string[] = [];
    // One root, one connection per workspace (see root-holder.ts): checked before anything is written.
    const refuseIfHeld = async (rootId: string | null) => {
      if (opts.dryRun) return;
      const holder = await rootHeldBy(prisma, conn, rootId);
      if (holder) throw new AppError("conflict", rootHeldMessage(conn.cloud, rootId!, holder));
    };
    if (opts.discover || !conn.lastDiscoveredAt) {
      const h = await adapter.discover();
      await refuseIfHeld(conn.rootId ?? h.rootExternalId);
      const sync = await syncHierarchy(prisma, conn.workspaceId, connectionId, h);
      newEnvironmentIds = sync.newEnvironmentIds;
      if (!opts.dryRun) {
        await markDiscovered(prisma, connectionId, conn.rootId ?? h.rootExternalId);
        if (sync.created || sync.removed) {
          audit.push({ ...system, action: "connection.discovered", targetType: "connection", targetId: connectionId, data: { created: sync.created, updated: sync.updated, removed: sync.removed } });
        }
      }
    } else {
      await refuseIfHeld(conn.rootId);
    }

    // The same basis the console's preview compiles with (connectionCompileBasis), so both agree.
    const { principals } = connectionCompileBasis(conn, credentials);
    const desired = await loadDesired(prisma, conn.workspaceId, connectionId, conn.cloud, conn.facts, principals, conn.limits);
    // Changes an earlier run sent without recording their outcome (it was killed, or lost the database):
    // observed too, so this run can tell whether they happened and fold them into the record.
    const openIntents = opts.dryRun ? [] : await loadOpenIntents(prisma, connectionId, run!.id);
    let recorded = await loadRecorded(prisma, connectionId);
    const expected = new Map<string, { kind: ArtifactKind; name: string; externalId?: string | null; attachments?: string[] }>();
    for (const r of recorded) expected.set(`${r.kind}|${r.name}`, { kind: r.kind, name: r.name, externalId: r.externalId, attachments: r.attachments });
    for (const i of openIntents) {
      const { kind, name } = changeArtifactKey(i.change);
      if (!expected.has(`${kind}|${name}`)) expected.set(`${kind}|${name}`, { kind, name, externalId: "externalId" in i.change && i.change.externalId ? i.change.externalId : null, attachments: [] });
    }
    for (const d of desired.state.artifacts) {
      const prev = expected.get(`${d.kind}|${d.name}`);
      expected.set(`${d.kind}|${d.name}`, { kind: d.kind, name: d.name, externalId: prev?.externalId ?? null, attachments: [...new Set([...(prev?.attachments ?? []), ...d.attachments])] });
    }
    const targets = [...new Set(desired.state.artifacts.flatMap((a) => a.attachments))];
    let observed: ObservedState = await adapter.observe({ expected: [...expected.values()], targets });

    if (!opts.dryRun) {
      await closeAbandonedRuns(prisma, connectionId, run!.id);
      if (openIntents.length) {
        const settled = await settleOpenIntents(prisma, { workspaceId: conn.workspaceId, connectionId }, openIntents, observed, (d, o) => adapter!.compare(d, o), system);
        if (settled) recorded = await loadRecorded(prisma, connectionId);
      }
    }

    // AWS slot occupancy is only known after observing: repack with what other tools hold.
    if (conn.cloud === "aws" && Object.keys(observed.foreignSlots).length) {
      desired.state = computeDesiredState({ ...desired.input, foreignSlots: observed.foreignSlots });
    }
    const remediation = desired.remediation;
    const plan = planReconcile({
      desired: desired.state.artifacts,
      observed,
      recorded,
      compare: (d, o) => adapter!.compare(d, o),
      autoRepair: (gids) => opts.repair === true || gids.length === 0 || gids.some((g) => remediation.get(g) !== "notify"),
      // A limit refused part of desired state, or a guardrail failed to compile: what desired state lacks
      // may be exactly that part, so remove nothing, and rewrite nothing without the failed guardrails.
      holdCleanup: desired.state.problems.some((p) => p.code === "limit" || p.code === "compile"),
      holdGuardrails: new Set(desired.state.problems.filter((p) => p.code === "compile").flatMap((p) => p.guardrailIds)),
    });
    if (opts.dryRun) {
      return { ...base, status: "succeeded", plan, problems: desired.state.problems, calls: adapter.stats() };
    }

    // Apply in plan order; stop at the first failure (the next run re-plans from what is there).
    const externalIds = new Map<string, string>();
    for (const o of observed.artifacts) if (o.owned) externalIds.set(`${o.kind}|${o.name}`, o.externalId);
    let applied = 0;
    let failed = 0;
    let applyError: string | undefined;
    const ctx = { workspaceId: conn.workspaceId, connectionId };
    for (let seq = 0; seq < plan.changes.length; seq++) {
      const pc = plan.changes[seq]!;
      let change: Change = pc.change;
      if (change.op === "attach" && !change.externalId) {
        change = { ...change, externalId: externalIds.get(`${change.kind}|${change.name}`) ?? "" };
      }
      const intentId = await openIntent(prisma, connectionId, run!.id, seq, changeKey(change), change);
      let res: ApplyResult;
      try {
        res = await adapter.apply(change);
      } catch (e) {
        // Users (intent journal, run, lastError) get the classified text; the raw answer goes to the log.
        const message = publicMessage(e);
        deps.log?.(`reconcile ${connectionId}: apply ${changeKey(change)} failed: ${logDetail(e)}`);
        // A refusal (invalid, conflict, throttled, auth, limit) means the cloud did not take it. A lost
        // connection or an unavailable answer may come after the cloud did: the intent stays open and the
        // next run settles it from what the cloud shows, so an applied change is never mistaken for drift.
        if (!isProviderError(e) || e.kind === "unavailable") await keepIntentOpen(prisma, intentId, message);
        else await recordNotApplied(prisma, intentId, message);
        // Removing something the cloud says is shared with the customer (e.g. a GCP org policy slot) is
        // a job for a person: report it and carry on; it is not a failure of protection.
        if (pc.cause === "cleanup" && isProviderError(e) && e.code === "NOT_OWNED") {
          desired.state.problems.push({ code: "compile", message: `manual cleanup needed: ${e.message}`, guardrailIds: pc.guardrailIds });
          continue;
        }
        failed++;
        applyError = message;
        // Constructive changes run first; after a failure, stop before anything destructive runs.
        if (pc.cause !== "cleanup") break;
        continue;
      }
      if (change.op === "create" && res.externalId) externalIds.set(`${change.artifact.kind}|${change.artifact.name}`, res.externalId);
      // Recorded (with its audit event) as soon as the cloud took it: a kill after this point loses nothing.
      // A failure here (the database went away) ends the run; the intent stays open for the next run to settle.
      await recordApplied(prisma, ctx, intentId, change, { ...res }, changeAudit(system, pc, change, opts));
      applied++;
    }
    if (applied > 0) {
      // Record what the cloud holds now. Only re-read when something was written: steady state stays at zero extra calls.
      observed = await adapter.observe({ expected: [...expected.values(), ...desired.state.artifacts.map((d) => ({ kind: d.kind, name: d.name, externalId: externalIds.get(`${d.kind}|${d.name}`) ?? null, attachments: d.attachments }))], targets });
    }
    // Drift left in place (notify, or a failed repair) keeps its baseline: the record stays "what we applied".
    const keepBaseline = new Set(plan.drift.filter((d) => !d.repaired || failed > 0).map((d) => d.name));
    await recordArtifacts(prisma, conn.workspaceId, connectionId, desired.state.artifacts, observed, keepBaseline, (d, o) => adapter!.compare(d, o));
    const findings = await recordDrift(prisma, conn.workspaceId, connectionId, plan, failed === 0, desired.state.artifacts, observed, desired.nodeIdByExternal);
    await recordCoverage(prisma, conn.workspaceId, connectionId, desired, observed, failed > 0);
    await recordUncovered(prisma, conn.workspaceId, connectionId, desired, newEnvironmentIds);

    for (const f of findings.opened) audit.push({ ...system, action: "drift.opened", targetType: "drift", targetId: f.id, data: { kind: f.kind, summary: f.summary } });
    for (const f of findings.resolved) audit.push({ ...system, action: "drift.resolved", targetType: "drift", targetId: f.id, data: { resolution: f.resolution } });
    for (const p of desired.state.problems) audit.push({ ...system, action: "reconcile.problem", targetType: "connection", targetId: connectionId, data: { code: p.code, message: p.message, guardrails: p.guardrailIds } });
    // Bounded batches: each is one short transaction, whatever the size of the run.
    for (let i = 0; i < audit.length; i += AUDIT_BATCH) await appendAudit(prisma, audit.slice(i, i + AUDIT_BATCH));

    const calls = adapter.stats();
    const status = failed ? "failed" : desired.state.problems.length || plan.unknown.length ? "partial" : "succeeded";
    await updateReconcileRun(prisma, run!.id, {
        status,
        plan: JSON.parse(JSON.stringify({ changes: plan.changes.map((c) => ({ op: c.change.op, cause: c.cause, reason: c.change.reason })), problems: desired.state.problems, unknown: plan.unknown })) as object,
        readCalls: calls.reads,
        writeCalls: calls.writes,
        throttled: calls.throttled,
        driftOpened: findings.opened.length,
        driftResolved: findings.resolved.length,
        error: applyError ?? null,
        finishedAt: new Date(),
    });
    await updateConnectionOutcome(prisma, connectionId, { lastReconciledAt: new Date(), lastReconcileStatus: status, lastError: applyError ?? (desired.state.problems[0]?.message ?? null), ...(conn.status === "error" && !applyError ? { status: "active" } : {}) });
    return { ...base, status, runId: run!.id, plan, problems: desired.state.problems, applied, failed, driftOpened: findings.opened.length, driftResolved: findings.resolved.length, calls, ...(applyError ? { error: applyError } : {}) };
  } catch (e) {
    // Parapet's own refusals (AppError) are written for people from facts Parapet checked and say what to do;
    // anything else may carry a cloud's or a library's raw text and is classified (SSRF: nothing read back).
    const message = isProviderError(e) ? `${e.kind}: ${publicMessage(e)}` : e instanceof AppError ? e.message : publicMessage(e);
    deps.log?.(`reconcile ${connectionId} failed: ${logDetail(e)}`);
    if (run) {
      // The failure may be the database itself (restarted mid-run): report the run as failed either way;
      // the next run closes this one and settles its open intents.
      await updateReconcileRun(prisma, run.id, { status: "failed", error: message.slice(0, 2000), finishedAt: new Date() }).catch(() => undefined);
      await updateConnectionOutcome(prisma, connectionId, { lastReconcileStatus: "failed", lastError: message.slice(0, 2000), lastReconciledAt: new Date() }).catch(() => undefined);
    }
    return { ...base, status: "failed", ...(run ? { runId: run.id } : {}), error: message, calls: adapter?.stats() ?? EMPTY_CALLS };
  } finally {
    if (renew) clearInterval(renew);
    await adapter?.close().catch(() => undefined);
    if (!opts.dryRun) await releaseLease(prisma, connectionId, deps.workerId).catch(() => undefined);
  }
}

function changeAudit(system: Omit<AuditInput, "action">, pc: PlannedChange, change: Change, opts: ReconcileOptions): AuditInput {
  return {
    ...system,
    action: `artifact.${change.op}`,
    targetType: "artifact",
    targetId: changeArtifactKey(change).name,
    data: { cause: pc.cause, reason: change.reason, guardrails: pc.guardrailIds, ...("target" in change ? { target: change.target } : {}), trigger: opts.trigger, ...(opts.reason ? { why: opts.reason } : {}) },
  };
}

function changeKey(c: Change): string {
  const name = "artifact" in c ? `${c.artifact.kind}|${c.artifact.name}` : `${c.kind}|${c.name}`;
  return `${c.op}|${name}${"target" in c ? `|${c.target}` : ""}`;
}

interface LoadedDesired {
  input: Parameters<typeof computeDesiredState>[0];
  state: DesiredState;
  remediation: Map<string, "auto" | "notify">;
  nodeIdByExternal: Map<string, string>;
  environments: string[];
}

export async function loadDesired(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  cloud: CloudId,
  facts: unknown,
  principals: unknown,
  limits: unknown,
): Promise<LoadedDesired> {
  const [nodes, guardrails, exemptions] = await desiredInputs(prisma, workspaceId, connectionId);
  const remediation = new Map<string, "auto" | "notify">();
  const gs: DesiredGuardrail[] = [];
  for (const g of guardrails) {
    const v = g.versions.find((x) => x.version === g.currentVersion);
    if (!v) continue;
    remediation.set(g.id, v.remediation);
    gs.push({ id: g.id, version: v.version, controlId: g.controlId, params: v.params, scope: v.scope as GuardrailScope, mode: v.mode });
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

async function recordArtifacts(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  desired: DesiredArtifact[],
  observed: ObservedState,
  keepBaseline: ReadonlySet<string>,
  compare: (d: DesiredArtifact, o: ObservedArtifact) => Difference,
): Promise<void> {
  const obs = new Map(observed.artifacts.filter((o) => o.owned).map((o) => [`${o.kind}|${o.name}`, o]));
  const unreadable = new Set(observed.unreadable.filter((u) => u.name).map((u) => `${u.kind}|${u.name}`));
  // The record as the journal left it (every applied change is already folded in).
  const rows = new Map((await artifactRecords(prisma, connectionId)).map((r) => [r.name, r]));
  const keep: string[] = [];
  for (const d of desired) {
    const k = `${d.kind}|${d.name}`;
    keep.push(d.name);
    if (unreadable.has(k) || keepBaseline.has(d.name)) continue;
    const o = obs.get(k);
    const row = rows.get(d.name);
    const recordedAttachments = new Set(Array.isArray(row?.attachments) ? (row.attachments as string[]) : []);
    // The desired content becomes the baseline only once the cloud holds it; content a failed apply left
    // behind keeps the hash Parapet last applied, so the next run re-deploys it instead of calling it drift.
    const holdsDesired = o ? compare(d, o).equal : false;
    const contentHash = holdsDesired || !o ? desiredHash(d) : (row?.contentHash ?? "");
    const data = {
      kind: d.kind,
      externalId: o?.externalId ?? null,
      contentHash,
      content: JSON.parse(JSON.stringify(holdsDesired || !row ? d.body : row.content)) as object,
      // Attachments Parapet put there (desired now, or recorded and not yet removed, e.g. a cleanup a
      // failure stopped): only someone else's attachments stay out of the record, so they stay drift.
      attachments: o ? o.attachments.filter((t) => d.attachments.includes(t) || recordedAttachments.has(t)).sort() : [],
      guardrailIds: d.guardrailIds,
      state: o ? "applied" : "desired",
      ...(o ? { lastAppliedAt: new Date() } : {}),
    };
    await upsertArtifact(prisma, workspaceId, connectionId, d.name, data);
  }
  // Rows for artifacts that are neither desired nor still in the cloud are history: drop them.
  const stillThere = [...obs.values()].map((o) => o.name);
  await dropArtifactsExcept(prisma, connectionId, [...keep, ...stillThere]);
}

async function recordDrift(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  plan: Plan,
  applyOk: boolean,
  desired: DesiredArtifact[],
  observed: ObservedState,
  nodeIdByExternal: Map<string, string>,
) {
  const open = await openPlannerFindings(prisma, connectionId);
  const openByFp = new Map(open.map((f) => [f.fingerprint, f]));
  const artifactRows = await artifactIds(prisma, connectionId);
  const artifactId = new Map(artifactRows.map((a) => [a.name, a.id]));
  const opened: Array<{ id: string; kind: string; summary: string }> = [];
  const resolved: Array<{ id: string; resolution: string }> = [];
  const now = new Date();
  const seenFp = new Set<string>();
  for (const d of plan.drift) {
    seenFp.add(d.fingerprint);
    const repairedNow = d.repaired && applyOk;
    const existing = openByFp.get(d.fingerprint);
    if (existing) {
      if (repairedNow) {
        await updateFinding(prisma, existing.id, { status: "resolved", resolvedAt: now, resolution: "auto_reapplied", resolvedBy: "parapet", lastSeenAt: now });
        resolved.push({ id: existing.id, resolution: "auto_reapplied" });
      } else {
        await updateFinding(prisma, existing.id, { lastSeenAt: now });
      }
      continue;
    }
    const f = await insertFinding(prisma, {
        workspaceId,
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
        ...(repairedNow ? { status: "resolved", resolvedAt: now, resolution: "auto_reapplied", resolvedBy: "parapet" } : {}),
    });
    opened.push({ id: f.id, kind: f.kind, summary: f.summary });
    if (repairedNow) resolved.push({ id: f.id, resolution: "auto_reapplied" });
  }
  // Open findings no longer seen: fixed by someone else, or the artifact is no longer desired.
  const unreadable = new Set(observed.unreadable.map((u) => u.name ?? u.target));
  const desiredNames = new Set(desired.map((d) => d.name));
  for (const f of open) {
    if (seenFp.has(f.fingerprint)) continue;
    const name = f.fingerprint.split("|")[2];
    if (name && unreadable.has(name)) continue;
    const resolution = name && !desiredNames.has(name) ? "desired_changed" : "manual";
    await updateFinding(prisma, f.id, { status: "resolved", resolvedAt: now, resolution, resolvedBy: "cloud" });
    resolved.push({ id: f.id, resolution });
  }
  return { opened, resolved };
}

async function recordCoverage(
  prisma: PrismaClient,
  workspaceId: string,
  connectionId: string,
  desired: LoadedDesired,
  observed: ObservedState,
  applyFailed: boolean,
): Promise<void> {
  const obs = new Map(observed.artifacts.filter((o) => o.owned).map((o) => [`${o.kind}|${o.name}`, o]));
  const desiredByKey = new Map(desired.state.artifacts.map((d) => [`${d.kind}|${d.name}`, d]));
  const unreadableNames = new Set(observed.unreadable.filter((u) => u.name).map((u) => u.name!));
  const unreadableTargets = new Set(observed.unreadable.filter((u) => u.target).map((u) => u.target!));
  const limitGuardrails = new Map<string, string>();
  for (const p of desired.state.problems) for (const g of p.guardrailIds) limitGuardrails.set(g, p.message);
  const rows: CoverageRowInput[] = [];
  for (const c of desired.state.coverage) {
    let status: (typeof rows)[number]["status"] = c.status;
    let detail: string | null = null;
    if (limitGuardrails.has(c.guardrailId)) {
      status = "pending";
      detail = limitGuardrails.get(c.guardrailId)!.slice(0, 500);
    } else if (c.status === "enforced") {
      for (const r of c.requires) {
        if (unreadableNames.has(r.name) || unreadableTargets.has(r.target)) {
          status = "unknown";
          detail = `could not read ${r.name}`;
          break;
        }
        const o = obs.get(`${r.kind}|${r.name}`);
        const d = desiredByKey.get(`${r.kind}|${r.name}`);
        const ok = o && d && o.attachments.includes(r.target);
        if (!ok) {
          status = applyFailed ? "pending" : "drifted";
          detail = `${r.name} is not in place on ${r.target}`;
          break;
        }
      }
    }
    rows.push({ nodeId: c.nodeId, guardrailId: c.guardrailId, status, fidelity: c.fidelity, detail });
  }
  await writeCoverageRows(prisma, workspaceId, connectionId, rows);
}

async function recordUncovered(prisma: PrismaClient, workspaceId: string, connectionId: string, desired: LoadedDesired, newEnvironmentIds: string[]): Promise<void> {
  const covered = new Set(desired.state.coverage.map((c) => c.nodeId));
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
    await insertFinding(prisma, { workspaceId, connectionId, nodeId, kind: "uncovered_environment", fingerprint: `uncovered|${nodeId}`, summary: "A new environment appeared that no guardrail covers", openedAt: now, lastSeenAt: now });
  }
}
