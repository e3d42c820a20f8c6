"use client";
import { ErrorState, Loading } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage, type ApiOutput } from "@/modules/shared/lib/api";
import { ago, num } from "@/modules/shared/lib/format";
import { useState } from "react";
import { usePosture, useScanPosture, useWatchForeignPolicy } from "../hooks/use-connections";
import { AdoptDialog, type AdoptTarget } from "./adopt-dialog";

type PolicyView = ApiOutput<"GET /connections/{id}/posture">["policies"][number];

/** Only AWS SCPs/RCPs of the customer's own (not AWS's) with no adoption under way can be adopted. */
function adoptable(f: PolicyView): boolean {
  const live = f.adoption && ["pending", "approved", "detaching", "rolling-back"].includes(f.adoption.state);
  return (f.kind === "aws.scp" || f.kind === "aws.rcp") && f.managedBy !== "aws" && f.stance !== "adopted" && !f.goneAt && !live;
}

const ADOPTION_STATE: Record<string, string> = {
  pending: "adoption waits for approval",
  approved: "adoption approved: the next reconcile carries it out",
  detaching: "being adopted",
  "rolling-back": "adoption rolling back",
  failed: "adoption failed",
  "rolled-back": "adoption rolled back",
  rejected: "adoption rejected",
};

function stanceText(f: PolicyView): string {
  if (f.goneAt) return "gone";
  if (f.stance === "adopted") return `adopted: detached from ${f.adoption?.detached.length ?? 0} target(s), replaced by Parapet's own`;
  const a = f.adoption && f.adoption.state !== "done" ? ADOPTION_STATE[f.adoption.state] : undefined;
  const base =
    f.stance === "watched" ? (f.driftDetectedAt ? `external, watched — drifted ${ago(f.driftDetectedAt)}` : "external, watched") : f.stance;
  return a ? `${base} · ${a}${f.adoption?.error ? ` (${f.adoption.error})` : ""}` : base;
}

/**
 * Fit and conflicts before the first deploy: what the customer's own policies already take of each
 * target's quota, and which of them would refuse Parapet's connector its own calls (lockout risk).
 */
