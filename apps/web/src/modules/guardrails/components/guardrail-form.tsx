"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { useDebounced } from "@/modules/shared/hooks/use-debounced";
import { errorMessage, issuesByField } from "@/modules/shared/lib/api";
import { fieldChanges } from "@/modules/shared/lib/diff";
import type { CatalogControl, GuardrailDetail, Mode, Remediation, Scope } from "@/modules/shared/lib/contract";
import { useCompile } from "../hooks/use-catalog";
import { isApprovalResult, useCreateGuardrail, useUpdateGuardrail } from "../hooks/use-guardrails";
import { CompiledView, ScenarioResults } from "./compiled-view";
import { ParamsForm } from "./params-form";
import { ScopePicker } from "./scope-picker";

interface Draft {
  name: string;
  description: string;
  params: Record<string, unknown>;
  scope: Scope;
  mode: Mode;
  remediation: Remediation;
  note: string;
}

/** Changes the API will hold for approval; said up front so nobody is surprised by a 202. */
function weakeningHints(before: Draft, after: Draft): string[] {
  const out: string[] = [];
  if (before.mode === "enforce" && after.mode === "audit") out.push("switching enforce → audit");
  if (before.remediation === "auto" && after.remediation === "notify") out.push("switching auto-repair → notify only");
  if (before.scope.all && !after.scope.all) out.push("narrowing the scope");
  if ((after.scope.exclude?.length ?? 0) > (before.scope.exclude?.length ?? 0)) out.push("excluding more nodes");
  for (const [k, v] of Object.entries(before.params)) {
    const nv = after.params[k];
    if (Array.isArray(v) && Array.isArray(nv) && nv.length < v.length) out.push(`fewer entries in ${k}`);
    if (v === true && nv === false) out.push(`turning off ${k}`);
  }
  return out;
}

