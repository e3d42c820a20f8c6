/**
 * Append-only audit log, chained per workspace: hash = HMAC-SHA256(audit key, prevHash + canonical(event)),
 * the key outside the database (audit-keys.ts). Rows from before the chain was keyed (keyId null)
 * keep their unkeyed sha256 links. Appends serialise per workspace on a transaction-scoped advisory
 * lock, so concurrent writers (web instances, workers) never fork the chain. The table refuses
 * UPDATE and DELETE (migration 20261206060000_audit_keyed_append_only), and signed heads kept outside the database
 * (checkpoints.ts) reveal a deleted tail.
 */
import { createHash } from "node:crypto";
import { auditConfig, hmacHex } from "./audit-keys.ts";
import { latestCheckpoint, type CheckpointView } from "./checkpoints.ts";
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

/** The pre-keying (legacy) link: unkeyed sha256. */
export function hashEvent(prevHash: string, e: ChainFields): string {
  return createHash("sha256").update(prevHash).update(chainBody(e)).digest("hex");
}

export function hmacEvent(key: Buffer, prevHash: string, e: ChainFields): string {
  return hmacHex(key, prevHash, chainBody(e));
}

function chainBody(e: ChainFields): string {
  return canonicalJson({
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
}

async function appendIn(tx: Tx, events: AuditInput[]): Promise<void> {
  const { current } = auditConfig();
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
      const hash = hmacEvent(current.key, prevHash, fields);
      await tx.auditEvent.create({ data: { ...fields, data: fields.data as object, prevHash, hash, keyId: current.id } });
      prevHash = hash;
    }
  }
}

const AUDIT_MAX_WAIT_MS = 15_000;

/** Appends inside the caller's transaction (so the audit row commits with the change it records). */
export async function appendAudit(db: PrismaClient | Tx, events: AuditInput | AuditInput[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return;
  // Appends to one workspace's chain queue behind each other (each holds a pooled connection while it
  // waits its turn), so a burst can wait longer than Prisma's default 2 s for a connection; a short wait
  // beats failing the operation the event records ("Unable to start a transaction in the given time").
  if ("$transaction" in db) await db.$transaction((tx) => appendIn(tx, list), { maxWait: AUDIT_MAX_WAIT_MS });
  else await appendIn(db, list);
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** The first row whose hash or link does not match, when the chain is broken. */
  firstBroken?: { seq: number; id: string | null; reason: string };
  /** The latest signed head kept outside the database, which the chain must still reach. */
  checkpoint?: CheckpointView | null;
}

/**
 * Walks the chain in seq order, in pages, recomputing every link: HMAC for keyed rows (a rewrite with
 * recomputed hashes fails without the key), sha256 for rows from before keying (never after a keyed
 * row: that would be a downgrade). Then compares with the latest checkpoint: a chain that ends before
 * the checkpointed head lost its tail; one whose row at that seq differs was rewritten.
 */
export async function verifyAuditChain(prisma: PrismaClient, workspaceId: string): Promise<ChainVerification> {
  const { all } = auditConfig();
  const cp = await latestCheckpoint(workspaceId);
  const checkpoint = cp.view;
  const fail = (checked: number, firstBroken: ChainVerification["firstBroken"]): ChainVerification => ({
    ok: false,
    checked,
    firstBroken,
    checkpoint,
  });
  if (cp.error) return fail(0, { seq: 0, id: null, reason: cp.error });
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let keyed = false;
  let atCheckpoint: string | null = null;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({
      where: { workspaceId, seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: 1000,
    });
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== expectedSeq)
        return fail(checked, { seq: expectedSeq, id: r.id, reason: `row ${expectedSeq} is missing (next is ${r.seq})` });
      if (r.prevHash !== prevHash) return fail(checked, { seq: r.seq, id: r.id, reason: "link to the previous row does not match" });
      let recomputed: string;
      if (r.keyId === null) {
        if (keyed) return fail(checked, { seq: r.seq, id: r.id, reason: "unkeyed row after keyed rows (a keyed row was replaced)" });
        recomputed = hashEvent(prevHash, { ...r, data: r.data });
      } else {
        const key = all.get(r.keyId);
        if (!key)
          return fail(checked, {
            seq: r.seq,
            id: r.id,
            reason: `made with audit key ${r.keyId}, which is not configured (add its secret to PARAPET_AUDIT_KEYS_OLD)`,
          });
        keyed = true;
        recomputed = hmacEvent(key.key, prevHash, { ...r, data: r.data });
      }
      if (recomputed !== r.hash) return fail(checked, { seq: r.seq, id: r.id, reason: "row content does not match its hash" });
      if (checkpoint && r.seq === checkpoint.seq) atCheckpoint = r.hash;
      prevHash = r.hash;
      expectedSeq++;
      checked++;
    }
  }
  if (checkpoint && checkpoint.seq > checked) {
    return fail(checked, {
      seq: checked + 1,
      id: null,
      reason: `rows ${checked + 1}–${checkpoint.seq} are missing: the checkpoint of ${checkpoint.at} recorded the chain up to seq ${checkpoint.seq}`,
    });
  }
  if (checkpoint && checkpoint.seq > 0 && atCheckpoint !== checkpoint.hash) {
    return fail(checked, {
      seq: checkpoint.seq,
      id: null,
      reason: `the chain up to seq ${checkpoint.seq} differs from the checkpoint of ${checkpoint.at} (rewritten)`,
    });
  }
  return { ok: true, checked, checkpoint };
}
