"use client";
import { useState, type FormEvent } from "react";
import type { Cloud } from "@/modules/shared/lib/contract";
import { CLOUD_FORMS, validateDraft, type CredentialsDraft, type FieldDef } from "../lib/cloud-forms";

function Field({
  id,
  f,
  value,
  onChange,
  error,
  readOnlyValue,
}: {
  id: string;
  f: FieldDef;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  readOnlyValue?: string;
}) {
  const describedBy = [f.help ? `${id}-help` : null, error ? `${id}-err` : null].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: id,
    value: readOnlyValue ?? value,
    readOnly: readOnlyValue !== undefined,
    placeholder: f.placeholder,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    autoComplete: "off",
    spellCheck: false,
  } as const;
  return (
    <div className="field">
      <label htmlFor={id}>
        {f.label}
        {f.optional && <span className="muted"> (optional)</span>}
      </label>
      {f.multiline ? (
        <textarea {...common} rows={f.name === "key" || f.name === "privateKeyPem" ? 6 : 3} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={f.secret ? "password" : "text"} onChange={(e) => onChange(e.target.value)} />
      )}
      {f.help && (
        <span id={`${id}-help`} className="help">
          {f.help}
        </span>
      )}
      {error && (
        <span id={`${id}-err`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

function emptyDraft(cloud: Cloud): CredentialsDraft {
  const form = CLOUD_FORMS[cloud];
  return { name: "", endpoint: "", kind: form.kinds.find((k) => k.recommended)?.id ?? form.kinds[0]!.id, facts: {}, fields: {} };
}

/**
 * Identifiers and credentials for one cloud. Secrets go straight to the API, which seals them; the
 * browser never gets them back (only non-secret hints).
 */
export function CredentialsForm({
  cloud,
  externalId,
  serverErrors,
  pending,
  submitLabel,
  credentialsOnly,
  onSubmit,
}: {
  cloud: Cloud;
  externalId?: string;
  serverErrors: Record<string, string>;
  pending: boolean;
  submitLabel: string;
  credentialsOnly?: boolean;
  onSubmit: (d: CredentialsDraft) => void;
}) {
  const form = CLOUD_FORMS[cloud];
  const [d, setD] = useState<CredentialsDraft>(() => ({ ...emptyDraft(cloud), name: credentialsOnly ? "x" : "" }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const kind = form.kinds.find((k) => k.id === d.kind) ?? form.kinds[0]!;
  const all = { ...errors, ...serverErrors };

  function submit(e: FormEvent) {
    e.preventDefault();
    const errs = validateDraft(
      cloud,
      credentialsOnly ? { ...d, facts: Object.fromEntries(form.facts.map((f) => [f.name, f.placeholder ?? "x"])) } : d,
      { externalId },
    );
    if (credentialsOnly) for (const k of Object.keys(errs)) if (k.startsWith("facts.")) delete errs[k];
    setErrors(errs);
    if (Object.keys(errs).length === 0) onSubmit(d);
    else document.getElementById(Object.keys(errs)[0]!)?.focus();
  }

  return (
    <form onSubmit={submit} noValidate className="stack">
      {!credentialsOnly && (
        <fieldset>
          <legend>{form.rootLabel}</legend>
          <div className="form-grid">
            <Field
              id="name"
              f={{ name: "name", label: "Connection name", placeholder: `Acme ${cloud.toUpperCase()}` }}
              value={d.name}
              onChange={(v) => setD({ ...d, name: v })}
              error={all.name}
            />
            {form.facts.map((f) => (
              <Field
                key={f.name}
                id={`facts.${f.name}`}
                f={f}
                value={d.facts[f.name] ?? ""}
                onChange={(v) => setD({ ...d, facts: { ...d.facts, [f.name]: v } })}
                error={all[`facts.${f.name}`]}
              />
            ))}
          </div>
        </fieldset>
      )}
      <fieldset>
        <legend>How Parapet signs in</legend>
        <div className="radio-cards">
          {form.kinds.map((k) => (
            <label key={k.id} className={k.id === d.kind ? "selected" : undefined}>
              <input
                type="radio"
                name="kind"
                value={k.id}
                checked={k.id === d.kind}
                onChange={() => setD({ ...d, kind: k.id, fields: {} })}
              />
              <span>
                <strong>{k.label}</strong>
                {k.recommended && <span className="badge ok">recommended</span>}
                <span className="help">{k.help}</span>
              </span>
            </label>
          ))}
        </div>
        <div className="form-grid">
          {kind.fields.map((f) => (
            <Field
              key={`${kind.id}.${f.name}`}
              id={`credentials.${f.name}`}
              f={f}
              value={d.fields[f.name] ?? ""}
              readOnlyValue={f.fromBootstrap === "externalId" ? (externalId ?? "") : undefined}
              onChange={(v) => setD({ ...d, fields: { ...d.fields, [f.name]: v } })}
              error={all[`credentials.${f.name}`]}
            />
          ))}
        </div>
      </fieldset>
      {!credentialsOnly && (
        <details>
          <summary>Advanced: API endpoint</summary>
          <Field
            id="endpoint"
            f={{
              name: "endpoint",
              label: "API endpoint override",
              optional: true,
              placeholder: "https://…",
              help: "For sovereign regions, private endpoints or Parapet's cloud simulators. Leave empty for the public endpoint.",
            }}
            value={d.endpoint}
            onChange={(v) => setD({ ...d, endpoint: v })}
            error={all.endpoint}
          />
        </details>
      )}
      {all.credentials && <p className="error">{all.credentials}</p>}
      <div className="actions">
        <button className="btn primary" type="submit" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
