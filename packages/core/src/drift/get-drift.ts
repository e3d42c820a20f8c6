import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { driftView } from "./drift-view.ts";
import { auditAbout, findDrift } from "./drift.repository.ts";

export async function getDrift(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const d = await findDrift(deps.prisma, actor.workspaceId, id);
  if (!d) throw notFound("drift finding", id);
  const events = await auditAbout(deps.prisma, actor.workspaceId, "drift", id);
  return {
    ...driftView(d),
    expected: d.expected ?? null,
    observed: d.observed ?? null,
    timeline: events.map((e) => ({
      id: e.id,
      seq: e.seq,
      action: e.action,
      actor: e.actorLabel,
      data: e.data,
      at: e.createdAt.toISOString(),
    })),
  };
}
