/**
 * Daily coverage sampling: CoverageRow holds only the present, so once a day (and right before each
 * report) its counts are copied into CoverageSample per workspace × day × cloud × guardrail. Reports
 * read trends from these samples, never from the live matrix.
 */
import type { PrismaClient } from "@parapet/db";
import { AppError } from "../common/errors.ts";
import { coverageSampleInputs, replaceCoverageSamples } from "./report-store.repository.ts";
import {
  COVERAGE_STATUSES,
  ENVIRONMENTS_SAMPLE_ID,
  FIDELITIES,
  type TCloudName,
  type TEnvironmentSampleCounts,
  type TSampleCounts,
} from "./model.ts";

export interface TSampleResult {
  day: string;
  /** Sample rows written (guardrail rows plus one environment summary per cloud). */
  rows: number;
}

function emptySample(): TSampleCounts {
  return {
    enforced: 0,
    audit: 0,
    exempt: 0,
    drifted: 0,
    unsupported: 0,
    unknown: 0,
    pending: 0,
    total: 0,
    fidelity: { enforced: 0, partial: 0, detective: 0, unsupported: 0 },
  };
}

function toSampleDay(day: string | Date): string {
  const s = typeof day === "string" ? day : day.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`)))
    throw new AppError("validation", `day: expected YYYY-MM-DD, got "${s.slice(0, 40)}"`);
  return s;
}

/**
 * Writes the workspace's coverage counts for `day` (a local calendar date, "YYYY-MM-DD"; a Date is
 * read as its UTC date). Idempotent: re-sampling the same day replaces that day's rows, so the last
 * sample of a day wins and no row is ever doubled.
 */
export async function sampleCoverage(prisma: PrismaClient, workspaceId: string, day: string | Date): Promise<TSampleResult> {
  const dayStr = toSampleDay(day);
  const dayDate = new Date(`${dayStr}T00:00:00Z`);
  const [groups, connections, envGroups, notCovered, withRows] = await coverageSampleInputs(prisma, workspaceId);
  const cloudOf = new Map(connections.map((c) => [c.id, c.cloud]));

  const perKey = new Map<string, { cloud: TCloudName; guardrailId: string; counts: TSampleCounts }>();
  for (const g of groups) {
    const cloud = cloudOf.get(g.connectionId);
    if (!cloud) continue;
    const key = `${cloud}|${g.guardrailId}`;
    let e = perKey.get(key);
    if (!e) perKey.set(key, (e = { cloud, guardrailId: g.guardrailId, counts: emptySample() }));
    const n = g._count._all;
    e.counts[g.status] += n;
    e.counts.total += n;
    const fid = (FIDELITIES as readonly string[]).includes(g.fidelity) ? (g.fidelity as (typeof FIDELITIES)[number]) : "unsupported";
    e.counts.fidelity[fid] += n;
  }

  const envByCloud = new Map<TCloudName, TEnvironmentSampleCounts>();
  const envOf = (cloud: TCloudName) => {
    let e = envByCloud.get(cloud);
    if (!e) envByCloud.set(cloud, (e = { environments: 0, fullyCovered: 0 }));
    return e;
  };
  for (const g of envGroups) {
    const cloud = cloudOf.get(g.connectionId);
    if (cloud) envOf(cloud).environments += g._count._all;
  }
  const gaps = new Set(notCovered.map((r) => r.nodeId));
  for (const r of withRows) {
    const cloud = cloudOf.get(r.connectionId);
    if (cloud && !gaps.has(r.nodeId)) envOf(cloud).fullyCovered += 1;
  }

  const data = [
    ...[...perKey.values()].map((e) => ({ workspaceId, day: dayDate, cloud: e.cloud, guardrailId: e.guardrailId, counts: e.counts })),
    ...[...envByCloud.entries()].map(([cloud, counts]) => ({
      workspaceId,
      day: dayDate,
      cloud,
      guardrailId: ENVIRONMENTS_SAMPLE_ID,
      counts,
    })),
  ];
  await replaceCoverageSamples(prisma, workspaceId, dayDate, data);
  return { day: dayStr, rows: data.length };
}

/** Narrows a stored `counts` JSON to guardrail sample counts (tolerating missing keys). */
export function readSampleCounts(json: unknown): TSampleCounts {
  const o = (json ?? {}) as Record<string, unknown>;
  const out = emptySample();
  for (const s of COVERAGE_STATUSES) out[s] = typeof o[s] === "number" ? o[s] : 0;
  out.total = typeof o.total === "number" ? o.total : COVERAGE_STATUSES.reduce((a, s) => a + out[s], 0);
  const f = (o.fidelity ?? {}) as Record<string, unknown>;
  for (const k of FIDELITIES) out.fidelity[k] = typeof f[k] === "number" ? f[k] : 0;
  return out;
}

export function readEnvironmentCounts(json: unknown): TEnvironmentSampleCounts {
  const o = (json ?? {}) as Record<string, unknown>;
  return {
    environments: typeof o.environments === "number" ? o.environments : 0,
    fullyCovered: typeof o.fullyCovered === "number" ? o.fullyCovered : 0,
  };
}