export function PostureFit({ id }: { id: string }) {
  const q = usePosture(id);
  if (q.isPending || q.isError || !q.data.scan || q.data.scan.status !== "done") return null;
  const { slots, lockouts } = q.data.scan;
  const tight = slots.filter((s) => s.used >= s.limit - 1 || (s.charLimit && (s.largestChars ?? 0) > s.charLimit * 0.8));
  return (
    <div data-testid="posture-fit">
      <h3 className="subhead">Fit beside your own policies</h3>
      {lockouts.length > 0 ? (
        <div className="error" role="alert" data-testid="posture-lockout">
          Lockout risk: your policies would refuse Parapet&apos;s connector{" "}
          {lockouts.map((l) => `${l.call} (by ${l.by.join(", ")})`).join("; ")}. Except the connector in them before the first deploy.
        </div>
      ) : (
        <p className="muted small">No policy of yours denies Parapet&apos;s connector its own calls.</p>
      )}
      {tight.length > 0 ? (
        <ul className="small">
          {tight.map((s) => (
            <li key={`${s.target}|${s.what}`}>
              <code>{s.target}</code>: {s.used} of {s.limit} {s.what} taken by yours ({s.policies.join(", ")})
              {s.charLimit ? `; largest ${num(s.largestChars ?? 0)} of ${num(s.charLimit)} characters` : ""}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">
          {slots.length ? `Your policies leave room on all ${num(slots.length)} targets they use.` : "Your policies take no slots."}
        </p>
      )}
    </div>
  );
}

export function PosturePanel({ id }: { id: string }) {
  const q = usePosture(id);
  const scan = useScanPosture(id);
  const watch = useWatchForeignPolicy(id);
  const canWrite = useCan("connection", "write");
  const [adopt, setAdopt] = useState<AdoptTarget | null>(null);
  if (q.isPending) return <Loading rows={3} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const p = q.data;
  const running = p.scan && ["queued", "running"].includes(p.scan.status);
  const byName = new Map(p.policies.map((f) => [f.name, f]));
  return (
    <section className="card" data-testid="posture-panel">
      <h2>Your own policies (posture)</h2>
      <p className="muted small">
        A read-only scan of the preventive policies Parapet does not own. Each catalog control&apos;s scenarios are run against them, so
        &quot;already enforced&quot; is proven, not guessed.
      </p>
      {canWrite && (
        <button className="btn small" type="button" disabled={scan.isPending || !!running} onClick={() => scan.mutate()}>
          {running ? "Scanning…" : p.scan ? "Scan again" : "Scan posture"}
        </button>
      )}
      {scan.isError && <p className="error">{errorMessage(scan.error)}</p>}
      {p.scan && (
        <p className="small" data-testid="posture-scan">
          Last scan {ago(p.scan.createdAt)}: {p.scan.status}
          {p.scan.status === "done" && ` · ${num(p.scan.policies)} policies · ${num(p.scan.calls)} read calls`}
          {p.scan.error && <span className="error"> {p.scan.error}</span>}
          {p.scan.unreadable.length > 0 && <span className="warn-box"> {p.scan.unreadable.length} reads failed: partial.</span>}
        </p>
      )}
      <PostureFit id={id} />
      {p.controls.length > 0 && (
        <>
          <h3 className="subhead">What they already enforce</h3>
          <div className="table-wrap">
            <table className="table small" data-testid="posture-controls">
              <thead>
                <tr>
                  <th>Control</th>
                  <th>Enforced</th>
                  <th>Partial</th>
                  <th>By</th>
                  <th>Failing scenarios</th>
                </tr>
              </thead>
              <tbody>
                {p.controls
                  .filter((c) => c.enforced + c.partial > 0)
                  .map((c) => (
                    <tr key={c.controlId}>
                      <td>{c.title}</td>
                      <td>{num(c.enforced)}</td>
                      <td>{num(c.partial)}</td>
                      <td>
                        {c.enforcedBy.map((name) => {
                          const f = byName.get(name);
                          return (
                            <span key={name} className="by-policy">
                              {name}
                              {f?.stance === "adopted" && <span className="muted"> (adopted: scan again to re-prove)</span>}{" "}
                              {canWrite && f && adoptable(f) && (
                                <button
                                  className="btn small"
                                  type="button"
                                  onClick={() =>
                                    setAdopt({
                                      policyId: f.id,
                                      policyName: f.name,
                                      bodyHash: f.bodyHash,
                                      controlId: c.controlId,
                                      controlTitle: c.title,
                                    })
                                  }
                                >
                                  Adopt…
                                </button>
                              )}{" "}
                            </span>
                          );
                        })}
                      </td>
                      <td className="muted">{c.failing.slice(0, 3).join("; ")}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {p.policies.length > 0 && (
        <>
          <h3 className="subhead">Inventory</h3>
          <div className="table-wrap">
            <table className="table small" data-testid="posture-policies">
              <thead>
                <tr>
                  <th>Policy</th>
                  <th>Kind</th>
                  <th>Attached</th>
                  <th>Status</th>
                  {canWrite && <th />}
                </tr>
              </thead>
              <tbody>
                {p.policies.map((f) => (
                  <tr key={f.id} data-testid="posture-policy">
                    <td>
                      {f.name}
                      {f.managedBy && <span className="muted"> ({f.managedBy})</span>}
                    </td>
                    <td>
                      <code>{f.kind}</code>
                    </td>
                    <td>{num(f.attachments.length)}</td>
                    <td data-testid="posture-policy-status">{stanceText(f)}</td>
                    {canWrite && (
                      <td>
                        {f.stance !== "adopted" && !f.goneAt && (
                          <button
                            className="btn small"
                            type="button"
                            disabled={watch.isPending}
                            onClick={() => watch.mutate({ policyId: f.id, watch: f.stance !== "watched" || !!f.driftDetectedAt })}
                          >
                            {f.stance !== "watched" ? "Watch" : f.driftDetectedAt ? "Accept change" : "Stop watching"}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <AdoptDialog connectionId={id} target={adopt} onClose={() => setAdopt(null)} />
    </section>
  );
}
