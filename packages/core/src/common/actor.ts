import type { PrismaClient } from "@parapet/db";
import type { TConnectionTaskJob, TImpactPreviewJob, TReconcileJob } from "../jobs/definitions.ts";
import type { Role } from "../identity/roles.ts";
import type { AuditInput } from "../audit/audit.repository.ts";

/** Who is acting, as the API resolved it (session or API token). Every use-case is scoped by `workspaceId`. */
export interface Actor {
  workspaceId: string;
  userId: string;
  role: Role;
  kind: "user" | "token";
  tokenId?: string;
  /** Shown in the audit log: an e-mail address or "token <name>". */
  label: string;
}

/**
 * Queue producers, called by use-cases only after their transaction has committed (a job must never
 * see rows that might still roll back).
 */
export interface JobPort {
  requestReconcile(job: TReconcileJob): Promise<void>;
  enqueueConnectionTask(job: TConnectionTaskJob): Promise<string>;
  /** Replays an ImpactReport created queued (impact/request-impact.ts). */
  requestImpact(reportId: string): Promise<void>;
  /** Runs a PostureScan created queued (posture/request-posture-scan.ts); absent where no worker queue is wired. */
  requestPostureScan?(scanId: string): Promise<void>;
  /**
   * Plan's impact preview on one connection, answered by the worker (jobs/enqueue.ts awaitImpactPreview):
   * its return value, a failure, or null when no answer came by `waitUntil`. Absent where no worker queue is wired.
   */
  previewImpact?(job: TImpactPreviewJob, waitUntil: number): Promise<{ result: unknown } | { error: string } | null>;
}

/** The database handle services and repositories take; apps name it by this type instead of importing @parapet/db. */
export type DbClient = PrismaClient;

export interface UseCaseDeps {
  prisma: PrismaClient;
  jobs: JobPort;
}

/** The audit envelope for an actor (user or token); callers add action, target and data. */
export function auditBy(actor: Actor): Pick<AuditInput, "workspaceId" | "actorType" | "actorId" | "actorLabel"> {
  return {
    workspaceId: actor.workspaceId,
    actorType: actor.kind,
    actorId: actor.kind === "token" ? (actor.tokenId ?? actor.userId) : actor.userId,
    actorLabel: actor.label,
  };
}
