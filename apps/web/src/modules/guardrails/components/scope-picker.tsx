"use client";
import { useState } from "react";
import { useConnections } from "@/modules/connections/hooks/use-connections";
import { HierarchyTree } from "@/modules/environments/components/hierarchy-tree";
import { CloudBadge } from "@/modules/shared/components/badges";
import { useDebounced } from "@/modules/shared/hooks/use-debounced";
import { errorMessage } from "@/modules/shared/lib/api";
import { num } from "@/modules/shared/lib/format";
import type { Scope } from "@/modules/shared/lib/contract";
import { useScopePreview } from "../hooks/use-catalog";

type Kind = "all" | "nodes" | "labels";

function kindOf(s: Scope): Kind {
  if (s.all) return "all";
  if (s.labels !== undefined && !(s.nodeIds && s.nodeIds.length)) return "labels";
  return "nodes";
}

/** Where a guardrail applies, with a live count of the environments the choice selects. */
export function ScopePicker({
  value,
  onChange,
  disabled,
  controlId,
}: {
  value: Scope;
  onChange: (s: Scope) => void;
  disabled?: boolean;
  /** The guardrail's control: the preview then says what the customer's own policies already enforce of it. */
  controlId?: string;
}) {
  const kind = kindOf(value);
  const connections = useConnections();
  const [conn, setConn] = useState<string>("");
  const [names, setNames] = useState<Record<string, string>>({});
  const [excluding, setExcluding] = useState(false);
  const debounced = useDebounced(value, 300);
  const preview = useScopePreview(debounced, controlId);
  const connectionId = conn || connections.data?.[0]?.id || "";

  const setKind = (k: Kind) => {
    const exclude = value.exclude?.length ? { exclude: value.exclude } : {};
    if (k === "all") onChange({ all: true, ...exclude });
    else if (k === "labels") onChange({ labels: value.labels ?? "env=prod", ...exclude });
    else onChange({ nodeIds: value.nodeIds ?? [], ...exclude });
  };
  const toggle = (list: "nodeIds" | "exclude", id: string, name: string) => {
    setNames((n) => ({ ...n, [id]: name }));
    const cur = value[list] ?? [];
    onChange({ ...value, [list]: cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id] });
  };

  return (
    <div className="scope-picker stack">
      <fieldset className="segmented" disabled={disabled}>
        <legend>Applies to</legend>
        {(
          [
            ["all", "Every environment"],
            ["nodes", "Chosen nodes"],
            ["labels", "Label expression"],
          ] as const
        ).map(([k, l]) => (
          <label key={k} className={kind === k ? "selected" : undefined}>
            <input type="radio" name="scope-kind" value={k} checked={kind === k} onChange={() => setKind(k)} /> {l}
          </label>
        ))}
      </fieldset>

      {kind === "labels" && (
        <div className="field">
          <label htmlFor="scope-labels">Label expression</label>
          <input
            id="scope-labels"
            disabled={disabled}
            value={value.labels ?? ""}
            onChange={(e) => onChange({ ...value, labels: e.target.value })}
            spellCheck={false}
            aria-describedby="scope-labels-help"
          />
          <span id="scope-labels-help" className="help">
            e.g. <code>env=prod and not data=public</code>, <code>env in (prod, staging)</code>. Labels are inherited down the hierarchy.
          </span>
        </div>
      )}

      {(kind === "nodes" || excluding) && (connections.data?.length ?? 0) > 0 && (
        <div className="stack">
          <div className="field">
            <label htmlFor="scope-conn">{excluding && kind !== "nodes" ? "Pick nodes to exclude from" : "Pick nodes in"}</label>
            <select id="scope-conn" value={connectionId} onChange={(e) => setConn(e.target.value)} disabled={disabled}>
              {connections.data?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.cloud})
                </option>
              ))}
            </select>
          </div>
          {connectionId && (
            <HierarchyTree
              connectionId={connectionId}
              onSelect={(n) => !disabled && toggle(excluding && kind !== "nodes" ? "exclude" : "nodeIds", n.id, n.name)}
            />
          )}
        </div>
      )}

      {kind === "nodes" && (
        <ChipList
          label="Selected nodes"
          ids={value.nodeIds ?? []}
          names={names}
          onRemove={(id) => !disabled && onChange({ ...value, nodeIds: (value.nodeIds ?? []).filter((x) => x !== id) })}
          empty="Select nodes in the tree: a whole OU, folder or management group covers everything below it."
        />
      )}
      {kind !== "nodes" && (
        <div>
          <button
            type="button"
            className="btn small"
            aria-expanded={excluding}
            onClick={() => setExcluding(!excluding)}
            disabled={disabled}
          >
            {excluding ? "Done excluding" : "Exclude nodes…"}
          </button>
        </div>
      )}
      {(value.exclude?.length ?? 0) > 0 && (
        <ChipList
          label="Excluded"
          ids={value.exclude ?? []}
          names={names}
          onRemove={(id) => !disabled && onChange({ ...value, exclude: (value.exclude ?? []).filter((x) => x !== id) })}
        />
      )}

      <div className="scope-count" aria-live="polite" data-testid="scope-count">
        {preview.isError ? (
          <span className="field-error">{errorMessage(preview.error)}</span>
        ) : preview.data ? (
          <>
            <strong>{num(preview.data.environments)}</strong> environment{preview.data.environments === 1 ? "" : "s"} matched
            {preview.data.byConnection.length > 0 && (
              <span className="muted">
                {" "}
                ·{" "}
                {preview.data.byConnection.map((b, i) => (
                  <span key={b.connectionId}>
                    {i > 0 && ", "}
                    <CloudBadge cloud={b.cloud} /> {b.name}: {num(b.environments)}
                  </span>
                ))}
              </span>
            )}
            {preview.isFetching && <span className="muted small"> (updating…)</span>}
            {preview.data.posture && (preview.data.posture.enforced > 0 || preview.data.posture.partial > 0) && (
              <div className="small" data-testid="scope-posture">
                Your own policies already enforce this in {num(preview.data.posture.enforced)} and partly in{" "}
                {num(preview.data.posture.partial)} of these environments ({preview.data.posture.by.join(", ")})
                {preview.data.posture.failing.length > 0 && (
                  <span className="muted">; failing: {preview.data.posture.failing.join("; ")}</span>
                )}
              </div>
            )}
            {preview.data.posture && preview.data.posture.lockouts.length > 0 && (
              <div className="small error" role="alert" data-testid="scope-lockout">
                Lockout risk: your policies deny Parapet&apos;s connector{" "}
                {preview.data.posture.lockouts.map((l) => `${l.call} (by ${l.by.join(", ")})`).join("; ")}.
              </div>
            )}
          </>
        ) : (
          <span className="muted">Counting environments…</span>
        )}
      </div>
    </div>
  );
}

function ChipList({
  label,
  ids,
  names,
  onRemove,
  empty,
}: {
  label: string;
  ids: string[];
  names: Record<string, string>;
  onRemove: (id: string) => void;
  empty?: string;
}) {
  return (
    <div>
      <div className="muted small">{label}</div>
      {ids.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <ul className="chips">
          {ids.map((id) => (
            <li key={id} className="chip">
              {names[id] ?? id}
              <button type="button" aria-label={`Remove ${names[id] ?? id}`} onClick={() => onRemove(id)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
