import { appendAudit } from "../audit/audit.repository.ts";
import type { UseCaseDeps } from "../common/actor.ts";
import { log } from "../common/logger.ts";
import { createReports, pendingReports, replayableConnections } from "../impact/impact.repository.ts";

const DAY_MS = 86_400_000;

/**
 * Queues an impact replay of the rollout's target version on every connection that can replay (the
 * rollout itself asks, so the audit event is the system's, naming the rollout). The window is the day
 * before `until` or, when given, the stage's own time, so the replay judges the new events. A replay of
 * the same version already waiting or running on a connection is reused, as request-impact does.
 */
export async function requestStageReplay(
  deps: Pick<UseCaseDeps, "prisma" | "jobs">,
  r: { id: string; workspaceId: string; guardrailId: string; targetVersion: number },
  window: { since?: Date; until?: Date } = {},
): Promise<string[]> {
  const until = window.until ?? new Date();
  const since = window.since && until.getTime() - window.since.getTime() > 0 ? window.since : new Date(until.getTime() - DAY_MS);
  const connections = await replayableConnections(deps.prisma, r.workspaceId);
  const pending = new Set((await pendingReports(deps.prisma, r.guardrailId, r.targetVersion)).map((p) => p.connectionId));
  const created = await createReports(
    deps.prisma,
    connections
      .filter((c) => !pending.has(c.id))
      .map((c) => ({
        workspaceId: r.workspaceId,
        guardrailId: r.guardrailId,
        guardrailVersion: r.targetVersion,
        connectionId: c.id,
        windowStart: since,
        windowEnd: until,
      })),
  );
  if (created.length === 0) return [];
  await appendAudit(deps.prisma, {
    workspaceId: r.workspaceId,
    actorType: "system",
    actorLabel: `rollout ${r.id}`,
    action: "impact.requested",
    targetType: "guardrail",
    targetId: r.guardrailId,
    data: { version: r.targetVersion, rolloutId: r.id, connections: created.map((c) => c.connectionId), reports: created.map((c) => c.id) },
  });
  for (const c of created) {
    try {
      await deps.jobs.requestImpact(c.id);
    } catch (e) {
      // The row stays queued and the stage waits for it; "Replay" on the Would-have-blocked tab queues it again.
      log().warn({ reportId: c.id, reason: (e as Error).message }, "impact replay not queued");
    }
  }
  return created.map((c) => c.id);
}
