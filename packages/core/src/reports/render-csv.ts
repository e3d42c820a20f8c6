/**
 * CSV exports of the report's tables (RFC 4180: CRLF, quoted when needed). Cells that a spreadsheet
 * would run as a formula (=, +, -, @ first) are prefixed with an apostrophe, since names and
 * summaries come from cloud tags that anyone with tag rights can set.
 */
import { CLOUD_LABELS } from "./format.ts";
import type { TReportModel } from "./model.ts";

export const REPORT_CSV_TABLES = [
  "trend",
  "clouds",
  "guardrails",
  "frameworks",
  "new-environments",
  "drift-repaired",
  "drift-open",
  "exemptions",
  "approvals",
  "fidelity-gaps",
] as const;
export type TReportCsvTable = (typeof REPORT_CSV_TABLES)[number];

type Cell = string | number | null;

export function csvCell(v: Cell): string {
  if (v === null) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export function renderReportCsv(model: TReportModel, tableName: TReportCsvTable): string {
  switch (tableName) {
    case "trend":
      return csv(
        ["week_end", "sample_day", "coverage_pct"],
        model.trend.map((t) => [t.weekEnd, t.sampleDay, t.coveragePct]),
      );
    case "clouds":
      return csv(
        [
          "cloud",
          "coverage_pct",
          "enforced",
          "audit",
          "exempt",
          "drifted",
          "unsupported",
          "unknown",
          "pending",
          "pairs",
          "environments",
          "environments_fully_covered",
        ],
        model.byCloud.map((c) => [
          CLOUD_LABELS[c.cloud],
          c.coveragePct,
          c.counts.enforced,
          c.counts.audit,
          c.counts.exempt,
          c.counts.drifted,
          c.counts.unsupported,
          c.counts.unknown,
          c.counts.pending,
          c.counts.total,
          c.environments,
          c.fullyCovered,
        ]),
      );
    case "guardrails":
      return csv(
        [
          "guardrail",
          "control_id",
          "coverage_pct",
          "change_pts",
          "enforced",
          "audit",
          "exempt",
          "drifted",
          "unsupported",
          "unknown",
          "pending",
          "pairs",
        ],
        model.byGuardrail.map((g) => [
          g.name,
          g.controlId,
          g.coveragePct,
          g.changePts,
          g.counts.enforced,
          g.counts.audit,
          g.counts.exempt,
          g.counts.drifted,
          g.counts.unsupported,
          g.counts.unknown,
          g.counts.pending,
          g.counts.total,
        ]),
      );
    case "frameworks":
      return csv(
        ["framework", "control", "parapet_controls", "coverage_pct", "enforced", "pairs"],
        model.byFramework.map((f) => [f.framework, f.ref, f.controls.join("; "), f.coveragePct, f.counts.enforced, f.counts.total]),
      );
    case "new-environments":
      return csv(
        ["environment", "external_id", "cloud", "connection", "discovered_at", "state"],
        model.newEnvironments.map((n) => [n.name, n.externalId, CLOUD_LABELS[n.cloud], n.connection, n.discoveredAt, n.state]),
      );
    case "drift-repaired":
      return csv(
        ["id", "kind", "summary", "cloud", "guardrail", "environment", "opened_at", "resolved_at", "repair_minutes", "resolution"],
        model.drift.incidents.map((d) => [
          d.id,
          d.kind,
          d.summary,
          CLOUD_LABELS[d.cloud],
          d.guardrail,
          d.environment,
          d.openedAt,
          d.resolvedAt,
          d.repairMinutes,
          d.resolution,
        ]),
      );
    case "drift-open":
      return csv(
        ["id", "kind", "summary", "cloud", "guardrail", "environment", "opened_at", "age_minutes"],
        model.openDrift.items.map((d) => [
          d.id,
          d.kind,
          d.summary,
          CLOUD_LABELS[d.cloud],
          d.guardrail,
          d.environment,
          d.openedAt,
          d.ageMinutes,
        ]),
      );
    case "exemptions":
      return csv(
        ["id", "guardrail", "environment", "cloud", "owner", "expires_at", "days_left", "reason"],
        model.exemptions.items.map((e) => [
          e.id,
          e.guardrail,
          e.environment,
          CLOUD_LABELS[e.cloud],
          e.ownerEmail,
          e.expiresAt,
          e.daysLeft,
          e.reason,
        ]),
      );
    case "approvals":
      return csv(
        ["id", "action", "summary", "requested_by", "created_at", "age_days"],
        model.approvals.items.map((a) => [a.id, a.action, a.summary, a.requestedBy, a.createdAt, a.ageDays]),
      );
    case "fidelity-gaps":
      return csv(
        ["guardrail", "control_id", "cloud", "fidelity", "pairs", "gap"],
        model.fidelityGaps.map((g) => [g.guardrail, g.controlId, CLOUD_LABELS[g.cloud], g.fidelity, g.pairs, g.gap]),
      );
  }
}

/** Every table in one file, each introduced by a "# <table>" line (for a single download). */
export function renderReportCsvAll(model: TReportModel): string {
  return REPORT_CSV_TABLES.map((t) => `# ${t}\r\n${renderReportCsv(model, t)}`).join("\r\n");
}
