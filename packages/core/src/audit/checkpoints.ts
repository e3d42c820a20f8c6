/**
 * Signed chain heads kept outside the database. The HMAC chain alone cannot reveal a deleted tail (the
 * remaining rows still link), nor a whole chain replaced by someone holding the key; a head recorded
 * elsewhere can. Each checkpoint is one JSON line appended to `<dir>/<workspaceId>.jsonl`:
 * {workspaceId, seq, hash, at, keyId, sig}, sig = HMAC(audit key, canonical head).
 *
 * A directory rather than Redis: Redis here is a queue and cache (eviction, FLUSHALL in a restore, the
 * same operators and often the same backups as the database), while an append-only file can live on a
 * separate volume, an append-only (chattr +a) or WORM mount, or be shipped off the host by log
 * tooling. PARAPET_AUDIT_CHECKPOINT_DIR sets it; web (on demand) and worker (periodically) must see
 * the same directory.
 */
import { appendFile, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import type { PrismaClient } from "@parapet/db";
import { canonicalJson } from "@parapet/providers/contract";
import { auditConfig, hmacHex } from "./audit-keys.ts";
import { allWorkspaceIds, chainHead } from "./checkpoints.repository.ts";

export interface CheckpointView {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** Enough for the last few hundred lines; a checkpoint line is ~250 bytes. */
const TAIL_BYTES = 64 * 1024;

function fileFor(dir: string, workspaceId: string): string {
  if (!SAFE_ID.test(workspaceId)) throw new Error(`audit checkpoint: unexpected workspace id ${JSON.stringify(workspaceId)}`);
  return join(dir, `${workspaceId}.jsonl`);
}

function signature(key: Buffer, workspaceId: string, h: { seq: number; hash: string; at: string }): string {
  return hmacHex(key, canonicalJson({ workspaceId, seq: h.seq, hash: h.hash, at: h.at }));
}

async function lastLine(file: string): Promise<string | null> {
  let fh;
  try {
    fh = await open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const lines = buf
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    return lines.at(-1) ?? null;
  } finally {
    await fh.close();
  }
}

/** The latest checkpoint of a workspace, its signature checked; error when it does not verify. */
export async function latestCheckpoint(workspaceId: string): Promise<{ view: CheckpointView | null; error?: string }> {
  const { checkpointDir, all } = auditConfig();
  if (!checkpointDir) return { view: null };
  const line = await lastLine(fileFor(checkpointDir, workspaceId));
  if (line === null) return { view: null };
  let c: Partial<CheckpointView & { workspaceId: string; sig: string }>;
  try {
    c = JSON.parse(line) as typeof c;
  } catch {
    return { view: null, error: "the latest audit checkpoint is not valid JSON (the checkpoint file was altered)" };
  }
  const key = typeof c.keyId === "string" ? all.get(c.keyId) : undefined;
  if (typeof c.seq !== "number" || typeof c.hash !== "string" || typeof c.at !== "string" || !key || c.workspaceId !== workspaceId) {
    return {
      view: null,
      error: `the latest audit checkpoint cannot be checked${key ? "" : ` (audit key ${String(c.keyId)} is not configured)`}`,
    };
  }
  const view = { seq: c.seq, hash: c.hash, at: c.at, keyId: c.keyId! };
  if (signature(key.key, workspaceId, view) !== c.sig)
    return { view, error: "the latest audit checkpoint's signature does not verify (the checkpoint file was altered)" };
  return { view };
}

export type CheckpointOutcome =
  | { written: true; checkpoint: CheckpointView }
  | { written: false; reason: "disabled" | "unchanged" | "broken"; checkpoint: CheckpointView | null; detail?: string };

/**
 * Signs and appends the workspace's current head, after verifying the chain up to it (a broken chain
 * is never vouched for). `force` writes even when the head has not moved since the last checkpoint.
 */
export async function writeCheckpoint(
  prisma: PrismaClient,
  workspaceId: string,
  opts: { force?: boolean } = {},
): Promise<CheckpointOutcome> {
  const { checkpointDir, current } = auditConfig();
  if (!checkpointDir) return { written: false, reason: "disabled", checkpoint: null };
  // Imported here: audit.repository imports this module for verification.
  const { verifyAuditChain } = await import("./audit.repository.ts");
  const v = await verifyAuditChain(prisma, workspaceId);
  if (!v.ok) return { written: false, reason: "broken", checkpoint: v.checkpoint ?? null, detail: v.firstBroken?.reason };
  const head = await chainHead(prisma, workspaceId);
  const seq = head?.seq ?? 0;
  const hash = head?.hash ?? "0".repeat(64);
  if (!opts.force && v.checkpoint && v.checkpoint.seq === seq && v.checkpoint.hash === hash)
    return { written: false, reason: "unchanged", checkpoint: v.checkpoint };
  const view: CheckpointView = { seq, hash, at: new Date().toISOString(), keyId: current.id };
  await mkdir(checkpointDir, { recursive: true, mode: 0o700 });
  await appendFile(
    fileFor(checkpointDir, workspaceId),
    `${JSON.stringify({ workspaceId, ...view, sig: signature(current.key, workspaceId, view) })}\n`,
    { mode: 0o600 },
  );
  return { written: true, checkpoint: view };
}

/** Every workspace's head (the worker's periodic run); counts of what happened. */
export async function checkpointAll(prisma: PrismaClient): Promise<{ written: number; unchanged: number; broken: string[] }> {
  const out = { written: 0, unchanged: 0, broken: [] as string[] };
  if (!auditConfig().checkpointDir) return out;
  for (const ws of await allWorkspaceIds(prisma)) {
    const r = await writeCheckpoint(prisma, ws.id);
    if (r.written) out.written++;
    else if (r.reason === "broken") out.broken.push(ws.id);
    else out.unchanged++;
  }
  return out;
}
