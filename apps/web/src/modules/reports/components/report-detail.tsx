"use client";
import Link from "next/link";
import { reportSubject } from "@parapet/core/reports/format";
import { ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { useReport, useReportPreview } from "../hooks/use-reports";
import { EmailFrame } from "./email-frame";
import { ReportActions } from "./report-actions";

type Model = Parameters<typeof reportSubject>[0];

function ReportView({ id, model, preview }: { id: string | null; model: Model; preview: boolean }) {
  return (
    <>
      <div className="page-header">
        <div>
          <p className="muted small">
            <Link href="/reports">Reports</Link> / {preview ? "Preview" : model.period.label}
          </p>
          <h1>{preview ? "Preview of this week's email" : `Week of ${model.period.label}`}</h1>
          <p className="muted" data-testid="report-subject">
            Subject: {reportSubject(model)}
          </p>
        </div>
        <div className="actions">
          {id && (
            <>
              <a className="btn small" href={`/api/v1/reports/${id}/csv`}>
                Download CSV
              </a>
              <a className="btn small" href={`/api/v1/reports/${id}/html`} target="_blank" rel="noreferrer">
                Open email HTML
              </a>
            </>
          )}
          {preview && (
            <a className="btn small" href="/api/v1/reports/preview?format=text" target="_blank" rel="noreferrer">
              Plain-text part
            </a>
          )}
        </div>
      </div>
      <section className="card">
        <ReportActions />
      </section>
      {/* The API renders the email's HTML (the same renderer the worker sends), so the frame shows exactly what was mailed. */}
      <EmailFrame
        src={id ? `/api/v1/reports/${encodeURIComponent(id)}/html` : "/api/v1/reports/preview"}
        title={preview ? "Preview of the weekly report email" : `Weekly report email, ${model.period.label}`}
      />
    </>
  );
}

function Pending({ title, q }: { title: string; q: { isPending: boolean; error: unknown; refetch: () => unknown } }) {
  return (
    <>
      <PageHeader title={title} />
      <section className="card">
        {q.isPending ? <Loading rows={6} /> : <ErrorState error={q.error} retry={() => void q.refetch()} />}
      </section>
    </>
  );
}

/** A stored report, shown as the very HTML its email carried. */
export function ReportDetail({ id }: { id: string }) {
  const q = useReport(id);
  if (!q.data) return <Pending title="Report" q={q} />;
  return <ReportView id={q.data.id} model={q.data.model} preview={false} />;
}

/** This week's report built from the history up to now, not stored: what "send now" would send. */
export function ReportPreview() {
  const q = useReportPreview();
  if (!q.data) return <Pending title="Preview of this week's email" q={q} />;
  return <ReportView id={null} model={q.data.model} preview />;
}
