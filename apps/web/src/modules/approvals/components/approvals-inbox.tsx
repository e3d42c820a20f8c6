"use client";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "@/modules/shared/components/badges";
import { JsonDiff } from "@/modules/shared/components/json-diff";
import { Empty, ErrorState, Loading, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useGuardrail } from "@/modules/guardrails/hooks/use-guardrails";
import { ImpactBrief } from "@/modules/guardrails/components/impact-panel";
import { useCan, useMe } from "@/modules/shared/hooks/use-me";
import { errorMessage } from "@/modules/shared/lib/api";
import { ago, dateTime, personLabel } from "@/modules/shared/lib/format";
import type { Approval } from "@/modules/shared/lib/contract";
import { useApprovals, useDecideApproval } from "../hooks/use-approvals";

const requesterId = (a: Approval): string | undefined => a.requestedBy?.id;
const requesterEmail = (a: Approval): string | undefined => a.requestedBy?.email;

/** The proposed version against the one in force, so the approver sees exactly what changes. */
function SpecDiff({ guardrailId, proposed }: { guardrailId: string; proposed: unknown }) {
  const g = useGuardrail(guardrailId);
  if (g.isPending) return <Loading rows={2} />;
  if (g.isError) return <ErrorState error={g.error} />;
  const current = { params: g.data.params, scope: g.data.scope, mode: g.data.mode, remediation: g.data.remediation };
  return (
    <details open>
      <summary>
        Change to “{g.data.name}” (v{g.data.currentVersion} → proposed)
      </summary>
      <JsonDiff before={current} after={proposed} beforeLabel={`v${g.data.currentVersion}`} afterLabel="requested" />
    </details>
  );
}

function ApprovalCard({ a }: { a: Approval }) {
  const me = useMe();
  const canDecide = useCan("approval", "decide");
  const decide = useDecideApproval();
  const [note, setNote] = useState("");
  const [noteErr, setNoteErr] = useState<string | null>(null);
  const mine = !!me.data && (requesterId(a) === me.data.user.id || requesterEmail(a) === me.data.user.email);
  const payload = a.payload as { spec?: unknown; guardrailId?: unknown; expiresAt?: unknown; reason?: unknown; connectionId?: unknown };
  const adoption = a.action === "posture.adopt";
  const title = a.summary || `${a.action} ${a.subjectType}`;
  const guardrailId =
    a.subjectType === "guardrail" ? a.subjectId : typeof payload.guardrailId === "string" ? payload.guardrailId : undefined;
  const reasons = a.reasons;
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
      {adoption && reasons.length > 0 && (
        <div className="warn-box" data-testid="adoption-plan">
          Replaces a policy Parapet does not own (in this order; rolled back if any step fails):
          <ol>
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ol>
          {typeof payload.connectionId === "string" && <Link href={`/connections/${payload.connectionId}`}>connection</Link>}
        </div>
      )}
      {!adoption && reasons.length > 0 && (
        <div className="warn-box">
          Weakens protection:
          <ul>
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {typeof payload.reason === "string" && <p>Reason: “{payload.reason}”</p>}
      {a.subjectType === "guardrail" && payload.spec !== undefined && guardrailId ? (
        <SpecDiff guardrailId={guardrailId} proposed={payload.spec} />
      ) : null}
      {guardrailId && !adoption && a.status === "pending" && <ImpactBrief guardrailId={guardrailId} />}
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
                <input
                  id={`note-${a.id}`}
                  value={note}
                  maxLength={1000}
                  onChange={(e) => setNote(e.target.value)}
                  placeholder="Required to reject"
                />
                {noteErr && <span className="field-error">{noteErr}</span>}
              </div>
              <div className="actions">
                <button
                  type="button"
                  className="btn primary"
                  disabled={decide.isPending}
                  onClick={() => decide.mutate({ id: a.id, decision: "approve", note: note || undefined })}
                >
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
          {a.decisionNote && ` — “${a.decisionNote}”`}
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
      <PageHeader
        title="Approvals"
        subtitle="Changes that weaken protection — disabling, narrowing scope, exempting, deleting, enforce → audit — need a second member. Nobody approves their own request."
      />
      <div role="tablist" className="tabs" aria-label="Approval status">
        {(["pending", "approved", "rejected"] as const).map((s) => (
          <button key={s} role="tab" type="button" aria-selected={status === s} onClick={() => setStatus(s)}>
            {s[0]!.toUpperCase() + s.slice(1)}
          </button>
        ))}
      </div>
      <QueryState
        q={q}
        isEmpty={(d) => d.length === 0}
        empty={<Empty title={status === "pending" ? "Nothing waiting for sign-off" : `No ${status} requests`} />}
      >
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
