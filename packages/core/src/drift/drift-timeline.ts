import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { dailyCounts } from "./drift.repository.ts";

/** Drift opened and resolved per UTC day for the last `days` days, oldest first, zero-filled. */
export async function driftTimeline(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, days: number) {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const since = new Date(today.getTime() - (days - 1) * 86_400_000);
  const { opened, resolved } = await dailyCounts(deps.prisma, actor.workspaceId, since);
  const key = (d: Date) => d.toISOString().slice(0, 10);
  const o = new Map(opened.map((r) => [key(r.day), Number(r.n)]));
  const r = new Map(resolved.map((x) => [key(x.day), Number(x.n)]));
  return Array.from({ length: days }, (_, i) => {
    const day = key(new Date(since.getTime() + i * 86_400_000));
    return { day, opened: o.get(day) ?? 0, resolved: r.get(day) ?? 0 };
  });
}
