/**
 * Append-only audit log, hash-chained per workspace: hash = sha256(prevHash + canonical(event)).
 * Appends serialise per workspace on a transaction-scoped advisory lock, so concurrent writers
 * (web instances, workers) never fork the chain.
 */
import { createHash } from "node:crypto";
import type { PrismaClient, Tx } from "@parapet/db";
import { canonicalJson } from "@parapet/providers/contract";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditInput {
  workspaceId: string;
  actorType: "user" | "token" | "system";
  actorId?: string | null;
  actorLabel: string;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  data?: Record<string, unknown>;
}

interface ChainFields {
  workspaceId: string;
  seq: number;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: unknown;
  createdAt: Date;
}

export function hashEvent(prevHash: string, e: ChainFields): string {
  const body = canonicalJson({
    workspaceId: e.workspaceId,
    seq: e.seq,
    actorType: e.actorType,
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    data: e.data,
    createdAt: e.createdAt.toISOString(),
  });
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}

async function appendIn(tx: Tx, events: AuditInput[]): Promise<void> {
  const byWs = new Map<string, AuditInput[]>();
  for (const e of events) byWs.set(e.workspaceId, [...(byWs.get(e.workspaceId) ?? []), e]);
  for (const [workspaceId, list] of [...byWs.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`audit:${workspaceId}`}, 0))`;
    const last = await tx.auditEvent.findFirst({ where: { workspaceId }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    for (const e of list) {
      seq++;
      // Millisecond precision: what Postgres stores is what the hash covers.
      const createdAt = new Date(Math.floor(Date.now()));
      const fields: ChainFields = {
        workspaceId,
        seq,
        actorType: e.actorType,
        actorId: e.actorId ?? null,
        actorLabel: e.actorLabel,
        action: e.action,
        targetType: e.targetType ?? null,
        targetId: e.targetId ?? null,
        data: JSON.parse(canonicalJson(e.data ?? {})) as unknown,
        createdAt,
      };
      const hash = hashEvent(prevHash, fields);
      await tx.auditEvent.create({ data: { ...fields, data: fields.data as object, prevHash, hash } });
      prevHash = hash;
    }
  }
}

/** Appends inside the caller's transaction (so the audit row commits with the change it records). */
export async function appendAudit(db: PrismaClient | Tx, events: AuditInput | AuditInput[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return;
  if ("$transaction" in db) await db.$transaction((tx) => appendIn(tx, list));
  else await appendIn(db, list);
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** The first row whose hash or link does not match, when the chain is broken. */
  firstBroken?: { seq: number; id: string; reason: string };
}

/** Walks the chain in seq order, in pages, recomputing every hash. */
export async function verifyAuditChain(prisma: PrismaClient, workspaceId: string): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({ where: { workspaceId, seq: { gte: expectedSeq } }, orderBy: { seq: "asc" }, take: 1000 });
    if (rows.length === 0) return { ok: true, checked };
    for (const r of rows) {
      if (r.seq !== expectedSeq) return { ok: false, checked, firstBroken: { seq: expectedSeq, id: r.id, reason: `row ${expectedSeq} is missing (next is ${r.seq})` } };
      if (r.prevHash !== prevHash) return { ok: false, checked, firstBroken: { seq: r.seq, id: r.id, reason: "link to the previous row does not match" } };
      const recomputed = hashEvent(prevHash, { ...r, data: r.data });
      if (recomputed !== r.hash) return { ok: false, checked, firstBroken: { seq: r.seq, id: r.id, reason: "row content does not match its hash" } };
      prevHash = r.hash;
      expectedSeq++;
      checked++;
    }
  }
}
