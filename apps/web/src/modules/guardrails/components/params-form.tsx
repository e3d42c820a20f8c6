"use client";
import { useMemo, useState } from "react";
import type { JsonSchema } from "@/modules/guardrails/lib/schema-form";
import { fieldsFromSchema, fromText, toText, type ParamField } from "../lib/schema-form";

/**
 * A form generated from the control's JSON Schema. Text fields keep what the person typed; the
 * parsed value is reported upward only when it is valid, so the live compile never sees junk.
 */
export function ParamsForm({
  schema,
  value,
  onChange,
  disabled,
  serverErrors,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>, errors: Record<string, string>) => void;
  disabled?: boolean;
  serverErrors?: Record<string, string>;
}) {
  const fields = useMemo(() => fieldsFromSchema(schema), [schema]);
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, toText(f, value[f.name])])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});

  if (fields.length === 0) return <p className="muted">This control has no parameters: it means the same thing everywhere.</p>;

  function setText(f: ParamField, text: string) {
    const t = { ...texts, [f.name]: text };
    setTexts(t);
    const r = fromText(f, text);
    const e = { ...errors };
    const v = { ...value };
    if ("error" in r) e[f.name] = r.error;
    else {
      delete e[f.name];
      if (r.value === undefined) delete v[f.name];
      else v[f.name] = r.value;
    }
    setErrors(e);
    onChange(v, e);
  }
  function setValue(f: ParamField, v: unknown) {
    onChange({ ...value, [f.name]: v }, errors);
  }

  return (
    <div className="form-grid" data-testid="params-form">
      {fields.map((f) => {
        const id = `param-${f.name}`;
        const err = errors[f.name] ?? serverErrors?.[`params.${f.name}`];
        const describedBy = [f.help ? `${id}-help` : null, err ? `${id}-err` : null].filter(Boolean).join(" ") || undefined;
        const foot = (
          <>
            {f.help && (
              <span id={`${id}-help`} className="help">
                {f.help}
              </span>
            )}
            {err && (
              <span id={`${id}-err`} className="field-error">
                {f.label} {err}
              </span>
            )}
          </>
        );
        if (f.kind === "boolean") {
          return (
            <div className="field" key={f.name}>
              <label className="check">
                <input
                  id={id}
                  type="checkbox"
                  disabled={disabled}
                  checked={value[f.name] === true}
                  onChange={(e) => setValue(f, e.target.checked)}
                  aria-describedby={describedBy}
                />{" "}
                {f.label}
              </label>
              {foot}
            </div>
          );
        }
        if (f.kind === "enum") {
          return (
            <div className="field" key={f.name}>
              <label htmlFor={id}>{f.label}</label>
              <select
                id={id}
                disabled={disabled}
                value={typeof value[f.name] === "string" ? (value[f.name] as string) : ""}
                onChange={(e) => setValue(f, e.target.value)}
                aria-describedby={describedBy}
              >
                {f.options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
              {foot}
            </div>
          );
        }
        if (f.kind === "enum-list") {
          const cur = Array.isArray(value[f.name]) ? (value[f.name] as string[]) : [];
          return (
            <fieldset className="field" key={f.name} aria-describedby={describedBy}>
              <legend>{f.label}</legend>
              <div className="check-grid">
                {f.options.map((o) => (
                  <label key={o} className="check">
                    <input
                      type="checkbox"
                      disabled={disabled}
                      checked={cur.includes(o)}
                      onChange={(e) => setValue(f, e.target.checked ? [...cur, o] : cur.filter((x) => x !== o))}
                    />{" "}
                    {o}
                  </label>
                ))}
              </div>
              {f.minItems !== undefined && cur.length < f.minItems && <span className="field-error">Choose at least {f.minItems}.</span>}
              {foot}
            </fieldset>
          );
        }
        const multiline = f.kind === "string-list" || f.kind === "json";
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id}>
              {f.label}
              {f.kind === "string-list" && <span className="muted small"> (one per line)</span>}
            </label>
            {multiline ? (
              <textarea
                id={id}
                rows={f.kind === "json" ? 5 : 3}
                disabled={disabled}
                value={texts[f.name] ?? ""}
                onChange={(e) => setText(f, e.target.value)}
                aria-invalid={err ? true : undefined}
                aria-describedby={describedBy}
                spellCheck={false}
              />
            ) : (
              <input
                id={id}
                type={f.kind === "number" ? "number" : "text"}
                disabled={disabled}
                value={texts[f.name] ?? ""}
                onChange={(e) => setText(f, e.target.value)}
                aria-invalid={err ? true : undefined}
                aria-describedby={describedBy}
                spellCheck={false}
              />
            )}
            {foot}
          </div>
        );
      })}
    </div>
  );
}
