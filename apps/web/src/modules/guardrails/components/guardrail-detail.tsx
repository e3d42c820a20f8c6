"use client";
import Link from "next/link";
import { useState } from "react";
import { StatusBar } from "@/modules/overview/components/coverage-summary";
import { StatusBadge } from "@/modules/shared/components/badges";
import { JsonDiff } from "@/modules/shared/components/json-diff";
import { ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { errorMessage } from "@/modules/shared/lib/api";
import { fieldChanges } from "@/modules/shared/lib/diff";
import { dateTime, num, personLabel } from "@/modules/shared/lib/format";
import type { GuardrailDetail, GuardrailVersion } from "@/modules/shared/lib/contract";
import { useControl } from "../hooks/use-catalog";
import { isApprovalResult, useGuardrail, useGuardrailAction } from "../hooks/use-guardrails";
import { GuardrailForm } from "./guardrail-form";
import { ImpactPanel } from "./impact-panel";
import { RolloutPanel } from "./rollout-panel";

function versionBody(v: GuardrailVersion) {
  return { params: v.params, scope: v.scope, mode: v.mode, remediation: v.remediation };
}

function VersionHistory({ g }: { g: GuardrailDetail }) {
  const versions = [...g.versions].sort((a, b) => b.version - a.version);
  const [to, setTo] = useState(versions[0]?.version ?? 1);
  const [from, setFrom] = useState(versions[1]?.version ?? versions[0]?.version ?? 1);
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  return (
    <div className="stack" data-testid="versions">
      <ol className="timeline">
        {versions.map((v) => {
          const prev = versions.find((x) => x.version === v.version - 1);
          const changed = prev ? fieldChanges(versionBody(prev), versionBody(v)).map((c) => c.field) : ["created"];
          return (
            <li key={v.version}>
              <strong>v{v.version}</strong> {v.version === g.currentVersion && <span className="badge ok">current</span>}{" "}
              <span className="muted small">
                {dateTime(v.createdAt)} · {personLabel(v.createdBy)}
              </span>
              <div className="small">
                {changed.join(", ") || "no field change"}
                {v.note && <span className="muted"> — “{v.note}”</span>}
              </div>
            </li>
          );
        })}
      </ol>
      {versions.length > 1 && (
        <>
          <div className="filters">
            <label>
              <span>From</span>
              <select value={from} onChange={(e) => setFrom(Number(e.target.value))}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>To</span>
              <select value={to} onChange={(e) => setTo(Number(e.target.value))}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {a && b && <JsonDiff before={versionBody(a)} after={versionBody(b)} beforeLabel={`v${a.version}`} afterLabel={`v${b.version}`} />}
        </>
      )}
    </div>
  );
}

/** A link only to a web address (never javascript: or the like); GitHub/GitLab commits link to the commit. */
function sourceHref(repo: string, commit: string): string | null {
  if (!/^https:\/\/[^\s"<>]+$/.test(repo)) return null;
  const base = repo.replace(/\/$/, "");
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? `${base}/commit/${commit}` : base;
}

function ManagedInCode({ m }: { m: { key: string; repo: string; commit: string; appliedAt: string } }) {
  const href = sourceHref(m.repo, m.commit);
  const label = `${m.repo || "code"}${m.commit ? `@${m.commit.slice(0, 12)}` : ""}`;
  return (
    <p className="warn-box" role="note" data-testid="managed-in-code">
      Managed in code as <code>{m.key}</code> (
      {href ? (
        <a href={href} target="_blank" rel="noreferrer noopener">
          {label}
        </a>
      ) : (
        label
      )}
      , applied {dateTime(m.appliedAt)}). Change it in the repository and run <code>parapet apply</code>; exemptions and emergency disable
      remain available here.
    </p>
  );
}

export function GuardrailDetailView({ id, created }: { id: string; created?: boolean }) {
  const q = useGuardrail(id);
  const control = useControl(q.data?.controlId ?? null);
  const canWrite = useCan("guardrail", "write");
  const action = useGuardrailAction(id);
  const [tab, setTab] = useState<"edit" | "versions" | "impact" | "rollout">("edit");
  const [notice, setNotice] = useState<string | null>(
    created ? "Guardrail created. Parapet is deploying it to every connected cloud in scope." : null,
  );

  if (q.isPending) return <Loading rows={6} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const g = q.data;
  const managed = g.managedInCode;
  const denom = g.coverage.total - g.coverage.exempt;

  function run(a: "disable" | "enable" | "delete") {
    if (a === "delete" && !window.confirm(`Delete “${g.name}”? This asks a second member for approval.`)) return;
    action.mutate(a, {
      onSuccess: (r) =>
        setNotice(
          isApprovalResult(r) ? `The ${a} request waits for a second member's approval.` : a === "enable" ? "Guardrail enabled." : "Done.",
        ),
    });
  }

  return (
    <>
      <PageHeader
        title={g.name}
        subtitle={
          <>
            <code>{g.controlId}</code> · v{g.currentVersion} · <StatusBadge status={g.status} /> <StatusBadge status={g.mode} />{" "}
            <span className="badge neutral">{g.remediation === "auto" ? "auto-repair" : "notify only"}</span>
            {g.pendingApproval && (
              <>
                {" "}
                <Link className="badge warn" href={`/approvals#${g.pendingApproval}`} data-testid="approval-pending">
                  change awaiting approval
                </Link>
              </>
            )}
          </>
        }
        actions={
          canWrite && (
            <>
              {g.status === "active" ? (
                <button
                  className="btn small"
                  type="button"
                  disabled={action.isPending || !!g.pendingApproval}
                  onClick={() => run("disable")}
                >
                  Disable…
                </button>
              ) : (
                !managed && (
                  <button className="btn small" type="button" disabled={action.isPending} onClick={() => run("enable")}>
                    Enable
                  </button>
                )
              )}
              {!managed && (
                <button
                  className="btn small danger"
                  type="button"
                  disabled={action.isPending || !!g.pendingApproval}
                  onClick={() => run("delete")}
                >
                  Delete…
                </button>
              )}
            </>
          )
        }
      />
      {notice && (
        <p className="success" role="status" data-testid="guardrail-notice">
          {notice}
        </p>
      )}
      {managed && <ManagedInCode m={managed} />}
      {action.isError && <p className="error">{errorMessage(action.error)}</p>}
      {g.description && <p>{g.description}</p>}
      <section className="card" aria-labelledby="gcov-h">
        <h2 id="gcov-h">Coverage</h2>
        <p data-testid="guardrail-coverage-detail">
          <strong>{num(g.coverage.enforced)}</strong> of {num(denom)} environments enforced · {num(g.coverage.audit)} audit ·{" "}
          {num(g.coverage.drifted)} drifted · {num(g.coverage.pending)} pending · {num(g.coverage.exempt)} exempt ·{" "}
          {num(g.coverage.unsupported)} unsupported
        </p>
        <StatusBar totals={g.coverage} label="Coverage" />
      </section>
      <div role="tablist" className="tabs" aria-label="Guardrail">
        <button role="tab" type="button" aria-selected={tab === "edit"} onClick={() => setTab("edit")}>
          {canWrite && !managed ? "Edit" : "Definition"}
        </button>
        <button role="tab" type="button" aria-selected={tab === "versions"} onClick={() => setTab("versions")}>
          Version history ({g.versions.length})
        </button>
        <button role="tab" type="button" aria-selected={tab === "impact"} onClick={() => setTab("impact")} data-testid="impact-tab">
          Would have blocked
        </button>
        <button role="tab" type="button" aria-selected={tab === "rollout"} onClick={() => setTab("rollout")} data-testid="rollout-tab">
          Rollout
        </button>
      </div>
      <div role="tabpanel" className="tabpanel">
        {tab === "rollout" ? (
          <RolloutPanel guardrailId={g.id} mode={g.mode} managed={!!managed} />
        ) : tab === "impact" ? (
          <ImpactPanel guardrailId={g.id} currentVersion={g.currentVersion} />
        ) : tab === "versions" ? (
          <section className="card">
            <VersionHistory g={g} />
          </section>
        ) : control.isPending ? (
          <Loading rows={4} />
        ) : control.isError ? (
          <ErrorState error={control.error} />
        ) : (
          <GuardrailForm
            key={`${g.id}:${g.currentVersion}`}
            control={control.data}
            existing={g}
            readOnly={!canWrite || g.status !== "active" || !!managed}
          />
        )}
      </div>
    </>
  );
}
