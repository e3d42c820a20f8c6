"use client";
import Link from "next/link";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { useMySubscription, useReportList, useReportSchedule, useSubscriptions } from "../hooks/use-reports";
import { ReportActions } from "./report-actions";
import { ScheduleForm } from "./schedule-form";
import { Subscribers } from "./subscribers";

const pct = (p: number | null) => (p === null ? "–" : `${p.toFixed(1)}%`);
const pts = (p: number | null) => (p === null || p === 0 ? "–" : `${p > 0 ? "+" : "−"}${Math.abs(p).toFixed(1)} pts`);

/** `inbox` is the demo mail catcher's address: server configuration, so the page's server shell passes it. */
export function ReportsPage({ inbox }: { inbox: string | null }) {
  const canManage = useCan("report", "manage");
  const canEditSchedule = useCan("settings", "write");
  const subs = useSubscriptions();
  const { mine } = useMySubscription();
  const schedule = useReportSchedule();
  const reports = useReportList();

  return (
    <>
      <PageHeader
        title="Reports"
        subtitle="A weekly coverage report for executives and auditors, emailed to subscribers and kept here exactly as it was sent."
        actions={
          <Link className="btn" href="/reports/preview">
            Preview this week&apos;s email
          </Link>
        }
      />

      <section className="card">
        <div className="section-head">
          <h2>Your subscription</h2>
        </div>
        <QueryState q={subs} loadingRows={1}>
          {(d) => (
            <p data-testid="my-subscription">
              {mine?.active ? `The weekly report is sent to ${mine.email}.` : `You do not receive the weekly report (${d.me}).`}
            </p>
          )}
        </QueryState>
        <ReportActions />
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
        <QueryState q={schedule} loadingRows={1}>
          {(s) => <ScheduleForm schedule={s} canEdit={canEditSchedule} />}
        </QueryState>
      </section>

      {canManage && (
        <section className="card">
          <div className="section-head">
            <h2>Subscribers</h2>
          </div>
          <QueryState q={subs}>{(d) => <Subscribers rows={d.items} />}</QueryState>
        </section>
      )}

      <section className="card" aria-live="polite">
        <div className="section-head">
          <h2>Past reports</h2>
        </div>
        <QueryState
          q={reports}
          loadingRows={4}
          isEmpty={(d) => d.items.length === 0}
          empty={
            <Empty title="No report yet">
              No report has been generated yet. The first one goes out on schedule, or use “Send me a copy now”.
            </Empty>
          }
        >
          {(d) => (
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
                  {d.items.map((s) => (
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
        </QueryState>
      </section>
    </>
  );
}
