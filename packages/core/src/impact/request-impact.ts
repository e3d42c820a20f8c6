import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, invalidField, notFound } from "../common/errors.ts";
import { createReports, findGuardrailForImpact, pendingReports, replayableConnections } from "./impact.repository.ts";
import { ZRequestImpactInput, type TRequestImpactInput } from "./impact.schema.ts";

const DAY_MS = 86_400_000;

/**
 * Asks for a replay of the guardrail's current version over the last `days` on each chosen connection.
 * A replay already waiting or running for the same version and connection is reused, not doubled:
 * each reads the cloud's audit log at its (low) rate limit.
 */
export async function requestImpact(
  deps: Pick<UseCaseDeps, "prisma" | "jobs">,
  actor: Actor,
  guardrailId: string,
  raw: TRequestImpactInput,
) {
  const input = ZRequestImpactInput.parse(raw);
  const g = await findGuardrailForImpact(deps.prisma, actor.workspaceId, guardrailId);
  if (!g) throw notFound("guardrail", guardrailId.slice(0, 100));
  const all = await replayableConnections(deps.prisma, actor.workspaceId);
  let chosen = all;
  if (input.connectionIds) {
    const byId = new Map(all.map((c) => [c.id, c]));
    const unknown = input.connectionIds.find((id) => !byId.has(id));
    if (unknown) throw invalidField("connectionIds", `no connection "${unknown.slice(0, 64)}" that can replay in this workspace`);
    chosen = [...new Set(input.connectionIds)].map((id) => byId.get(id)!);
  }
  if (chosen.length === 0) {
    throw new AppError("conflict", "no connected cloud to replay: connect a cloud (with credentials) first");
  }
  const version = g.currentVersion;
  const pending = new Map((await pendingReports(deps.prisma, g.id, version)).map((r) => [r.connectionId, r.id]));
  const until = new Date();
  const since = new Date(until.getTime() - input.days * DAY_MS);
  const fresh = chosen.filter((c) => !pending.has(c.id));
  const created = await createReports(
    deps.prisma,
    fresh.map((c) => ({
      workspaceId: actor.workspaceId,
      guardrailId: g.id,
      guardrailVersion: version,
      connectionId: c.id,
      windowStart: since,
      windowEnd: until,
      requestedById: actor.userId,
    })),
  );
  await appendAudit(deps.prisma, {
    ...auditBy(actor),
    action: "impact.requested",
    targetType: "guardrail",
    targetId: g.id,
    data: { version, days: input.days, connections: created.map((r) => r.connectionId), reports: created.map((r) => r.id) },
  });
  // After the rows committed: the worker must find them.
  for (const r of created) await deps.jobs.requestImpact(r.id);
  return {
    guardrailId: g.id,
    version,
    reports: [
      ...created.map((r) => ({ id: r.id, connectionId: r.connectionId, queued: true })),
      ...chosen.filter((c) => pending.has(c.id)).map((c) => ({ id: pending.get(c.id)!, connectionId: c.id, queued: false })),
    ],
  };
}
