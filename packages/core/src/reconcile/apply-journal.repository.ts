/**
 * The apply journal's storage: intents (write-ahead, one per change), the artifact record they fold
 * into, and the audit event of each applied change, all three committed together so that a worker
 * killed at any point leaves a record that says exactly what it did (see apply-journal.ts).
 */
import type { PrismaClient, Tx } from "@parapet/db";
import type {
  ApplyResult,
  ArtifactKind,
  Change,
  DesiredArtifact,
  Difference,
  ObservedArtifact,
  ObservedState,
} from "@parapet/providers/contract";
import { appendAudit, type AuditInput } from "../audit/audit.repository.ts";
import { changeArtifactKey, foldChange, intentOutcome } from "./apply-journal.ts";
import type { RecordedArtifact } from "./plan.ts";

export interface JournalContext {
  workspaceId: string;
  connectionId: string;
}

export interface OpenIntent {
  id: string;
  runId: string | null;
  change: Change;
  createdAt: Date;
}

function toRecorded(r: {
  kind: string;
  name: string;
  externalId: string | null;
  contentHash: string;
  content?: unknown;
  attachments: unknown;
  guardrailIds: string[];
}): RecordedArtifact {
  return {
    kind: r.kind as ArtifactKind,
    name: r.name,
    externalId: r.externalId,
    contentHash: r.contentHash,
    // The body applied last: shared slots (GCP org policies) give back exactly these rules.
    ...(r.content !== undefined && r.content !== null ? { content: r.content } : {}),
    attachments: Array.isArray(r.attachments) ? (r.attachments as string[]) : [],
    guardrailIds: r.guardrailIds,
  };
}

export async function loadRecorded(prisma: PrismaClient, connectionId: string): Promise<RecordedArtifact[]> {
  const rows = await prisma.artifact.findMany({ where: { connectionId } });
  return rows.map(toRecorded);
}

/** Written before the change is sent: if the worker dies, the next run knows what may have happened. */
export async function openIntent(
  prisma: PrismaClient,
  connectionId: string,
  runId: string,
  seq: number,
  changeKey: string,
  change: Change,
): Promise<string> {
  const intent = await prisma.applyIntent.create({
    data: { connectionId, runId, seq, changeKey, change: JSON.parse(JSON.stringify(change)) as object },
  });
  return intent.id;
}

async function foldInto(tx: Tx, ctx: JournalContext, change: Change, externalId: string | undefined): Promise<void> {
  const { name } = changeArtifactKey(change);
  const row = await tx.artifact.findUnique({ where: { connectionId_name: { connectionId: ctx.connectionId, name } } });
  const next = foldChange(row ? toRecorded(row) : undefined, change, externalId);
  if (!next) {
    if (row) await tx.artifact.delete({ where: { id: row.id } });
    return;
  }
  const data = {
    kind: next.kind,
    externalId: next.externalId,
    contentHash: next.contentHash,
    attachments: next.attachments,
    guardrailIds: next.guardrailIds,
    state: "applied",
    lastAppliedAt: new Date(),
    ...("artifact" in change ? { content: JSON.parse(JSON.stringify(change.artifact.body)) as object } : {}),
  };
  if (row) await tx.artifact.update({ where: { id: row.id }, data });
  else await tx.artifact.create({ data: { workspaceId: ctx.workspaceId, connectionId: ctx.connectionId, name, content: {}, ...data } });
}

/**
 * The cloud accepted the change: close its intent, fold it into the record and append its audit event
 * in one short transaction (a handful of statements, far inside Prisma's interactive timeout).
 */
export async function recordApplied(
  prisma: PrismaClient,
  ctx: JournalContext,
  intentId: string,
  change: Change,
  result: ApplyResult & { recovered?: boolean },
  audit: AuditInput,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.applyIntent.update({
      where: { id: intentId },
      data: { status: "done", result: JSON.parse(JSON.stringify(result)) as object, finishedAt: new Date() },
    });
    await foldInto(tx, ctx, change, result.externalId);
    await appendAudit(tx, audit);
  });
}

export async function recordNotApplied(prisma: PrismaClient, intentId: string, error: string): Promise<void> {
  await prisma.applyIntent.update({
    where: { id: intentId },
    data: { status: "failed", error: error.slice(0, 2000), finishedAt: new Date() },
  });
}

/** The outcome is unknown (the answer was lost): noted, and left open for the next run to settle. */
export async function keepIntentOpen(prisma: PrismaClient, intentId: string, error: string): Promise<void> {
  await prisma.applyIntent.update({ where: { id: intentId }, data: { error: `outcome unknown: ${error}`.slice(0, 2000) } });
}

/** Intents of earlier runs whose outcome was never recorded (their worker died or lost the database). */
export async function loadOpenIntents(prisma: PrismaClient, connectionId: string, currentRunId: string): Promise<OpenIntent[]> {
  const rows = await prisma.applyIntent.findMany({
    where: { connectionId, status: "pending", OR: [{ runId: null }, { runId: { not: currentRunId } }] },
    orderBy: [{ createdAt: "asc" }, { seq: "asc" }],
    select: { id: true, runId: true, change: true, createdAt: true },
  });
  return rows.map((r) => ({ id: r.id, runId: r.runId, change: r.change as unknown as Change, createdAt: r.createdAt }));
}

/**
 * Runs of this connection still marked running are dead: this run holds the connection's lease, which a
 * live run keeps renewing. Close them so history does not show them running forever.
 */
export async function closeAbandonedRuns(prisma: PrismaClient, connectionId: string, currentRunId: string): Promise<number> {
  const r = await prisma.reconcileRun.updateMany({
    where: { connectionId, status: "running", id: { not: currentRunId } },
    data: {
      status: "failed",
      error: "the worker stopped before the run finished; the next run settled what it had applied",
      finishedAt: new Date(),
    },
  });
  return r.count;
}

/**
 * Settles earlier runs' open intents from a fresh observation: what the cloud shows took effect is
 * folded into the record (with its audit event, marked recovered), what did not is closed as not
 * applied, and what could not be read stays open for a later run. Returns how many were folded.
 */
export async function settleOpenIntents(
  prisma: PrismaClient,
  ctx: JournalContext,
  intents: OpenIntent[],
  observed: ObservedState,
  compare: (d: DesiredArtifact, o: ObservedArtifact) => Difference,
  actor: Pick<AuditInput, "workspaceId" | "actorType" | "actorId" | "actorLabel">,
): Promise<number> {
  let folded = 0;
  for (const i of intents) {
    const outcome = intentOutcome(i.change, observed, compare);
    if (outcome === "unknown") continue;
    if (outcome === "not_applied") {
      await recordNotApplied(prisma, i.id, "not applied: the worker stopped before the cloud took this change");
      continue;
    }
    const { name } = changeArtifactKey(i.change);
    await recordApplied(
      prisma,
      ctx,
      i.id,
      i.change,
      { recovered: true },
      {
        ...actor,
        action: `artifact.${i.change.op}`,
        targetType: "artifact",
        targetId: name,
        data: {
          reason: i.change.reason,
          recovered: true,
          ...(i.runId ? { run: i.runId } : {}),
          ...("target" in i.change ? { target: i.change.target } : {}),
        },
      },
    );
    folded++;
  }
  return folded;
}
