import type { PrismaClient } from "@parapet/db";
import type { Actor } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { auditConfig } from "./audit-keys.ts";
import { latestCheckpoint, writeCheckpoint, type CheckpointView } from "./checkpoints.ts";

export interface CheckpointStatus {
  /** Whether this deployment writes checkpoints (PARAPET_AUDIT_CHECKPOINT_DIR). */
  enabled: boolean;
  checkpoint: CheckpointView | null;
  /** Why the latest checkpoint cannot be trusted (altered file, unknown key). */
  problem: string | null;
}

/** The workspace's latest signed chain head (shown on the audit page). */
export async function getAuditCheckpoint(prisma: PrismaClient, actor: Actor): Promise<CheckpointStatus> {
  void prisma;
  const enabled = auditConfig().checkpointDir !== null;
  const cp = await latestCheckpoint(actor.workspaceId);
  return { enabled, checkpoint: cp.view, problem: cp.error ?? null };
}

/** Checkpoints the head now (on demand; the worker also does it periodically). */
export async function checkpointAuditNow(prisma: PrismaClient, actor: Actor): Promise<CheckpointStatus> {
  const r = await writeCheckpoint(prisma, actor.workspaceId, { force: true });
  if (!r.written && r.reason === "disabled")
    throw new AppError("conflict", "audit checkpoints are off on this deployment (PARAPET_AUDIT_CHECKPOINT_DIR is not set)");
  if (!r.written) throw new AppError("conflict", `audit: the chain does not verify (${r.detail ?? "broken"}); it is not checkpointed`);
  return { enabled: true, checkpoint: r.checkpoint, problem: null };
}
