/**
 * The weekly report model: everything the HTML, text and CSV renderings and the dashboard page show,
 * computed once from stored history and kept verbatim in ReportSnapshot.model. Renderers read only
 * this, so a past report re-renders exactly as it was sent. Plain JSON (ISO strings, no Dates).
 */
import { AppError } from "../common/errors.ts";
import type { TWeeklyRollout } from "../rollouts/weekly-rollouts.ts";
import type { TWeeklyPosture } from "../posture/weekly-posture.ts";
import type { TWeeklyDenials } from "../denials/weekly-denials.ts";

export const REPORT_MODEL_VERSION = 1;

export const COVERAGE_STATUSES = ["enforced", "audit", "exempt", "drifted", "unsupported", "unknown", "pending"] as const;
export type TCoverageStatus = (typeof COVERAGE_STATUSES)[number];
export const FIDELITIES = ["enforced", "partial", "detective", "unsupported"] as const;
export type TFidelityName = (typeof FIDELITIES)[number];
export type TCloudName = "aws" | "azure" | "gcp" | "oci";

/** Environment × guardrail pairs by coverage status, plus their total. */
export type TStatusCounts = Record<TCoverageStatus, number> & { total: number };

/** What one CoverageSample row holds in `counts`. */
export interface TSampleCounts extends TStatusCounts {
  fidelity: Record<TFidelityName, number>;
}

/** The per-cloud environment summary is stored as a sample row under this pseudo guardrail id. */
export const ENVIRONMENTS_SAMPLE_ID = "__environments__";
export interface TEnvironmentSampleCounts {
  environments: number;
  /** Environments where every guardrail that applies is enforced (or exempted). */
  fullyCovered: number;
}

export interface TCoverageLine {
  counts: TStatusCounts;
  /** enforced ÷ (total − exempt), in percent with one decimal; null when nothing applies. */
  coveragePct: number | null;
}

export interface TReportModel {
  version: typeof REPORT_MODEL_VERSION;
  workspace: { id: string; name: string };
  timezone: string;
  period: { start: string; end: string; label: string; endLabel: string };
  generatedAt: string;
  /** The day of the coverage sample the headline numbers come from (local date), null without samples. */
  sampleDay: string | null;
  headline: {
    coverage: TCoverageLine;
    /** Percentage points against the sample one week earlier; null when either side is missing. */
    changePts: number | null;
    environments: { total: number; fullyCovered: number };
    openDrift: number;
    driftOpened: number;
    driftRepaired: number;
    medianRepairMinutes: number | null;
    worstRepairMinutes: number | null;
    expiringExemptions: number;
    pendingApprovals: number;
    fidelityGaps: number;
  };
  trend: Array<{ weekEnd: string; label: string; sampleDay: string | null; coveragePct: number | null }>;
  byCloud: Array<TCoverageLine & { cloud: TCloudName; environments: number; fullyCovered: number }>;
  byGuardrail: Array<TCoverageLine & { guardrailId: string; name: string; controlId: string; changePts: number | null }>;
  byFramework: Array<TCoverageLine & { framework: string; ref: string; controls: string[] }>;
  newEnvironments: Array<{
    nodeId: string;
    name: string;
    externalId: string;
    cloud: TCloudName;
    connection: string;
    discoveredAt: string;
    state: "uncovered" | "partially covered";
  }>;
  drift: {
    opened: number;
    repaired: number;
    medianRepairMinutes: number | null;
    worstRepairMinutes: number | null;
    /** Incidents repaired during the period, slowest first (capped; `repaired` has the full count). */
    incidents: Array<{
      id: string;
      kind: string;
      summary: string;
      cloud: TCloudName;
      guardrail: string | null;
      environment: string | null;
      openedAt: string;
      resolvedAt: string;
      repairMinutes: number;
      resolution: string | null;
    }>;
  };
  openDrift: {
    total: number;
    items: Array<{
      id: string;
      kind: string;
      summary: string;
      cloud: TCloudName;
      guardrail: string | null;
      environment: string | null;
      openedAt: string;
      ageMinutes: number;
    }>;
  };
  exemptions: {
    windowDays: number;
    items: Array<{
      id: string;
      guardrail: string;
      environment: string;
      cloud: TCloudName;
      ownerEmail: string;
      reason: string;
      expiresAt: string;
      daysLeft: number;
    }>;
  };
  approvals: {
    total: number;
    items: Array<{ id: string; action: string; summary: string; requestedBy: string; createdAt: string; ageDays: number }>;
  };
  fidelityGaps: Array<{
    guardrailId: string;
    guardrail: string;
    controlId: string;
    cloud: TCloudName;
    fidelity: TFidelityName;
    gap: string;
    pairs: number;
  }>;
  /** Staged rollouts that changed state in the period (absent from snapshots taken before rollouts existed). */
  rollouts?: TWeeklyRollout[];
  /** The customer's own policies (posture scans): absent until a connection was scanned. */
  posture?: TWeeklyPosture;
  /** Real calls the clouds refused, this week against last (absent when neither week had one, and in older snapshots). */
  denials?: TWeeklyDenials;
  /** Caveats the reader needs (missing history, capped lists). */
  notes: string[];
}

export function emptyCounts(): TStatusCounts {
  return { enforced: 0, audit: 0, exempt: 0, drifted: 0, unsupported: 0, unknown: 0, pending: 0, total: 0 };
}

export function addCounts(into: TStatusCounts, c: Partial<TStatusCounts>): TStatusCounts {
  for (const s of COVERAGE_STATUSES) into[s] += c[s] ?? 0;
  into.total += c.total ?? 0;
  return into;
}

function coveragePct(c: TStatusCounts): number | null {
  const applicable = c.total - c.exempt;
  if (applicable <= 0) return null;
  return Math.round((c.enforced / applicable) * 1000) / 10;
}

export function line(counts: TStatusCounts): TCoverageLine {
  return { counts, coveragePct: coveragePct(counts) };
}

/** A stored model, checked for the version the renderers understand. */
export function asReportModel(json: unknown): TReportModel {
  const v = (json as { version?: unknown } | null)?.version;
  if (v !== REPORT_MODEL_VERSION)
    throw new AppError("precondition", `report model version ${String(v)} is not supported (expected ${REPORT_MODEL_VERSION})`);
  return json as TReportModel;
}
