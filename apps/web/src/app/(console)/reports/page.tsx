import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@parapet/core";
import { listReportSnapshots } from "@parapet/core/reports/build-report";
import { nextWeeklyRuns } from "@parapet/core/reports/schedule";
import { getReportSettings } from "@parapet/core/reports/index";
import { listSubscriptions } from "@parapet/core/reports/subscriptions";
import { formatLocalDateTime } from "@parapet/core/reports/zoned-time";
import { env } from "@/env";
import { prisma } from "@/server/clients";
import { currentSession } from "@/server/session";
import { ReportActions } from "@/modules/reports/components/report-actions";
import { ScheduleForm } from "@/modules/reports/components/schedule-form";
import { Subscribers } from "@/modules/reports/components/subscribers";

export const metadata: Metadata = { title: "Reports" };
export const dynamic = "force-dynamic";

const pct = (p: number | null) => (p === null ? "–" : `${p.toFixed(1)}%`);
const pts = (p: number | null) => (p === null || p === 0 ? "–" : `${p > 0 ? "+" : "−"}${Math.abs(p).toFixed(1)} pts`);

export default async function ReportsPage() {
  const viewer = await currentSession();
  const workspaceId = viewer?.workspace?.id;
  if (!viewer || !workspaceId || !viewer.role) {
    return (
      <section className="card">
        <h1>No workspace yet</h1>
      </section>
    );
  }
  const role = viewer.role;
  const [snapshots, subs, settings] = await Promise.all([
    listReportSnapshots(prisma(), workspaceId),
    listSubscriptions(prisma(), workspaceId),
    getReportSettings(prisma(), workspaceId),
  ]);
  const canManage = can(role, "report", "manage");
  const mine = subs.find((s) => s.email.toLowerCase() === viewer.user.email.toLowerCase()) ?? null;
  const schedule = {
    ...settings,
    nextRuns: nextWeeklyRuns(settings, Date.now(), 3).map((d) => ({
      at: d.toISOString(),
      local: formatLocalDateTime(d, settings.timezone),
    })),
  };
  const inbox = env().PARAPET_MAIL_CATCHER_URL;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Reports</h1>
          <p className="muted">
            A weekly coverage report for executives and auditors, emailed to subscribers and kept here exactly as it was sent.
          </p>
        </div>
        <div className="actions">
          <Link className="btn" href="/reports/preview">
            Preview this week&apos;s email
          </Link>
        </div>
      </div>

      <section className="card">
        <div className="section-head">
          <h2>Your subscription</h2>
        </div>
        <p data-testid="my-subscription">
          {mine?.active ? `The weekly report is sent to ${mine.email}.` : `You do not receive the weekly report (${viewer.user.email}).`}
        </p>
        <ReportActions mine={mine ? { id: mine.id, email: mine.email, active: mine.active } : null} canManage={canManage} />
        {inbox && (
          <p className="muted small" style={{ marginTop: 8 }}>
            Demo mode: emails go to a local mail catcher.{" "}
            <a href={inbox} target="_blank" rel="noreferrer">
              Open the demo inbox
            </a>
          </p>
        )}
      </section>

      <section className="card">
        <div className="section-head">
          <h2>Schedule</h2>
        </div>
        <ScheduleForm schedule={schedule} canEdit={can(role, "settings", "write")} />
      </section>

      {canManage && (
        <section className="card">
          <div className="section-head">
            <h2>Subscribers</h2>
          </div>
          <Subscribers rows={subs} />
        </section>
      )}

      <section className="card">
        <div className="section-head">
          <h2>Past reports</h2>
        </div>
        {snapshots.length === 0 ? (
          <p className="muted">No report has been generated yet. The first one goes out on schedule, or use “Send me a copy now”.</p>
        ) : (
          <div className="table-wrap">
            <table className="list" data-testid="report-list">
              <thead>
                <tr>
                  <th scope="col">Week</th>
                  <th scope="col">Coverage</th>
                  <th scope="col">Change</th>
                  <th scope="col">Open drift</th>
                  <th scope="col">Emails</th>
                  <th scope="col">Export</th>
                </tr>
              </thead>
              <tbody>
                {snapshots.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link href={`/reports/${s.id}`}>{s.label}</Link>
                    </td>
                    <td>{pct(s.coveragePct)}</td>
                    <td>{pts(s.changePts)}</td>
                    <td>{s.openDrift}</td>
                    <td>{s.deliveries}</td>
                    <td className="nowrap">
                      <a href={`/api/v1/reports/${s.id}/csv`}>CSV</a> · <a href={`/api/v1/reports/${s.id}/html`}>HTML</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
