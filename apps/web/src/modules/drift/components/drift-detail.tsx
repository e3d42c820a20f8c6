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
import { useChildNodes } from "@/modules/environments/hooks/use-nodes";
import { useDebounced } from "@/modules/shared/hooks/use-debounced";
import { useDriftDetail, useReapplyDrift } from "../hooks/use-drift";

/** Search the connection's hierarchy for the environment or folder to exempt. */
function NodePicker({
  connectionId,
  selected,
  onPick,
}: {
  connectionId: string;
  selected: { id: string } | null;
  onPick: (n: { id: string; name: string }) => void;
}) {
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const nodes = useChildNodes(connectionId, null, q);
  const items = (nodes.data?.pages.flatMap((p) => p.items) ?? []).slice(0, 20);
  return (
    <fieldset className="stack" data-testid="exempt-node-picker">
      <legend>Where should the guardrail not apply?</legend>
      <label className="field">
        <span>Find an environment or folder</span>
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or cloud id" />
      </label>
      {nodes.isPending ? (
        <Loading rows={2} />
      ) : items.length === 0 ? (
        <p className="muted small">No node matches.</p>
      ) : (
        <div className="stack" role="radiogroup" aria-label="Node to exempt">
          {items.map((n) => (
            <label key={n.id} className="small">
              <input type="radio" name="exempt-node" checked={selected?.id === n.id} onChange={() => onPick({ id: n.id, name: n.name })} />{" "}
              {n.name}{" "}
              <span className="muted">
                ({n.kind}, {n.externalId})
              </span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

export function DriftDetailView({ id }: { id: string }) {
  const q = useDriftDetail(id);
  const reapply = useReapplyDrift(id);
  const canRemediate = useCan("drift", "remediate");
  const canExempt = useCan("exemption", "request");
  const me = useMe();
  const [exempting, setExempting] = useState(false);
  const [requested, setRequested] = useState(false);
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(null);

  if (q.isPending) return <Loading rows={6} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const d = q.data;
  const target = d.node ?? picked;
  return (
    <>
      <PageHeader
        title={d.summary}
        subtitle={
          <>
            <span className="badge neutral">{d.kind}</span> <StatusBadge status={d.status} /> <CloudBadge cloud={d.connection.cloud} />{" "}
            <Link href={`/connections/${d.connection.id}`}>{d.connection.name}</Link>
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
                <button
                  type="button"
                  className="btn primary"
                  disabled={reapply.isPending || reapply.isSuccess}
                  onClick={() => reapply.mutate()}
                >
                  {reapply.isPending ? "Queuing…" : reapply.isSuccess ? "Re-applying…" : "Re-apply now"}
                </button>
              )}
              {canExempt && d.guardrail && (
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
            {(d.resolvedBy ?? d.actor) ? ` by ${personLabel(d.resolvedBy ?? d.actor)}` : ""}.
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
                    {dateTime(e.at)} · {personLabel(e.actor)}
                  </div>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <Dialog open={exempting} onClose={() => setExempting(false)} title="Request an exemption">
        {d.guardrail && !d.node && (
          // A deleted or edited artifact names no single place: the person picks what to carve out.
          <NodePicker connectionId={d.connection.id} selected={picked} onPick={setPicked} />
        )}
        {d.guardrail && target && (
          <ExemptionForm
            key={target.id}
            guardrailId={d.guardrail.id}
            subject={{ nodeId: target.id }}
            target={`${target.name} from “${d.guardrail.name}”`}
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
