/** The only file of the rollouts domain that calls Prisma. */
import type { Prisma, PrismaClient, Tx } from "@parapet/db";
import { reachOf, type TRolloutReach } from "./reach.ts";
import type { TRolloutStage } from "./rollouts.schema.ts";

type Db = PrismaClient | Tx;

/** A rollout is active (its stages are deployed and it can be held, resumed or rolled back) in these states. */
const ACTIVE_ROLLOUT = ["running", "held", "halted"] as const;

/** Per guardrail, the reach of its active rollout (what reconcile deploys in enforce). */
export async function activeRolloutReaches(db: Db, workspaceId: string): Promise<Map<string, TRolloutReach>> {
  const rows = await db.rollout.findMany({
    where: { workspaceId, status: { in: [...ACTIVE_ROLLOUT] } },
    select: { guardrailId: true, stages: true, currentStage: true },
  });
  return new Map(rows.map((r) => [r.guardrailId, reachOf(r.guardrailId, r.stages as TRolloutStage[], r.currentStage)]));
}

export function findGuardrailForRollout(db: Db, workspaceId: string, guardrailId: string) {
  return db.guardrail.findFirst({
    where: { id: guardrailId, workspaceId, status: { not: "deleted" } },
    select: { id: true, name: true, status: true, currentVersion: true, versions: { orderBy: { version: "desc" }, take: 1 } },
  });
}

/** Which of `ids` are nodes of the workspace. */
export async function workspaceNodeIds(db: Db, workspaceId: string, ids: string[]): Promise<Set<string>> {
  const rows = await db.node.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** The guardrail's active rollout, else its newest one. */
export async function findRollout(db: Db, workspaceId: string, guardrailId: string) {
  const active = await db.rollout.findFirst({ where: { workspaceId, guardrailId, status: { in: [...ACTIVE_ROLLOUT] } } });
  return active ?? db.rollout.findFirst({ where: { workspaceId, guardrailId }, orderBy: { createdAt: "desc" } });
}

export type TRolloutRow = NonNullable<Awaited<ReturnType<typeof findRollout>>>;

export function findRolloutById(db: Db, id: string) {
  return db.rollout.findUniqueOrThrow({ where: { id } });
}

/** The guardrail's status and current version's mode: a rollout halts when someone changed them under it. */
export function guardrailState(db: Db, guardrailId: string) {
  return db.guardrail.findUnique({
    where: { id: guardrailId },
    select: { status: true, currentVersion: true, versions: { orderBy: { version: "desc" }, take: 1, select: { mode: true } } },
  });
}

export function createRollout(tx: Tx, data: Prisma.RolloutUncheckedCreateInput) {
  return tx.rollout.create({ data });
}

/**
 * Changes a rollout only if it is still in the state the caller read (status and stage): a person's
 * hold and the job's advance racing each other cannot both win.
 */
export async function transitionRollout(
  db: Db,
  r: Pick<TRolloutRow, "id" | "status" | "currentStage">,
  data: Prisma.RolloutUncheckedUpdateManyInput,
): Promise<boolean> {
  const n = await db.rollout.updateMany({ where: { id: r.id, status: r.status, currentStage: r.currentStage }, data });
  return n.count === 1;
}

/** Running rollouts of every workspace (the advance job's work list). */
export function runningRollouts(db: Db) {
  return db.rollout.findMany({ where: { status: "running" }, orderBy: { stageStartedAt: "asc" }, take: 500 });
}

/** Connections a guardrail deploys to (every reconcilable connection of its workspace). */
export async function rolloutConnections(db: Db, workspaceId: string) {
  return db.connection.findMany({
    where: { workspaceId, status: { in: ["active", "error", "verifying"] } },
    select: { id: true, name: true, credentialCiphertext: true },
  });
}

/**
 * Reconcile runs of these connections that finished at or after `since` without carrying out their
 * whole plan: `failed` (it threw) or `partial` (part of desired state was unreadable, so nothing was
 * written there, or refused by a provider limit). Either way the stage is not deployed everywhere it
 * should be, so it cannot be judged.
 */
export function failedRunsSince(db: Db, connectionIds: string[], since: Date) {
  return db.reconcileRun.findMany({
    where: { connectionId: { in: connectionIds }, status: { in: ["failed", "partial"] }, finishedAt: { gte: since } },
    select: { id: true, connectionId: true, status: true, error: true, connection: { select: { name: true } } },
    orderBy: { finishedAt: "asc" },
    take: 20,
  });
}

/**
 * Drift findings opened at or after `since` that concern the guardrail: attributed to it, or on an
 * artifact that carries it (a finding names one guardrail, the first of a shared artifact's, so the
 * attribution alone would miss drift on a policy this guardrail shares with others).
 */
export function driftOpenedSince(db: Db, guardrailId: string, since: Date) {
  return db.driftFinding.count({
    where: { openedAt: { gte: since }, OR: [{ guardrailId }, { artifact: { guardrailIds: { has: guardrailId } } }] },
  });
}

const REPORT_SELECT = {
  id: true,
  connectionId: true,
  guardrailVersion: true,
  status: true,
  lockout: true,
  summary: true,
  error: true,
  finishedAt: true,
  connection: { select: { name: true } },
} as const;

/**
 * Per connection, the newest finished (done or failed) replay of `version` whose window reaches `since`
 * (so it read the calls made up to then, not only those before the stage).
 */
export async function reportsSince(db: Db, guardrailId: string, version: number, since: Date) {
  const rows = await db.impactReport.findMany({
    where: { guardrailId, guardrailVersion: version, status: { in: ["done", "failed"] }, windowEnd: { gte: since } },
    orderBy: { finishedAt: "desc" },
    take: 500,
    select: REPORT_SELECT,
  });
  return newestPerConnection(rows);
}

/** Per connection, the newest done replay of the guardrail (any version) that finished before `before`: the baseline. */
export async function baselineReports(db: Db, guardrailId: string, before: Date) {
  const rows = await db.impactReport.findMany({
    where: { guardrailId, status: "done", finishedAt: { lte: before } },
    orderBy: { finishedAt: "desc" },
    take: 500,
    select: REPORT_SELECT,
  });
  return newestPerConnection(rows);
}

/** Whether a replay of `version` is waiting or running on some connection. */
export async function replayPending(db: Db, guardrailId: string, version: number): Promise<boolean> {
  return (await db.impactReport.count({ where: { guardrailId, guardrailVersion: version, status: { in: ["queued", "running"] } } })) > 0;
}

function newestPerConnection<T extends { connectionId: string }>(rows: T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const r of rows) if (!out.has(r.connectionId)) out.set(r.connectionId, r);
  return out;
}

/** The workspace's rollout audit events in [from, to), oldest first (the weekly report's rollout lines). */
export function rolloutEventsBetween(db: Db, workspaceId: string, from: Date, to: Date) {
  return db.auditEvent.findMany({
    where: { workspaceId, action: { startsWith: "rollout." }, createdAt: { gte: from, lt: to } },
    select: { action: true, actorLabel: true, createdAt: true, data: true },
    orderBy: { seq: "asc" },
    take: 2000,
  });
}

export function rolloutsByIds(db: Db, workspaceId: string, ids: string[]) {
  return db.rollout.findMany({
    where: { workspaceId, id: { in: ids } },
    select: {
      id: true,
      guardrailId: true,
      status: true,
      currentStage: true,
      stages: true,
      haltReason: true,
      guardrail: { select: { name: true } },
    },
  });
}
