/**
 * Weekly coverage reports: sampling, the report model, its renderings, schedules, subscriptions and
 * delivery. The SMTP transport (mailer.ts) and the demo mail catcher (mail-catcher.ts) are imported
 * from their own paths, so the web app's bundle never pulls in an SMTP server.
 */
export * from "./model.ts";
export * from "./zoned-time.ts";
export { sampleCoverage, toSampleDay, type TSampleResult } from "./sample-coverage.ts";
export { assembleReportModel, median, TREND_WEEKS, EXEMPTION_WINDOW_DAYS, type TReportInput } from "./assemble-report.ts";
export { buildReportModel, createReportSnapshot, getReportSnapshot, listReportSnapshots, reportPeriodEndingAt, type TBuildOptions, type TSnapshotRef } from "./build-report.ts";
export { getReportSettings, DEFAULT_REPORT_SETTINGS, type TWorkspaceReportSettings } from "./reports.repository.ts";
export { renderReportHtml, type TRenderLinks } from "./render-html.ts";
export { renderReportText } from "./render-text.ts";
export { renderReportCsv, renderReportCsvAll, REPORT_CSV_TABLES, type TReportCsvTable } from "./render-csv.ts";
export { reportSubject, fmtDuration, fmtPct, fmtPts } from "./format.ts";
export * from "./report-jobs.ts";
export * from "./schedule.ts";
export * from "./subscriptions.ts";
export { signUnsubscribeToken, verifyUnsubscribeToken, unsubscribeUrl } from "./unsubscribe-token.ts";
