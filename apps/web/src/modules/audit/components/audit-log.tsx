"use client";
import { useState, type FormEvent } from "react";
import { Empty, ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { apiPath } from "@/modules/shared/lib/api";
import { dateTime, personLabel } from "@/modules/shared/lib/format";
import { useAuditCheckpoint, useAuditLog, useAuditVerify, type AuditFilters } from "../hooks/use-audit";

/** The one line of an event's data a person scans for (its message, reason or name). */
function dataSummary(d: unknown): string {
  if (!d || typeof d !== "object") return "";
  const o = d as Record<string, unknown>;
  for (const k of ["message", "summary", "reason", "problem", "name", "kind"]) if (typeof o[k] === "string") return o[k];
  return "";
}

function toIso(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  return new Date(`${day}T${end ? "23:59:59.999" : "00:00:00.000"}Z`).toISOString();
}

export function AuditLog() {
  const [draft, setDraft] = useState({ q: "", action: "", actor: "", targetType: "", from: "", to: "" });
  const [filters, setFilters] = useState<AuditFilters>({});
  const q = useAuditLog(filters);
  const [verifyOn, setVerifyOn] = useState(false);
  const verify = useAuditVerify(verifyOn);
  const checkpoint = useAuditCheckpoint();
  const canExport = useCan("audit", "export");
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  function submit(e: FormEvent) {
    e.preventDefault();
    const f: AuditFilters = {};
    for (const k of ["q", "action", "actor", "targetType"] as const) if (draft[k].trim()) f[k] = draft[k].trim();
    const from = toIso(draft.from, false);
    const to = toIso(draft.to, true);
    if (from) f.from = from;
    if (to) f.to = to;
    setFilters(f);
  }

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every action by a person, a token or Parapet itself, hash-chained so tampering shows."
        actions={
          <>
            <button
              type="button"
              className="btn"
              onClick={() => (verifyOn ? void verify.refetch() : setVerifyOn(true))}
              disabled={verify.isFetching}
            >
              {verify.isFetching ? "Verifying…" : "Verify chain"}
            </button>
            {canExport && (
              <>
                <a className="btn" href={apiPath("/audit/export", { format: "csv", ...filters })} download>
                  Export CSV
                </a>
                <a className="btn" href={apiPath("/audit/export", { format: "jsonl", ...filters })} download>
                  Export JSONL
                </a>
              </>
            )}
          </>
        }
      />
      <div aria-live="polite" data-testid="chain-status">
        {verify.isError ? (
          <ErrorState error={verify.error} />
        ) : verify.data ? (
          verify.data.ok ? (
            <p className="success">Chain intact: {verify.data.checked.toLocaleString("en-GB")} events verified.</p>
          ) : (
            <p className="error">
              Chain broken after {verify.data.checked.toLocaleString("en-GB")} events. First broken event:{" "}
              <code>{JSON.stringify(verify.data.firstBroken)}</code>
            </p>
          )
        ) : null}
        {checkpoint.data && (
          <p className={checkpoint.data.problem ? "error" : "muted"} data-testid="audit-checkpoint">
            {checkpoint.data.problem
              ? `Latest checkpoint cannot be trusted: ${checkpoint.data.problem}.`
              : checkpoint.data.checkpoint
                ? `Last checkpoint (signed chain head kept outside the database): event ${checkpoint.data.checkpoint.seq.toLocaleString("en-GB")} at ${new Date(checkpoint.data.checkpoint.at).toLocaleString("en-GB")}.`
                : checkpoint.data.enabled
                  ? "No checkpoint yet: the worker writes one every few minutes."
                  : "Checkpoints are off on this deployment (PARAPET_AUDIT_CHECKPOINT_DIR is not set)."}
          </p>
        )}
      </div>
      <form className="filters card" onSubmit={submit} role="search" aria-label="Search the audit log">
        <label>
          <span>Search</span>
          <input
            type="search"
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            placeholder="text in the event"
          />
        </label>
        <label>
          <span>Action</span>
          <input value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="guardrail.update" />
        </label>
        <label>
          <span>Actor</span>
          <input value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} placeholder="e-mail or system" />
        </label>
        <label>
          <span>Target type</span>
          <input value={draft.targetType} onChange={(e) => setDraft({ ...draft, targetType: e.target.value })} placeholder="guardrail" />
        </label>
        <label>
          <span>From</span>
          <input type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label>
          <span>To</span>
          <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <button className="btn primary" type="submit">
          Search
        </button>
      </form>
      <section className="card">
        {q.isPending ? (
          <Loading rows={6} />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : items.length === 0 ? (
          <Empty title="No events match" />
        ) : (
          <div className="table-wrap">
            <table className="list" data-testid="audit-events">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">{dateTime(e.at)}</td>
                    <td>{personLabel(e.actor)}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      {e.targetType} <span className="muted small">{e.targetId}</span>
                    </td>
                    <td>
                      {dataSummary(e.data)}
                      {e.data !== undefined && e.data !== null && (
                        <details>
                          <summary className="small">data</summary>
                          <pre className="code small">{JSON.stringify(e.data, null, 2)}</pre>
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {q.hasNextPage && (
          <button type="button" className="btn" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
            {q.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </section>
    </>
  );
}
