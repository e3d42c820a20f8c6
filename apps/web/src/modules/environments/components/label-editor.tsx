"use client";
import { useState, type FormEvent } from "react";
import { errorMessage } from "@/modules/shared/lib/api";
import type { HierarchyNode } from "@/modules/shared/lib/contract";
import { useUpdateLabels } from "../hooks/use-nodes";

const KEY = /^[A-Za-z0-9_.:/@-]{1,63}$/;

/**
 * Overrides win over cloud tags and are inherited by the subtree. Removing an override sends null,
 * which lets the cloud's own tag (or the parent's label) show through again.
 */
export function LabelEditor({ node, connectionId, canEdit }: { node: HierarchyNode; connectionId: string; canEdit: boolean }) {
  const [rows, setRows] = useState<{ key: string; value: string }[]>(() =>
    Object.entries(node.labelOverrides).map(([key, value]) => ({ key, value: value ?? "" })),
  );
  const [err, setErr] = useState<string | null>(null);
  const [saved, setSaved] = useState<"saved" | "approval" | false>(false);
  const m = useUpdateLabels(node.id, connectionId);

  function submit(e: FormEvent) {
    e.preventDefault();
    setErr(null);
    setSaved(false);
    const next: Record<string, string | null> = {};
    for (const r of rows) {
      if (!r.key.trim()) continue;
      if (!KEY.test(r.key.trim())) return setErr(`Label key “${r.key}” may use letters, digits and _.:/@- (up to 63).`);
      if (r.value.length > 256) return setErr(`Label ${r.key}: value is longer than 256 characters.`);
      next[r.key.trim()] = r.value;
    }
    for (const k of Object.keys(node.labelOverrides)) if (!(k in next)) next[k] = null;
    m.mutate(next, { onSuccess: (out) => setSaved("approval" in out ? "approval" : "saved") });
  }

  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="list compact">
          <caption className="sr-only">Effective labels</caption>
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Effective</th>
              <th scope="col">From cloud</th>
            </tr>
          </thead>
          <tbody>
            {Object.keys({ ...node.labels, ...node.cloudLabels })
              .sort()
              .map((k) => (
                <tr key={k}>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td>{node.labels[k] ?? <span className="muted">–</span>}</td>
                  <td className="muted">{node.cloudLabels[k] ?? (k in node.labelOverrides ? "override" : "inherited")}</td>
                </tr>
              ))}
            {Object.keys({ ...node.labels, ...node.cloudLabels }).length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  No labels.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {canEdit && (
        <form onSubmit={submit} className="stack" aria-label="Label overrides">
          <h3 className="subhead">Overrides</h3>
          {rows.map((r, i) => (
            <div key={i} className="label-row">
              <label className="sr-only" htmlFor={`lk-${i}`}>
                Key {i + 1}
              </label>
              <input
                id={`lk-${i}`}
                placeholder="key"
                value={r.key}
                onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
              />
              <label className="sr-only" htmlFor={`lv-${i}`}>
                Value {i + 1}
              </label>
              <input
                id={`lv-${i}`}
                placeholder="value"
                value={r.value}
                onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
              />
              <button
                type="button"
                className="btn small ghost"
                aria-label={`Remove label ${r.key || i + 1}`}
                onClick={() => setRows(rows.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </div>
          ))}
          <div className="actions">
            <button type="button" className="btn small" onClick={() => setRows([...rows, { key: "", value: "" }])}>
              Add label
            </button>
            <button type="submit" className="btn small primary" disabled={m.isPending}>
              {m.isPending ? "Saving…" : "Save labels"}
            </button>
          </div>
          {(err || m.isError) && (
            <p className="error" role="alert">
              {err ?? errorMessage(m.error)}
            </p>
          )}
          {saved === "saved" && (
            <p className="success" role="status">
              Labels saved; the subtree's effective labels were recomputed.
            </p>
          )}
          {saved === "approval" && (
            <p className="success" role="status">
              This change would take environments out of a guardrail, so it waits for another member's approval (see Approvals). Nothing
              changed yet.
            </p>
          )}
        </form>
      )}
    </div>
  );
}
