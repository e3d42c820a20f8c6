"use client";
import { useState } from "react";
import { ExemptionForm, type ExemptionSubject } from "@/modules/exemptions/components/exemption-form";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Dialog } from "@/modules/shared/components/dialog";
import { ErrorState, Loading } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage, type ApiOutput } from "@/modules/shared/lib/api";
import { dateTime, num } from "@/modules/shared/lib/format";
import type { Cloud } from "@/modules/shared/lib/contract";
import { exemptableAuditPrincipal } from "@parapet/core/exemptions/exempt-principal";
import { useImpact, useRequestImpact } from "../hooks/use-impact";

type Report = ApiOutput<"GET /guardrails/{id}/impact">["reports"][number];
type Summary = NonNullable<Report["summary"]>;

const DAY_MS = 86_400_000;
const days = (r: Report) => Math.max(1, Math.round((Date.parse(r.windowEnd) - Date.parse(r.windowStart)) / DAY_MS));
const plural = (n: number, one: string, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;

/** Why an event could not be judged, in words (the evaluators' reason codes). */
const REASON_TEXT: Record<string, string> = {
  "missing-context": "the log does not carry a value the guardrail tests",
  "no-request-body": "the log does not carry the request body the policy rule tests",
  "unknown-principal": "the caller could not be identified",
  "unknown-permission": "the operation's permission is not known",
  "group-membership-unknown": "the caller's group membership could not be read",
  "unsupported-action": "the guardrail's cloud policy cannot be evaluated for this call",
};

function Lockouts({ s }: { s: Summary }) {
  if (s.lockouts.length === 0) return null;
  return (
    <div className="error" role="alert" data-testid="impact-lockout">
      <strong>
        Hard stop: enforcing this would lock out{" "}
        {s.lockouts.some((l) => l.class === "connector") ? "Parapet's connector" : "break-glass access"}.
      </strong>
      <ul>
        {s.lockouts.map((l) => (
          <li key={`${l.class}:${l.principal}:${l.action}`}>
            {l.class === "connector" ? "connector" : "break-glass"} <code>{l.principal}</code> calling <code>{l.action}</code> (
            {plural(l.count, "call")}, e.g. {dateTime(l.sample.time)} in {l.sample.environment})
          </li>
        ))}
      </ul>
      <p className="small">
        Correct the connection&apos;s principal classes or the guardrail, then replay again. Enforce is refused until then.
      </p>
    </div>
  );
}

/**
 * Spare one principal in every environment (AWS role ARN, GCP principal, OCI OCID). Not offered on Azure, whose
 * policies cannot condition on the caller, nor for a principal that is no single identity.
 */
function PrincipalExemptButton({
  cloud,
  principal,
  onPick,
}: {
  cloud: Cloud;
  principal: string;
  onPick: (x: { subject: ExemptionSubject; name: string }) => void;
}) {
  const id = exemptableAuditPrincipal(cloud, principal);
  if (!id || cloud === "azure") return null;
  return (
    <button
      type="button"
      className="btn small ghost"
      title={`Spare ${id} from this guardrail in every environment`}
      onClick={() => onPick({ subject: { principal: { cloud, id } }, name: `the principal ${id} (every environment)` })}
      data-testid="impact-exempt-principal"
    >
      Exempt principal…
    </button>
  );
}

function Groups({ s, guardrailId, cloud, canExempt }: { s: Summary; guardrailId: string; cloud: Cloud; canExempt: boolean }) {
  const [exempt, setExempt] = useState<{ subject: ExemptionSubject; name: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (s.groups.length === 0) return null;
  return (
    <>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <table className="table" data-testid="impact-groups">
        <thead>
          <tr>
            <th>Principal</th>
            <th>Action</th>
            <th>Environment</th>
            <th className="num">Calls</th>
            <th>Denied by</th>
            {canExempt && <th />}
          </tr>
        </thead>
        <tbody>
          {s.groups.map((g) => (
            <tr key={`${g.principal}|${g.action}|${g.environment}`}>
              <td>
                <code>{g.principal}</code>
              </td>
              <td>
                <code>{g.action}</code>
              </td>
              <td>{g.environment}</td>
              <td className="num">{num(g.count)}</td>
              <td className="small">
                {g.by.join(", ")}
                <details>
                  <summary>{plural(g.samples.length, "sample")}</summary>
                  <ul className="small">
                    {g.samples.map((x) => (
                      <li key={x.id}>
                        {dateTime(x.time)} · <code>{x.resource || "—"}</code> · the cloud answered {x.outcome}
                      </li>
                    ))}
                  </ul>
                </details>
              </td>
              {canExempt && (
                <td className="actions">
                  {g.environmentId && (
                    <button
                      type="button"
                      className="btn small"
                      title={`Spare the environment ${g.environment} from this guardrail`}
                      onClick={() => setExempt({ subject: { nodeId: g.environmentId! }, name: g.environment })}
                      data-testid="impact-exempt"
                    >
                      Request exemption…
                    </button>
                  )}
                  <PrincipalExemptButton cloud={cloud} principal={g.principal} onPick={setExempt} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {s.groupsOmitted > 0 && <p className="muted small">and {plural(s.groupsOmitted, "more denied call")} in smaller groups</p>}
      <Dialog open={!!exempt} onClose={() => setExempt(null)} title="Request an exemption">
        {exempt && (
          <ExemptionForm
            guardrailId={guardrailId}
            subject={exempt.subject}
            target={`${exempt.name} from this guardrail`}
            onDone={() => {
              setDone(`Exemption for ${exempt.name} requested: it waits for a second member's approval.`);
              setExempt(null);
            }}
          />
        )}
      </Dialog>
    </>
  );
}

function Unjudged({ s }: { s: Summary }) {
  if (s.unjudgeableReasons.length === 0) return null;
  return (
    <details data-testid="impact-unjudgeable">
      <summary>{plural(s.unjudgeable, "call")} could not be judged — shown, never guessed</summary>
      <table className="table">
        <thead>
          <tr>
            <th>Why</th>
            <th>Detail</th>
            <th className="num">Calls</th>
            <th>Example</th>
          </tr>
        </thead>
        <tbody>
          {s.unjudgeableReasons.map((u) => (
            <tr key={`${u.reason}|${u.detail ?? ""}`}>
              <td>{REASON_TEXT[u.reason] ?? u.reason}</td>
              <td className="small">{u.detail ?? "—"}</td>
              <td className="num">{num(u.count)}</td>
              <td className="small">
                <code>{u.sample.principal}</code> · <code>{u.sample.action}</code> · {u.sample.environment}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function ReportView({ r, guardrailId, canExempt }: { r: Report; guardrailId: string; canExempt: boolean }) {
  const s = r.summary;
  return (
    <article className="stack" data-testid="impact-report" data-connection={r.connection.name}>
      <h3>
        <CloudBadge cloud={r.connection.cloud} /> {r.connection.name}{" "}
        <span className="muted small">
          v{r.version} · {dateTime(r.windowStart)} – {dateTime(r.windowEnd)}
        </span>{" "}
        <StatusBadge status={r.status} />
      </h3>
      {r.status === "failed" && <p className="error">{r.error ?? "The replay failed."}</p>}
      {(r.status === "queued" || r.status === "running") && (
        <p className="muted" role="status">
          Replaying the audit log…
        </p>
      )}
      {r.status === "done" && s && (
        <>
          <Lockouts s={s} />
          <p data-testid="impact-headline">
            In the last {plural(days(r), "day")} this would have denied <strong>{plural(s.denied, "call")}</strong> by{" "}
            <strong>{plural(s.deniedPrincipals, "principal")}</strong> in <strong>{plural(s.deniedEnvironments, "environment")}</strong>.
          </p>
          <p className="muted small" data-testid="impact-counts">
            {plural(s.events, "event")} read · {num(s.judged)} in scope ({plural(s.distinctRequests, "distinct request")}) ·{" "}
            {num(s.outOfScope)} outside the guardrail&apos;s scope · {num(s.unknownEnvironment)} in environments Parapet does not know ·{" "}
            {num(s.unjudgeable)} not judgeable
            {Object.entries(s.skippedByReader).map(([k, n]) => ` · ${num(n)} unreadable (${k})`)}
          </p>
          <Groups s={s} guardrailId={guardrailId} cloud={r.connection.cloud} canExempt={canExempt} />
          <Unjudged s={s} />
        </>
      )}
    </article>
  );
}

/** "What would this have blocked?": replays of the connected clouds' audit logs against the current version. */
export function ImpactPanel({ guardrailId, currentVersion }: { guardrailId: string; currentVersion: number }) {
  const q = useImpact(guardrailId);
  const run = useRequestImpact(guardrailId);
  const canWrite = useCan("guardrail", "write");
  const canExempt = useCan("exemption", "request");
  const [window, setWindow] = useState(30);
  if (q.isPending) return <Loading rows={3} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const reports = q.data.reports;
  const stale = reports.length > 0 && reports.every((r) => r.version !== currentVersion);
  return (
    <section className="card stack" data-testid="impact">
      <h2>Would have blocked</h2>
      <p className="muted small">
        Replays each connected cloud&apos;s audit log against v{currentVersion} as enforce would deploy it, and shows which calls it would
        have denied. Nothing is changed in the cloud.
      </p>
      {canWrite && (
        <div className="filters">
          <label>
            <span>Window</span>
            <select value={window} onChange={(e) => setWindow(Number(e.target.value))}>
              {[7, 30, 90].map((d) => (
                <option key={d} value={d}>
                  last {d} days
                </option>
              ))}
            </select>
          </label>
          <button className="btn primary small" type="button" disabled={run.isPending} onClick={() => run.mutate({ days: window })}>
            {reports.length ? "Replay again" : "Replay audit logs"}
          </button>
        </div>
      )}
      {run.isError && <p className="error">{errorMessage(run.error)}</p>}
      {stale && <p className="muted small">These replays are of an earlier version; replay again to see v{currentVersion}.</p>}
      {reports.length === 0 ? (
        <p className="muted">No replay yet.</p>
      ) : (
        reports.map((r) => <ReportView key={r.id} r={r} guardrailId={guardrailId} canExempt={canExempt} />)
      )}
    </section>
  );
}

/** One line per connection for an approval: what the guardrail's newest replay found, and any lockout. */
export function ImpactBrief({ guardrailId }: { guardrailId: string }) {
  const q = useImpact(guardrailId);
  if (q.isPending || q.isError || q.data.reports.length === 0) return null;
  return (
    <div className="stack small" data-testid="approval-impact">
      <strong>Would have blocked (newest replay):</strong>
      <ul>
        {q.data.reports.map((r) => (
          <li key={r.id}>
            {r.connection.name}:{" "}
            {r.status === "done" && r.summary ? (
              <>
                {plural(r.summary.denied, "call")} by {plural(r.summary.deniedPrincipals, "principal")} in{" "}
                {plural(r.summary.deniedEnvironments, "environment")} over {plural(days(r), "day")} (v{r.version})
                {r.lockout && (
                  <strong className="error" role="alert">
                    {" "}
                    — would lock out the connector or break-glass
                  </strong>
                )}
              </>
            ) : (
              <StatusBadge status={r.status} />
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
