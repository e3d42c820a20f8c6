"use client";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "@/modules/shared/components/badges";
import { JsonDiff } from "@/modules/shared/components/json-diff";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useCan, useMe } from "@/modules/shared/hooks/use-me";
import { errorMessage } from "@/modules/shared/lib/api";
import { ago, dateTime, personLabel } from "@/modules/shared/lib/format";
import type { Approval } from "@/modules/shared/lib/types";
import { useApprovals, useDecideApproval } from "../hooks/use-approvals";

function requesterId(a: Approval): string | undefined {
  if (typeof a.requestedById === "string") return a.requestedById;
  const r = a.requestedBy;
  return r && typeof r === "object" ? r.id : undefined;
}

function requesterEmail(a: Approval): string | undefined {
  const r = a.requestedBy;
  if (typeof r === "string") return r;
  return r && typeof r === "object" ? r.email : undefined;
}

function ApprovalCard({ a }: { a: Approval }) {
  const me = useMe();
  const canDecide = useCan("approval", "decide");
  const decide = useDecideApproval();
  const [note, setNote] = useState("");
  const [noteErr, setNoteErr] = useState<string | null>(null);
  const mine = !!me.data && (requesterId(a) === me.data.user.id || requesterEmail(a) === me.data.user.email);
  const payload = a.payload as { before?: unknown; after?: unknown } | undefined;
  const title = a.summary ?? [a.action ?? a.kind, a.targetType].filter(Boolean).join(" ");
  const guardrailId = a.guardrailId ?? (a.targetType === "guardrail" ? a.targetId : undefined);
  return (
    <article className="card approval" id={a.id} aria-labelledby={`ap-${a.id}`} data-testid="approval">
      <header className="section-head">
        <h2 id={`ap-${a.id}`}>{title || "Change"}</h2>
        <StatusBadge status={a.status} />
      </header>
      <p className="muted small">
        Requested by {personLabel(a.requestedBy)} · {dateTime(a.createdAt)} ({ago(a.createdAt)})
        {guardrailId && (
          <>
            {" "}
            · <Link href={`/guardrails/${guardrailId}`}>guardrail</Link>
          </>
        )}
      </p>
      {a.reason && <p>“{a.reason}”</p>}
      {payload && (payload.before !== undefined || payload.after !== undefined) ? (
        <JsonDiff before={payload.before} after={payload.after} beforeLabel="current" afterLabel="requested" />
      ) : a.payload !== undefined ? (
        <details>
          <summary>Requested change</summary>
          <pre className="code small">{JSON.stringify(a.payload, null, 2)}</pre>
        </details>
      ) : null}
      {a.status === "pending" ? (
        canDecide ? (
          mine ? (
            <p className="muted" data-testid="own-request">
              You requested this change: another member has to approve it.
            </p>
          ) : (
            <div className="stack">
              <div className="field">
                <label htmlFor={`note-${a.id}`}>Decision note</label>
                <input id={`note-${a.id}`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} placeholder="Required to reject" />
                {noteErr && <span className="field-error">{noteErr}</span>}
              </div>
              <div className="actions">
                <button type="button" className="btn primary" disabled={decide.isPending} onClick={() => decide.mutate({ id: a.id, decision: "approve", note: note || undefined })}>
                  Approve
                </button>
                <button
                  type="button"
                  className="btn danger"
                  disabled={decide.isPending}
                  onClick={() => {
                    if (!note.trim()) return setNoteErr("Say why you reject it.");
                    setNoteErr(null);
                    decide.mutate({ id: a.id, decision: "reject", note });
                  }}
                >
                  Reject
                </button>
              </div>
              {decide.isError && (
                <p className="error" role="alert">
                  {errorMessage(decide.error)}
                </p>
              )}
            </div>
          )
        ) : (
          <p className="muted">Waiting for an approver.</p>
        )
      ) : (
        <p className="muted small">
          {a.status} by {personLabel(a.decidedBy)} {a.decidedAt ? ago(a.decidedAt) : ""}
          {(a.decisionNote ?? a.note) && ` — “${a.decisionNote ?? a.note}”`}
        </p>
      )}
    </article>
  );
}

export function ApprovalsInbox() {
  const [status, setStatus] = useState<"pending" | "approved" | "rejected">("pending");
  const q = useApprovals(status);
  return (
    <>
      <PageHeader title="Approvals" subtitle="Changes that weaken protection — disabling, narrowing scope, exempting, deleting, enforce → audit — need a second member. Nobody approves their own request." />
      <div role="tablist" className="tabs" aria-label="Approval status">
        {(["pending", "approved", "rejected"] as const).map((s) => (
          <button key={s} role="tab" type="button" aria-selected={status === s} onClick={() => setStatus(s)}>
            {s[0]!.toUpperCase() + s.slice(1)}
          </button>
        ))}
      </div>
      <QueryState q={q} isEmpty={(d) => d.length === 0} empty={<Empty title={status === "pending" ? "Nothing waiting for sign-off" : `No ${status} requests`} />}>
        {(items) => (
          <div className="stack" data-testid="approvals">
            {items.map((a) => (
              <ApprovalCard key={a.id} a={a} />
            ))}
          </div>
        )}
      </QueryState>
    </>
  );
}
