import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { findConnection, latestRun } from "./connections.repository.ts";

/** The latest plan preview the worker produced for this connection (or none yet). */
export async function getConnectionPreview(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, id: string) {
  const c = await findConnection(deps.prisma, actor.workspaceId, id);
  if (!c) throw notFound("connection", id);
  const run = await latestRun(deps.prisma, id, "preview");
  if (!run) return { id: null, status: "none", plan: null, error: null, startedAt: null, finishedAt: null };
  return {
    id: run.id,
    status: run.status,
    plan: run.plan ?? null,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
