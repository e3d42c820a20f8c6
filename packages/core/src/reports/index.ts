/**
 * Weekly coverage reports: sampling, the report model, its renderings, schedules, subscriptions and
 * delivery. The SMTP transport (mailer.ts) and the demo mail catcher (mail-catcher.ts) are imported
 * from their own paths, so the web app's bundle never pulls in an SMTP server.
 */
export * from "./model.ts";
export * from "./zoned-time.ts";
export { sampleCoverage } from "./sample-coverage.ts";
export { createReportSnapshot } from "./build-report.ts";
export { getReportSettings } from "./reports.repository.ts";
export * from "./report-jobs.ts";
export * from "./schedule.ts";
export * from "./subscriptions.ts";
