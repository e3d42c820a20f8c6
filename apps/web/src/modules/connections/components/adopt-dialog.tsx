"use client";
import Link from "next/link";
import { useState } from "react";
import { Dialog } from "@/modules/shared/components/dialog";
import { errorMessage } from "@/modules/shared/lib/api";
import { useGuardrails } from "@/modules/guardrails/hooks/use-guardrails";
import { useAdoptionPreview, useRequestAdoption } from "../hooks/use-connections";

export interface AdoptTarget {
  policyId: string;
  policyName: string;
  bodyHash: string;
  controlId: string;
  controlTitle: string;
}

/**
 * "Adopt…": pick the guardrail that takes over from a customer policy, read the planned change (Parapet's
 * artifact first, read back, then the customer's detached), and ask a second member to approve it.
 */
export function AdoptDialog({ connectionId, target, onClose }: { connectionId: string; target: AdoptTarget | null; onClose: () => void }) {
  return (
    <Dialog open={!!target} onClose={onClose} title={target ? `Adopt ${target.policyName}` : "Adopt"}>
      {target && <AdoptForm connectionId={connectionId} target={target} onClose={onClose} />}
    </Dialog>
  );
}

function AdoptForm({ connectionId, target, onClose }: { connectionId: string; target: AdoptTarget; onClose: () => void }) {
  const guardrails = useGuardrails("active");
  const fitting = (guardrails.data ?? []).filter((g) => g.controlId === target.controlId && g.mode === "enforce");
  const [chosen, setChosen] = useState("");
  const guardrailId = chosen || fitting[0]?.id || "";
  const body = guardrailId ? { policyId: target.policyId, guardrailId, bodyHash: target.bodyHash } : null;
  const preview = useAdoptionPreview(connectionId, body);
  const ask = useRequestAdoption(connectionId);

  if (ask.isSuccess) {
    return (
      <div data-testid="adopt-requested">
        <p>
          Asked for approval. A second member approves it on <Link href="/approvals">Approvals</Link>; then the next reconcile carries it
          out.
        </p>
        <button className="btn small" type="button" onClick={onClose}>
          Close
        </button>
      </div>
    );
  }
  return (
    <div data-testid="adopt-dialog">
      <p className="small">
        Parapet takes over <strong>{target.controlTitle}</strong> from <strong>{target.policyName}</strong>: its own artifact is deployed
        and read back first, and only then is {target.policyName} detached (never edited or deleted). If anything fails on the way, it is
        attached back.
      </p>
      {guardrails.isPending ? (
        <p className="muted small">Loading guardrails…</p>
      ) : fitting.length === 0 ? (
        <p className="warn-box small">
          No active guardrail enforces this control yet. <Link href="/guardrails/new">Create one</Link> in enforce mode, then adopt.
        </p>
      ) : (
        <div className="field">
          <label htmlFor="adopt-guardrail">Guardrail that takes over</label>
          <select id="adopt-guardrail" value={guardrailId} onChange={(e) => setChosen(e.target.value)}>
            {fitting.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {preview.isError && (
        <p className="error" role="alert">
          {errorMessage(preview.error)}
        </p>
      )}
      {preview.data && (
        <div data-testid="adopt-plan">
          <h3 className="subhead">Planned change</h3>
          <ol className="small">
            {preview.data.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
          {preview.data.warnings.map((w) => (
            <p key={w} className="warn-box small">
              {w}
            </p>
          ))}
        </div>
      )}
      {ask.isError && (
        <p className="error" role="alert">
          {errorMessage(ask.error)}
        </p>
      )}
      <button className="btn primary" type="button" disabled={!preview.data || ask.isPending} onClick={() => body && ask.mutate(body)}>
        {ask.isPending ? "Asking…" : "Ask for approval"}
      </button>
    </div>
  );
}
