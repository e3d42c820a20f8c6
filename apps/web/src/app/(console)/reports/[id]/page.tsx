import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { can } from "@parapet/core";
import { buildReportModel, getReportSnapshot } from "@parapet/core/reports/build-report";
import { reportSubject } from "@parapet/core/reports/format";
import { renderReportHtml } from "@parapet/core/reports/render-html";
import { listSubscriptions } from "@parapet/core/reports/subscriptions";
import { prisma } from "@/server/clients";
import { reportLinks } from "@/server/reports";
import { currentSession } from "@/server/session";
import { EmailFrame } from "@/modules/reports/components/email-frame";
import { ReportActions } from "@/modules/reports/components/report-actions";

export const metadata: Metadata = { title: "Report" };
export const dynamic = "force-dynamic";

/**
 * One report, shown as the very HTML the email carries. `/reports/preview` builds this week's report
 * from the history up to now without storing it: what "send now" would send.
 */
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await currentSession();
  const workspaceId = viewer?.workspace?.id;
  if (!viewer || !workspaceId || !viewer.role || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) notFound();
  const preview = id === "preview";
  const snapshot = preview ? null : await getReportSnapshot(prisma(), workspaceId, id);
  if (!preview && !snapshot) notFound();
  const model = snapshot ? snapshot.model : await buildReportModel(prisma(), workspaceId, { sampleFirst: true });
  const html = renderReportHtml(model, snapshot ? reportLinks(snapshot.id) : {});
  const mine =
    (await listSubscriptions(prisma(), workspaceId)).find((s) => s.email.toLowerCase() === viewer.user.email.toLowerCase()) ?? null;

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
          {snapshot && (
            <>
              <a className="btn small" href={`/api/v1/reports/${snapshot.id}/csv`}>
                Download CSV
              </a>
              <a className="btn small" href={`/api/v1/reports/${snapshot.id}/html`} target="_blank" rel="noreferrer">
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
        <ReportActions
          mine={mine ? { id: mine.id, email: mine.email, active: mine.active } : null}
          canManage={can(viewer.role, "report", "manage")}
        />
      </section>
      <EmailFrame html={html} title={preview ? "Preview of the weekly report email" : `Weekly report email, ${model.period.label}`} />
    </>
  );
}
