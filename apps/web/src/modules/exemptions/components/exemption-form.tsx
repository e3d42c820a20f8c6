"use client";
import { useState, type FormEvent } from "react";
import { errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { useRequestExemption } from "../hooks/use-exemptions";

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** What an exemption spares: an environment subtree, or one principal of one cloud in every environment. */
export type ExemptionSubject = { nodeId: string } | { principal: { cloud: "aws" | "gcp" | "oci"; id: string } };

/** Request a carve-out from one guardrail: a reason, an owner and an expiry (at most the workspace's longest exemption, checked by the server). */
export function ExemptionForm({
  guardrailId,
  subject,
  target,
  defaultOwner,
  onDone,
}: {
  guardrailId: string;
  subject: ExemptionSubject;
  target: string;
  defaultOwner?: string;
  onDone: () => void;
}) {
  const today = new Date();
  const max = new Date(today.getTime() + 365 * 86_400_000);
  const [reason, setReason] = useState("");
  const [owner, setOwner] = useState(defaultOwner ?? "");
  // Two weeks: inside the workspace's longest exemption (30 days unless an admin changed it).
  const [expires, setExpires] = useState(isoDay(new Date(today.getTime() + 14 * 86_400_000)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const m = useRequestExemption();
  const server = issuesByField(m.error);
  const all = { ...errors, ...server };

  function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (reason.trim().length < 5) errs.reason = "Say why (at least a few words)";
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(owner.trim())) errs.ownerEmail = "Give the owner's e-mail address";
    const exp = Date.parse(`${expires}T23:59:59Z`);
    if (Number.isNaN(exp) || exp <= today.getTime()) errs.expiresAt = "Pick a date in the future";
    else if (exp > max.getTime() + 86_400_000) errs.expiresAt = "At most one year from today";
    setErrors(errs);
    if (Object.keys(errs).length) return;
    m.mutate(
      { guardrailId, ...subject, reason: reason.trim(), ownerEmail: owner.trim(), expiresAt: new Date(exp).toISOString() },
      { onSuccess: onDone },
    );
  }

  return (
    <form onSubmit={submit} noValidate className="stack">
      <p className="muted small">Exempt {target}. Exemptions weaken protection, so a second member must approve before it takes effect.</p>
      <div className="field">
        <label htmlFor="ex-reason">Reason</label>
        <textarea
          id="ex-reason"
          rows={3}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={all.reason ? true : undefined}
        />
        {all.reason && <span className="field-error">{all.reason}</span>}
      </div>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="ex-owner">Owner e-mail</label>
          <input
            id="ex-owner"
            type="email"
            value={owner}
            onChange={(e) => setOwner(e.target.value)}
            aria-invalid={all.ownerEmail ? true : undefined}
          />
          {all.ownerEmail && <span className="field-error">{all.ownerEmail}</span>}
        </div>
        <div className="field">
          <label htmlFor="ex-exp">Expires</label>
          <input
            id="ex-exp"
            type="date"
            min={isoDay(today)}
            max={isoDay(max)}
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            aria-invalid={all.expiresAt ? true : undefined}
          />
          {all.expiresAt && <span className="field-error">{all.expiresAt}</span>}
        </div>
      </div>
      {(all.nodeId ?? all["principal.id"] ?? all["principal.cloud"]) && (
        <p className="error">{all.nodeId ?? all["principal.id"] ?? all["principal.cloud"]}</p>
      )}
      {m.isError && Object.keys(server).length === 0 && <p className="error">{errorMessage(m.error)}</p>}
      <div className="actions">
        <button type="submit" className="btn primary" disabled={m.isPending}>
          {m.isPending ? "Requesting…" : "Request exemption"}
        </button>
      </div>
    </form>
  );
}