function Tabs({ tabs, children }: { tabs: string[]; children: (i: number) => React.ReactNode }) {
  const [i, setI] = useState(0);
  return (
    <div>
      <div role="tablist" className="tabs" aria-label="Preview">
        {tabs.map((t, k) => (
          <button
            key={t}
            role="tab"
            type="button"
            id={`pv-tab-${k}`}
            aria-selected={i === k}
            aria-controls={`pv-panel-${k}`}
            tabIndex={i === k ? 0 : -1}
            onClick={() => setI(k)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight") setI((i + 1) % tabs.length);
              if (e.key === "ArrowLeft") setI((i - 1 + tabs.length) % tabs.length);
            }}
          >
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`pv-panel-${i}`} aria-labelledby={`pv-tab-${i}`} className="tabpanel">
        {children(i)}
      </div>
    </div>
  );
}

export function GuardrailForm({
  control,
  existing,
  readOnly,
}: {
  control: CatalogControl;
  existing?: GuardrailDetail;
  readOnly?: boolean;
}) {
  const router = useRouter();
  const initial: Draft = useMemo(
    () =>
      existing
        ? {
            name: existing.name,
            description: existing.description,
            params: { ...control.defaults, ...existing.params },
            scope: existing.scope,
            mode: existing.mode,
            remediation: existing.remediation,
            note: "",
          }
        : {
            name: control.title,
            description: "",
            params: { ...control.defaults },
            scope: { all: true },
            mode: "audit",
            remediation: "auto",
            note: "",
          },
    [control, existing],
  );
  const [d, setD] = useState<Draft>(initial);
  const [paramErrors, setParamErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [result, setResult] = useState<{ kind: "approval" | "saved"; text: string } | null>(null);
  const create = useCreateGuardrail();
  const update = useUpdateGuardrail(existing?.id ?? "");
  const mutation = existing ? update : create;
  const compileInput = useDebounced(
    useMemo(() => (Object.keys(paramErrors).length ? null : { params: d.params, mode: d.mode }), [d.params, d.mode, paramErrors]),
    400,
  );
  const compiled = useCompile(control.id, compileInput);
  const serverErrors = issuesByField(mutation.error);
  const changes = existing ? fieldChanges({ ...initial, note: undefined }, { ...d, note: undefined }) : [];
  const weakening = existing ? weakeningHints(initial, d) : [];

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    setResult(null);
    if (!d.name.trim()) return setFormError("Name is required.");
    if (Object.keys(paramErrors).length) return setFormError("Fix the highlighted parameters first.");
    if (d.scope.labels !== undefined && !d.scope.all && !d.scope.nodeIds?.length && !d.scope.labels.trim())
      return setFormError("Write a label expression or choose another scope.");
    if (!d.scope.all && d.scope.labels === undefined && !(d.scope.nodeIds?.length ?? 0))
      return setFormError("Choose at least one node, or apply to every environment.");
    if (existing) {
      if (changes.length === 0) return setFormError("Nothing has changed.");
      const body: Record<string, unknown> = { note: d.note || undefined };
      for (const c of changes) body[c.field] = c.after;
      update.mutate(body, {
        onSuccess: (r) => {
          if (isApprovalResult(r))
            setResult({
              kind: "approval",
              text: "This change weakens protection, so it waits for a second member's approval. The current version stays in force until then.",
            });
          else setResult({ kind: "saved", text: "Saved as a new version." });
        },
      });
    } else {
      create.mutate(
        {
          controlId: control.id,
          name: d.name.trim(),
          description: d.description,
          params: d.params,
          scope: d.scope,
          mode: d.mode,
          remediation: d.remediation,
        },
        { onSuccess: (g) => router.push(`/guardrails/${g.id}?created=1`) },
      );
    }
  }

  return (
    <form onSubmit={submit} noValidate className="guardrail-form">
      <div className="form-cols">
        <div className="stack">
          <fieldset className="card" disabled={readOnly}>
            <legend>Guardrail</legend>
            <div className="field">
              <label htmlFor="g-name">Name</label>
              <input
                id="g-name"
                value={d.name}
                maxLength={200}
                onChange={(e) => setD({ ...d, name: e.target.value })}
                aria-invalid={serverErrors.name ? true : undefined}
              />
              {serverErrors.name && <span className="field-error">{serverErrors.name}</span>}
            </div>
            <div className="field">
              <label htmlFor="g-desc">Description</label>
              <textarea
                id="g-desc"
                rows={2}
                maxLength={2000}
                value={d.description}
                onChange={(e) => setD({ ...d, description: e.target.value })}
              />
            </div>
            <div className="form-grid">
              <div className="field">
                <label htmlFor="g-mode">Mode</label>
                <select
                  id="g-mode"
                  value={d.mode}
                  onChange={(e) => setD({ ...d, mode: e.target.value as Mode })}
                  aria-describedby="g-mode-help"
                >
                  <option value="audit">Audit — report, block nothing</option>
                  <option value="enforce">Enforce — block at the cloud layer</option>
                </select>
                <span id="g-mode-help" className="help">
                  Audit deploys in each cloud's dry-run form where one exists.
                </span>
              </div>
              <div className="field">
                <label htmlFor="g-rem">When drift is found</label>
                <select id="g-rem" value={d.remediation} onChange={(e) => setD({ ...d, remediation: e.target.value as Remediation })}>
                  <option value="auto">Repair automatically</option>
                  <option value="notify">Notify only</option>
                </select>
              </div>
            </div>
          </fieldset>
          <fieldset className="card" disabled={readOnly}>
            <legend>Parameters</legend>
            <ParamsForm
              schema={control.paramsSchema}
              value={d.params}
              disabled={readOnly}
              serverErrors={serverErrors}
              onChange={(params, errors) => {
                setD((x) => ({ ...x, params }));
                setParamErrors(errors);
              }}
            />
          </fieldset>
          <fieldset className="card" disabled={readOnly}>
            <legend>Scope</legend>
            <ScopePicker value={d.scope} onChange={(scope) => setD({ ...d, scope })} disabled={readOnly} controlId={control.id} />
            {serverErrors["scope.labels"] && <span className="field-error">{serverErrors["scope.labels"]}</span>}
          </fieldset>
        </div>
        <div className="stack">
          <section className="card" aria-labelledby="pv-h">
            <h2 id="pv-h">Preview</h2>
            <Tabs
              tabs={existing ? ["Compiled policy", "Scenario proof", `Changes (${changes.length})`] : ["Compiled policy", "Scenario proof"]}
            >
              {(i) =>
                i === 0 ? (
                  <CompiledView result={compiled.data} isPending={compiled.isPending} error={compiled.error} />
                ) : i === 1 ? (
                  compiled.data ? (
                    <ScenarioResults scenarios={compiled.data.scenarios} />
                  ) : (
                    <CompiledView result={undefined} isPending={compiled.isPending} error={compiled.error} />
                  )
                ) : changes.length === 0 ? (
                  <p className="muted">No change yet.</p>
                ) : (
                  <ul className="changes" data-testid="pending-changes">
                    {changes.map((c) => (
                      <li key={c.field}>
                        <strong>{c.field}</strong>: <code className="del">{JSON.stringify(c.before)}</code> →{" "}
                        <code className="add">{JSON.stringify(c.after)}</code>
                      </li>
                    ))}
                  </ul>
                )
              }
            </Tabs>
          </section>
        </div>
      </div>
      {!readOnly && (
        <div className="sticky-actions">
          {existing && (
            <div className="field note-field">
              <label htmlFor="g-note">Change note</label>
              <input
                id="g-note"
                value={d.note}
                maxLength={500}
                placeholder="Why this change?"
                onChange={(e) => setD({ ...d, note: e.target.value })}
              />
            </div>
          )}
          {weakening.length > 0 && (
            <p className="warn-box" role="note">
              Needs approval: {weakening.join(", ")}.
            </p>
          )}
          {(formError || (mutation.isError && Object.keys(serverErrors).length === 0)) && (
            <p className="error" role="alert">
              {formError ?? errorMessage(mutation.error)}
            </p>
          )}
          {result && (
            <p className={result.kind === "approval" ? "warn-box" : "success"} role="status" data-testid="save-result">
              {result.text} {result.kind === "approval" && <Link href="/approvals">Open approvals</Link>}
            </p>
          )}
          <button className="btn primary" type="submit" disabled={mutation.isPending}>
            {mutation.isPending ? "Saving…" : existing ? "Save changes" : "Create guardrail"}
          </button>
        </div>
      )}
    </form>
  );
}
