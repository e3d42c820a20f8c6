import { getControl } from "../catalog/catalog.ts";
import type { DbClient as PrismaClient } from "../common/actor.ts";
import { weeklyPostureRows } from "./posture.repository.ts";

/** The weekly report's posture section: what the customer's own policies already enforce, lockout risks, drifted watched policies. */
export interface TWeeklyPosture {
  connections: Array<{ name: string; cloud: string; scannedAt: string | null; policies: number; lockouts: number; drifted: string[] }>;
  controls: Array<{ controlId: string; title: string; enforced: number; partial: number; none: number }>;
}

export async function weeklyPosture(prisma: PrismaClient, workspaceId: string): Promise<TWeeklyPosture | undefined> {
  const { scans, drifted, results } = await weeklyPostureRows(prisma, workspaceId);
  if (scans.length === 0) return undefined;
  const controls = new Map<string, { enforced: number; partial: number; none: number }>();
  for (const r of results) {
    const c = controls.get(r.controlId) ?? { enforced: 0, partial: 0, none: 0 };
    if (r.status === "enforced" || r.status === "partial" || r.status === "none") c[r.status] += r._count._all;
    controls.set(r.controlId, c);
  }
  return {
    connections: scans.map((s) => ({
      name: s.connection.name,
      cloud: s.connection.cloud,
      scannedAt: s.finishedAt?.toISOString() ?? null,
      policies: s.policies,
      lockouts: Array.isArray(s.lockouts) ? s.lockouts.length : 0,
      drifted: drifted.filter((d) => d.connectionId === s.connectionId).map((d) => d.name),
    })),
    controls: [...controls.entries()]
      .filter(([, c]) => c.enforced + c.partial > 0)
      .map(([controlId, c]) => ({ controlId, title: getControl(controlId)?.title ?? controlId, ...c }))
      .sort((a, b) => b.enforced - a.enforced || a.controlId.localeCompare(b.controlId)),
  };
}
