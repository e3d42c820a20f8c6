"use client";
import { useState, type FormEvent } from "react";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Dialog } from "@/modules/shared/components/dialog";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage, issuesByField, type ApiOutput } from "@/modules/shared/lib/api";
import { Empty, PageHeader, QueryState } from "@/modules/shared/components/states";
import type { ApiQuery } from "@/modules/shared/lib/api";
import { ago, dateTime } from "@/modules/shared/lib/format";
import { oneOf } from "@/modules/shared/lib/contract";
import { useDenials, useRequestDenialExemption } from "../hooks/use-denials";

type Denial = ApiOutput<"GET /denials">["items"][number];

/**
 * Exempt the denial's environment, or the principal that made the call (in every environment), from the
 * guardrail that denied it; a second member approves it. Principals cannot be spared on Azure.
 */
function ExemptFromDenial({ denial, onDone }: { denial: Denial; onDone: (msg: string) => void }) {
  const m = useRequestDenialExemption();
  const principalOk = denial.cloud !== "azure";
  const [of, setOf] = useState<"environment" | "principal">("environment");
  const [reason, setReason] = useState("");
  const [owner, setOwner] = useState("");
  const [days, setDays] = useState(7);
  const errs = issuesByField(m.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    m.mutate(
      {
        id: denial.id,
        body: { of, reason: reason.trim(), ownerEmail: owner.trim(), expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() },
      },
      {
        onSuccess: () =>
          onDone(
            `Exemption of ${of === "principal" ? denial.principal : (denial.environment ?? "the environment")} requested: it waits for a second member's approval.`,
          ),
      },
    );
  }
  return (
    <form onSubmit={submit} className="stack" aria-label="Request an exemption from this denial">
      <fieldset className="field">
        <legend>Exempt</legend>
        <label>
          <input type="radio" name="dx-of" checked={of === "environment"} onChange={() => setOf("environment")} /> the environment{" "}
          {denial.environment ?? ""}
        </label>
        {principalOk && (
          <label>
            <input type="radio" name="dx-of" checked={of === "principal"} onChange={() => setOf("principal")} /> the principal{" "}
            <code>{denial.principal}</code> in every environment
          </label>
        )}
        {errs.of && <span className="field-error">{errs.of}</span>}
      </fieldset>
      <p className="muted small">
        From “{denial.guardrailName}”. The decision is told on the channel that delivered this denial&apos;s alert.
      </p>
      <div className="field">
        <label htmlFor="dx-reason">Reason</label>
        <textarea id="dx-reason" rows={3} maxLength={1000} required value={reason} onChange={(e) => setReason(e.target.value)} />
        {errs.reason && <span className="field-error">{errs.reason}</span>}
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="dx-owner">Owner e-mail</label>
          <input id="dx-owner" type="email" required value={owner} onChange={(e) => setOwner(e.target.value)} />
          {errs.ownerEmail && <span className="field-error">{errs.ownerEmail}</span>}
        </div>
        <div className="field">
          <label htmlFor="dx-days">Days</label>
          <input id="dx-days" type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} />
          {errs.expiresAt && <span className="field-error">{errs.expiresAt}</span>}
        </div>
      </div>
      {m.isError && Object.keys(errs).length === 0 && <p className="error">{errorMessage(m.error)}</p>}
      <div className="actions">
        <button type="submit" className="btn primary" disabled={m.isPending || reason.trim().length < 3 || !owner.trim()}>
          Request exemption
        </button>
      </div>
    </form>
  );
}

const WHO = ["all", "true", "false"] as const;

/**
 * Real calls the clouds refused, read from their audit logs every minute (and at once when a cloud event
 * for the connection arrives), each attributed to the
 * Parapet guardrail (and statement) that denied it, or marked not Parapet's (the customer's own policy).
 */
export function DenialsPage() {
  const [parapet, setParapet] = useState<(typeof WHO)[number]>("all");
  const [principal, setPrincipal] = useState("");
  const [guardrailId, setGuardrailId] = useState("");
  const q: ApiQuery<"GET /denials"> = {
    limit: 100,
    ...(parapet !== "all" ? { parapet } : {}),
    ...(principal.trim() ? { principal: principal.trim() } : {}),
    ...(guardrailId ? { guardrailId } : {}),
  };
  const denials = useDenials(q);
  const canRequest = useCan("exemption", "request");
  const [exempt, setExempt] = useState<Denial | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Denials" subtitle="Real calls the clouds refused, and which guardrail refused them" />
      <section className="card">
        <div className="inline-form" role="search" aria-label="Filter denials">
          <label htmlFor="dn-who">Denied by</label>
          <select id="dn-who" value={parapet} onChange={(e) => setParapet(oneOf(WHO, e.target.value) ?? "all")}>
            <option value="all">anything</option>
            <option value="true">a Parapet guardrail</option>
            <option value="false">not Parapet (own policies)</option>
          </select>
          <label htmlFor="dn-principal">Principal</label>
          <input id="dn-principal" value={principal} onChange={(e) => setPrincipal(e.target.value)} placeholder="exact id" />
          {guardrailId && (
            <button type="button" className="btn small" onClick={() => setGuardrailId("")}>
              All guardrails
            </button>
          )}
        </div>
        <QueryState
          q={denials}
          isEmpty={(d) => d.items.length === 0}
          empty={<Empty title="No denied calls">Nothing refused in the logs read so far.</Empty>}
        >
          {(d) => (
            <div className="table-wrap">
              <table className="list" data-testid="denials">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Principal</th>
                    <th scope="col">Action</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Denied by</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((x) => (
                    <tr key={x.id}>
                      <td title={dateTime(x.time)}>{ago(x.time)}</td>
                      <td>
                        <div>{x.principalName ?? x.principal}</div>
                        <button type="button" className="linkish muted small" onClick={() => setPrincipal(x.principal)}>
                          {x.principal}
                        </button>
                      </td>
                      <td>
                        <code>{x.action}</code>
                        {x.resource && <div className="muted small">{x.resource}</div>}
                      </td>
                      <td>
                        {x.cloud === "aws" || x.cloud === "azure" || x.cloud === "gcp" || x.cloud === "oci" ? (
                          <CloudBadge cloud={x.cloud} />
                        ) : null}{" "}
                        {x.environment ?? "unknown"}
                      </td>
                      <td>
                        {x.parapet && x.guardrailId ? (
                          <>
                            <button type="button" className="linkish" onClick={() => setGuardrailId(x.guardrailId ?? "")}>
                              {x.guardrailName ?? x.guardrailId}
                            </button>
                            {x.statement && <div className="muted small">statement {x.statement}</div>}
                          </>
                        ) : (
                          <StatusBadge status="unknown" label="not Parapet's" />
                        )}
                      </td>
                      <td>
                        {canRequest && x.parapet && x.guardrailId && x.nodeId && (
                          <button type="button" className="btn small" onClick={() => (setDone(null), setExempt(x))}>
                            Request exemption…
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
        {done && (
          <p className="success" role="status">
            {done}
          </p>
        )}
      </section>
      <Dialog open={!!exempt} onClose={() => setExempt(null)} title="Request an exemption">
        {exempt && (
          <ExemptFromDenial
            denial={exempt}
            onDone={(msg) => {
              setDone(msg);
              setExempt(null);
            }}
          />
        )}
      </Dialog>
    </>
  );
}
