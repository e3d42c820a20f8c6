/** Formatting shared by the HTML, text and CSV renderings, so all three say the same thing. */
import type { TCloudName, TReportModel } from "./model.ts";
import { formatLocalDate, formatLocalDateTime } from "./zoned-time.ts";

export const CLOUD_LABELS: Record<TCloudName, string> = { aws: "AWS", azure: "Azure", gcp: "Google Cloud", oci: "Oracle Cloud" };

export function fmtPct(p: number | null): string {
  return p === null ? "n/a" : `${p.toFixed(1)}%`;
}

export function fmtPts(p: number | null): string {
  if (p === null) return "no change data";
  if (p === 0) return "no change";
  return `${p > 0 ? "+" : "−"}${Math.abs(p).toFixed(1)} pts`;
}

/** "45 min", "3 h 20 min", "2 d 4 h". */
export function fmtDuration(minutes: number | null): string {
  if (minutes === null) return "n/a";
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(minutes / (24 * 60));
  const h = Math.floor((minutes % (24 * 60)) / 60);
  return h ? `${d} d ${h} h` : `${d} d`;
}

export function fmtDate(iso: string, model: TReportModel): string {
  return formatLocalDate(new Date(iso), model.timezone);
}

export function fmtDateTime(iso: string, model: TReportModel): string {
  return formatLocalDateTime(new Date(iso), model.timezone);
}

export function reportSubject(model: TReportModel): string {
  const change = model.headline.changePts;
  const changeText = change === null || change === 0 ? "" : ` (${fmtPts(change)})`;
  return `${model.workspace.name}: ${fmtPct(model.headline.coverage.coveragePct)} guardrail coverage${changeText}, week ending ${model.period.endLabel}`;
}

export const COVERAGE_DEFINITION =
  "Coverage is the share of environment × guardrail pairs where the guardrail is enforced by the cloud itself, out of all pairs except approved exemptions. Audit-mode, drifted, pending and unsupported pairs count as not covered.";
