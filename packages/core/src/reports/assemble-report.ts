/**
 * Pure assembly of the report model from loaded history (no I/O, no clock: `generatedAt` is an
 * input), so the arithmetic (coverage, trend, time to repair, framework roll-up) is unit-tested.
 */
import { getControl } from "../catalog/catalog.ts";
import type { TCloud } from "../catalog/types.ts";
import {
  addCounts,
  emptyCounts,
  ENVIRONMENTS_SAMPLE_ID,
  line,
  REPORT_MODEL_VERSION,
  type TCloudName,
  type TFidelityName,
  type TReportModel,
  type TStatusCounts,
} from "./model.ts";
import { readEnvironmentCounts, readSampleCounts } from "./sample-coverage.ts";
import { addDays, formatLocalDate, formatShortDay, localDateString } from "./zoned-time.ts";

export const TREND_WEEKS = 8;
export const EXEMPTION_WINDOW_DAYS = 14;
const LIST_CAP = 50;
const CLOUD_ORDER: TCloudName[] = ["aws", "azure", "gcp", "oci"];

export interface TReportInput {
  workspace: { id: string; name: string };
  timezone: string;
  period: { start: Date; end: Date };
  generatedAt: Date;
  samples: Array<{ day: string; cloud: TCloudName; guardrailId: string; counts: unknown }>;
  guardrails: Array<{ id: string; name: string; controlId: string }>;
  drift: Array<{
    id: string;
    kind: string;
    summary: string;
    cloud: TCloudName;
    guardrail: string | null;
    environment: string | null;
    openedAt: Date;
    resolvedAt: Date | null;
    resolution: string | null;
  }>;
  newEnvironments: Array<{
    nodeId: string;
    name: string;
    externalId: string;
    cloud: TCloudName;
    connection: string;
    discoveredAt: Date;
    pairs: number;
    covered: number;
  }>;
  exemptions: Array<{
    id: string;
    guardrail: string;
    environment: string;
    cloud: TCloudName;
    ownerEmail: string;
    reason: string;
    expiresAt: Date;
  }>;
  approvals: Array<{ id: string; action: string; summary: string; requestedBy: string; createdAt: Date }>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/** Which clouds a framework's references speak about (NIST is cloud-neutral). */
function frameworkCloud(framework: string): TCloud | null {
  if (framework.startsWith("CIS AWS")) return "aws";
  if (framework.startsWith("CIS Azure")) return "azure";
  if (framework.startsWith("CIS GCP")) return "gcp";
  if (framework.startsWith("CIS OCI")) return "oci";
  return null;
}

function diffPts(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.round((a - b) * 10) / 10;
}

export function assembleReportModel(input: TReportInput): TReportModel {
  const { timezone: tz, period } = input;
  const endDay = localDateString(new Date(period.end.getTime() - 1), tz);
  const guardrailById = new Map(input.guardrails.map((g) => [g.id, g]));

  // Samples by day; the point for a week is its latest sampled day within that week.
  const byDay = new Map<string, TReportInput["samples"]>();
  for (const s of input.samples) byDay.set(s.day, [...(byDay.get(s.day) ?? []), s]);
  const days = [...byDay.keys()].sort();
  const latestIn = (fromExclusive: string, toInclusive: string) =>
    [...days].reverse().find((d) => d <= toInclusive && d > fromExclusive) ?? null;
  const totalOf = (day: string | null): TStatusCounts | null => {
    if (!day) return null;
    const c = emptyCounts();
    for (const s of byDay.get(day) ?? []) if (s.guardrailId !== ENVIRONMENTS_SAMPLE_ID) addCounts(c, readSampleCounts(s.counts));
    return c;
  };

  const trend: TReportModel["trend"] = [];
  for (let i = TREND_WEEKS - 1; i >= 0; i--) {
    const weekEnd = addDays(endDay, -7 * i);
    const sampleDay = latestIn(addDays(weekEnd, -7), weekEnd);
    const c = totalOf(sampleDay);
    trend.push({ weekEnd, label: formatShortDay(weekEnd), sampleDay, coveragePct: c ? line(c).coveragePct : null });
  }
  const current = trend[trend.length - 1]!;
  const previous = trend[trend.length - 2] ?? null;
  const currentRows = current.sampleDay ? (byDay.get(current.sampleDay) ?? []) : [];
  const previousRows = previous?.sampleDay ? (byDay.get(previous.sampleDay) ?? []) : [];

  // By cloud.
  const cloudCounts = new Map<TCloudName, { counts: TStatusCounts; environments: number; fullyCovered: number }>();
  const cloudOf = (c: TCloudName) => {
    let e = cloudCounts.get(c);
    if (!e) cloudCounts.set(c, (e = { counts: emptyCounts(), environments: 0, fullyCovered: 0 }));
    return e;
  };
  for (const s of currentRows) {
    if (s.guardrailId === ENVIRONMENTS_SAMPLE_ID) {
      const env = readEnvironmentCounts(s.counts);
      cloudOf(s.cloud).environments += env.environments;
      cloudOf(s.cloud).fullyCovered += env.fullyCovered;
    } else addCounts(cloudOf(s.cloud).counts, readSampleCounts(s.counts));
  }
  const byCloud = CLOUD_ORDER.filter((c) => cloudCounts.has(c)).map((cloud) => {
    const e = cloudCounts.get(cloud)!;
    return { cloud, ...line(e.counts), environments: e.environments, fullyCovered: e.fullyCovered };
  });

  // By guardrail, with the change against the previous week's sample.
  const perGuardrail = (rows: TReportInput["samples"]) => {
    const m = new Map<string, TStatusCounts>();
    for (const s of rows) {
      if (s.guardrailId === ENVIRONMENTS_SAMPLE_ID) continue;
      m.set(s.guardrailId, addCounts(m.get(s.guardrailId) ?? emptyCounts(), readSampleCounts(s.counts)));
    }
    return m;
  };
  const nowByG = perGuardrail(currentRows);
  const prevByG = perGuardrail(previousRows);
  const byGuardrail = [...nowByG.entries()]
    .map(([guardrailId, counts]) => {
      const g = guardrailById.get(guardrailId);
      const l = line(counts);
      const prev = prevByG.get(guardrailId);
      return {
        guardrailId,
        name: g?.name ?? `deleted guardrail ${guardrailId}`,
        controlId: g?.controlId ?? "unknown",
        ...l,
        changePts: diffPts(l.coveragePct, prev ? line(prev).coveragePct : null),
      };
    })
    .sort((a, b) => (a.coveragePct ?? 101) - (b.coveragePct ?? 101) || a.name.localeCompare(b.name));

  // By framework control: each guardrail's pairs count toward the references of its control that
  // concern the pair's cloud.
  const fw = new Map<string, { framework: string; ref: string; controls: Set<string>; counts: TStatusCounts }>();
  const gaps: TReportModel["fidelityGaps"] = [];
  for (const s of currentRows) {
    if (s.guardrailId === ENVIRONMENTS_SAMPLE_ID) continue;
    const g = guardrailById.get(s.guardrailId);
    const control = g ? getControl(g.controlId) : undefined;
    if (!g || !control) continue;
    const counts = readSampleCounts(s.counts);
    for (const ref of control.frameworks) {
      const only = frameworkCloud(ref.framework);
      if (only && only !== s.cloud) continue;
      const key = `${ref.framework}|${ref.ref}`;
      let e = fw.get(key);
      if (!e) fw.set(key, (e = { framework: ref.framework, ref: ref.ref, controls: new Set(), counts: emptyCounts() }));
      e.controls.add(control.title);
      addCounts(e.counts, counts);
    }
    const compiler = control.clouds[s.cloud];
    for (const f of ["partial", "detective", "unsupported"] as TFidelityName[]) {
      const pairs = counts.fidelity[f];
      if (pairs > 0)
        gaps.push({
          guardrailId: g.id,
          guardrail: g.name,
          controlId: g.controlId,
          cloud: s.cloud,
          fidelity: f,
          gap: compiler.gap ?? "The cloud cannot express this control natively.",
          pairs,
        });
    }
  }
  const byFramework = [...fw.values()]
    .map((e) => ({ framework: e.framework, ref: e.ref, controls: [...e.controls].sort(), ...line(e.counts) }))
    .sort((a, b) => a.framework.localeCompare(b.framework) || a.ref.localeCompare(b.ref, undefined, { numeric: true }));
  gaps.sort((a, b) => a.guardrail.localeCompare(b.guardrail) || CLOUD_ORDER.indexOf(a.cloud) - CLOUD_ORDER.indexOf(b.cloud));

  // Drift: incidents repaired in the period, and what is still open at its end.
  const start = period.start.getTime();
  const end = period.end.getTime();
  const repaired = input.drift
    .filter((d) => d.resolvedAt && d.resolvedAt.getTime() >= start && d.resolvedAt.getTime() < end)
    .map((d) => ({ d, minutes: Math.max(0, Math.round((d.resolvedAt!.getTime() - d.openedAt.getTime()) / MINUTE)) }));
  const repairMinutes = repaired.map((r) => r.minutes);
  const opened = input.drift.filter((d) => d.openedAt.getTime() >= start && d.openedAt.getTime() < end).length;
  const open = input.drift
    .filter((d) => d.openedAt.getTime() < end && (!d.resolvedAt || d.resolvedAt.getTime() >= end))
    .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  const incidents = repaired
    .sort((a, b) => b.minutes - a.minutes || a.d.id.localeCompare(b.d.id))
    .slice(0, LIST_CAP)
    .map(({ d, minutes }) => ({
      id: d.id,
      kind: d.kind,
      summary: d.summary,
      cloud: d.cloud,
      guardrail: d.guardrail,
      environment: d.environment,
      openedAt: d.openedAt.toISOString(),
      resolvedAt: d.resolvedAt!.toISOString(),
      repairMinutes: minutes,
      resolution: d.resolution,
    }));
  const medianRepair = median(repairMinutes);
  const worstRepair = repairMinutes.length ? Math.max(...repairMinutes) : null;

  const newEnvironments = input.newEnvironments
    .filter((n) => n.pairs === 0 || n.covered < n.pairs)
    .sort((a, b) => a.discoveredAt.getTime() - b.discoveredAt.getTime() || a.name.localeCompare(b.name))
    .map((n) => ({
      nodeId: n.nodeId,
      name: n.name,
      externalId: n.externalId,
      cloud: n.cloud,
      connection: n.connection,
      discoveredAt: n.discoveredAt.toISOString(),
      state: n.covered === 0 ? ("uncovered" as const) : ("partially covered" as const),
    }));

  const exemptions = input.exemptions
    .filter((e) => e.expiresAt.getTime() >= end && e.expiresAt.getTime() < end + EXEMPTION_WINDOW_DAYS * DAY)
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
    .map((e) => ({ ...e, expiresAt: e.expiresAt.toISOString(), daysLeft: Math.floor((e.expiresAt.getTime() - end) / DAY) }));
  const approvals = input.approvals
    .filter((a) => a.createdAt.getTime() < end)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((a) => ({ ...a, createdAt: a.createdAt.toISOString(), ageDays: Math.floor((end - a.createdAt.getTime()) / DAY) }));

  const environments = byCloud.reduce((a, c) => ({ total: a.total + c.environments, fullyCovered: a.fullyCovered + c.fullyCovered }), {
    total: 0,
    fullyCovered: 0,
  });
  const headlineCounts = totalOf(current.sampleDay) ?? emptyCounts();

  const notes: string[] = [];
  if (!current.sampleDay) notes.push("No coverage sample exists for this week yet, so coverage figures are empty.");
  const firstWithData = trend.find((t) => t.sampleDay);
  if (firstWithData && firstWithData !== trend[0]) notes.push(`Coverage history starts in the week ending ${firstWithData.label}.`);
  if (repaired.length > LIST_CAP) notes.push(`The ${LIST_CAP} slowest of ${repaired.length} repaired drift incidents are listed.`);
  if (open.length > LIST_CAP) notes.push(`The ${LIST_CAP} oldest of ${open.length} open drift findings are listed.`);
  if (approvals.length > LIST_CAP) notes.push(`The ${LIST_CAP} oldest of ${approvals.length} pending approvals are listed.`);

  return {
    version: REPORT_MODEL_VERSION,
    workspace: input.workspace,
    timezone: tz,
    period: {
      start: period.start.toISOString(),
      end: period.end.toISOString(),
      label: `${formatLocalDate(period.start, tz)} – ${formatLocalDate(new Date(end - 1), tz)}`,
      endLabel: formatLocalDate(new Date(end - 1), tz),
    },
    generatedAt: input.generatedAt.toISOString(),
    sampleDay: current.sampleDay,
    headline: {
      coverage: line(headlineCounts),
      changePts: diffPts(current.coveragePct, previous?.coveragePct ?? null),
      environments,
      openDrift: open.length,
      driftOpened: opened,
      driftRepaired: repaired.length,
      medianRepairMinutes: medianRepair,
      worstRepairMinutes: worstRepair,
      expiringExemptions: exemptions.length,
      pendingApprovals: approvals.length,
      fidelityGaps: gaps.length,
    },
    trend,
    byCloud,
    byGuardrail,
    byFramework,
    newEnvironments,
    drift: { opened, repaired: repaired.length, medianRepairMinutes: medianRepair, worstRepairMinutes: worstRepair, incidents },
    openDrift: {
      total: open.length,
      items: open.slice(0, LIST_CAP).map((d) => ({
        id: d.id,
        kind: d.kind,
        summary: d.summary,
        cloud: d.cloud,
        guardrail: d.guardrail,
        environment: d.environment,
        openedAt: d.openedAt.toISOString(),
        ageMinutes: Math.round((end - d.openedAt.getTime()) / MINUTE),
      })),
    },
    exemptions: { windowDays: EXEMPTION_WINDOW_DAYS, items: exemptions },
    approvals: { total: approvals.length, items: approvals.slice(0, LIST_CAP) },
    fidelityGaps: gaps,
    notes,
  };
}
