"use client";
import Link from "next/link";
import { useState } from "react";
import { ExemptionForm } from "@/modules/exemptions/components/exemption-form";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Dialog } from "@/modules/shared/components/dialog";
import { JsonDiff } from "@/modules/shared/components/json-diff";
import { ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { useCan, useMe } from "@/modules/shared/hooks/use-me";
import { errorMessage } from "@/modules/shared/lib/api";
import { ago, dateTime, personLabel } from "@/modules/shared/lib/format";
import { useDriftDetail, useReapplyDrift } from "../hooks/use-drift";

export function DriftDetailView({ id }: { id: string }) {
  const q = useDriftDetail(id);
  const reapply = useReapplyDrift(id);
  const canRemediate = useCan("drift", "remediate");
  const canExempt = useCan("exemption", "request");
  const me = useMe();
  const [exempting, setExempting] = useState(false);
  const [requested, setRequested] = useState(false);

  if (q.isPending) return <Loading rows={6} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const d = q.data;
  return (
    <>
      <PageHeader
        title={d.summary}
        subtitle={
          <>
            <span className="badge neutral">{d.kind}</span> <StatusBadge status={d.status} /> <CloudBadge cloud={d.connection.cloud} /> <Link href={`/connections/${d.connection.id}`}>{d.connection.name}</Link>
            {d.node && <> · {d.node.name}</>}
            {d.guardrail && (
              <>
                {" "}
                · <Link href={`/guardrails/${d.guardrail.id}`}>{d.guardrail.name}</Link>
              </>
            )}
          </>
        }
        actions={
          d.status === "open" && (
            <>
              {canRemediate && (
                <button type="button" className="btn primary" disabled={reapply.isPending || reapply.isSuccess} onClick={() => reapply.mutate()}>
                  {reapply.isPending ? "Queuing…" : reapply.isSuccess ? "Re-applying…" : "Re-apply now"}
                </button>
              )}
              {canExempt && d.guardrail && d.node && (
                <button type="button" className="btn" onClick={() => setExempting(true)}>
                  Exempt…
                </button>
              )}
            </>
          )
        }
      />
      <div aria-live="polite" data-testid="drift-status">
        {d.status === "resolved" ? (
          <p className="success">
            Resolved {ago(d.resolvedAt)}
            {d.resolution ? ` (${d.resolution})` : ""}
            {d.resolvedBy ?? d.actor ? ` by ${personLabel(d.resolvedBy ?? d.actor)}` : ""}.
          </p>
        ) : reapply.isSuccess ? (
          <p className="progress">
            <span className="spinner" aria-hidden="true" /> Reconciling {d.connection.name}; this page updates when the cloud matches again.
          </p>
        ) : (
          <p className="warn-box">Open since {dateTime(d.openedAt)}.</p>
        )}
        {reapply.isError && <p className="error">{errorMessage(reapply.error)}</p>}
        {requested && (
          <p className="success" role="status">
            Exemption requested; it takes effect once another member approves it. <Link href="/approvals">Approvals</Link>
          </p>
        )}
      </div>
      <div className="two-col wide-left">
        <section className="card">
          <h2>Expected vs observed</h2>
          <JsonDiff before={d.expected} after={d.observed} />
        </section>
        <section className="card">
          <h2>Timeline</h2>
          {d.timeline.length === 0 ? (
            <p className="muted">No events yet.</p>
          ) : (
            <ol className="timeline" data-testid="drift-timeline">
              {d.timeline.map((e) => (
                <li key={e.id}>
                  <code>{e.action}</code>
                  <div className="muted small">
                    {dateTime(e.at ?? e.createdAt)} · {personLabel(e.actorLabel ?? e.actor)}
                  </div>
                  {e.summary && <div className="small">{e.summary}</div>}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <Dialog open={exempting} onClose={() => setExempting(false)} title="Request an exemption">
        {d.guardrail && d.node && (
          <ExemptionForm
            guardrailId={d.guardrail.id}
            nodeId={d.node.id}
            target={`${d.node.name} from “${d.guardrail.name}”`}
            defaultOwner={me.data?.user.email}
            onDone={() => {
              setExempting(false);
              setRequested(true);
            }}
          />
        )}
      </Dialog>
    </>
  );
}
