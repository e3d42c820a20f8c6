/**
 * Denials in the weekly report (issue 17): the real calls the clouds refused during the report's week and
 * the week before, per guardrail for Parapet's and in one line for the customer's own policies, so a
 * guardrail that suddenly refuses many more calls (or one that stopped refusing) shows.
 */
import type { DbClient } from "../common/actor.ts";
import { denialCountsBetween, guardrailNamesForDenials } from "./denials.repository.ts";

export interface TWeeklyDenials {
  thisWeek: { parapet: number; notParapet: number };
  lastWeek: { parapet: number; notParapet: number };
  /** Parapet's guardrails that refused a call in either week, most refusals this week first. */
  byGuardrail: Array<{ guardrailId: string; guardrail: string; thisWeek: number; lastWeek: number }>;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Counts for [start, end) and the seven days before `start`; undefined when neither week has a denial.
 * The week before is the same length in hours as the report's own period unless it spans a DST change
 * (a week's hour more or less is not worth a zoned computation here: the counts are a comparison).
 */
export async function weeklyDenials(
  db: DbClient,
  workspaceId: string,
  period: { start: Date; end: Date },
): Promise<TWeeklyDenials | undefined> {
  const lastStart = new Date(period.start.getTime() - WEEK_MS);
  const [now, before] = await Promise.all([
    denialCountsBetween(db, workspaceId, period.start, period.end),
    denialCountsBetween(db, workspaceId, lastStart, period.start),
  ]);
  if (now.length === 0 && before.length === 0) return undefined;
  const out: TWeeklyDenials = { thisWeek: { parapet: 0, notParapet: 0 }, lastWeek: { parapet: 0, notParapet: 0 }, byGuardrail: [] };
  const per = new Map<string, { thisWeek: number; lastWeek: number }>();
  for (const [rows, week] of [
    [now, "thisWeek"],
    [before, "lastWeek"],
  ] as const) {
    for (const r of rows) {
      const n = r._count._all;
      // A Parapet denial whose guardrail id was lost (the guardrail deleted) still counts as Parapet's.
      if (r.parapet) out[week].parapet += n;
      else out[week].notParapet += n;
      if (!r.parapet || !r.guardrailId) continue;
      const g = per.get(r.guardrailId) ?? { thisWeek: 0, lastWeek: 0 };
      g[week] += n;
      per.set(r.guardrailId, g);
    }
  }
  const names = await guardrailNamesForDenials(db, workspaceId, [...per.keys()]);
  out.byGuardrail = [...per.entries()]
    .map(([guardrailId, c]) => ({ guardrailId, guardrail: names.get(guardrailId) ?? "a deleted guardrail", ...c }))
    .sort((a, b) => b.thisWeek - a.thisWeek || b.lastWeek - a.lastWeek || a.guardrail.localeCompare(b.guardrail));
  return out;
}
