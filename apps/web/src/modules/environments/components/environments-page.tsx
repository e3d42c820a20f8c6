"use client";
import Link from "next/link";
import { useState } from "react";
import { useConnections } from "@/modules/connections/hooks/use-connections";
import { StatusBadge } from "@/modules/shared/components/badges";
import { Empty, ErrorState, Loading, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useDebounced } from "@/modules/shared/hooks/use-debounced";
import { useCan } from "@/modules/shared/hooks/use-me";
import { dateTime, num } from "@/modules/shared/lib/format";
import type { CoverageStatus, HierarchyNode } from "@/modules/shared/lib/contract";
import { useNodeCoverage, useNodePosture, type NodeCoverage } from "../hooks/use-nodes";
import { HierarchyTree } from "./hierarchy-tree";
import { LabelEditor } from "./label-editor";

const ORDER: CoverageStatus[] = ["enforced", "audit", "drifted", "pending", "exempt", "unknown", "unsupported"];

type Item = NodeCoverage["items"][number];

/** Why a guardrail has no attachment on this node's root path, in words. */
function unattachedReason(it: Item, isEnvironment: boolean): string {
  if (it.status === "exempt") return "Exempted here: the guardrail's policy leaves this environment out.";
  if (it.status === "unsupported") return "This cloud cannot express this guardrail, so nothing is attached.";
  if (it.guardrail.mode === "audit" && (it.status === "audit" || it.counts?.audit))
    return "Audit mode: reported by Parapet, nothing that blocks is attached.";
  if (!isEnvironment && it.counts) return "Attached lower down, on branches below this node.";
  return "Not attached yet: the next reconcile deploys it.";
}

/** Where the node sits: the names from the root down (shares the coverage query). */
function NodePath({ node, connectionId }: { node: HierarchyNode; connectionId: string }) {
  const q = useNodeCoverage(connectionId, node.id);
  const path = q.data?.node.path ?? [];
  if (path.length === 0) return null;
  return (
    <p className="muted small" data-testid="node-path">
      {path.map((p) => p.name).join(" / ")} / <strong>{node.name}</strong>
    </p>
  );
}

function NodeGuardrails({ node, connectionId }: { node: HierarchyNode; connectionId: string }) {
  const q = useNodeCoverage(connectionId, node.id);
  if (q.isPending) return <Loading rows={2} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const items = q.data.items;
  if (items.length === 0)
    return (
      <p className="muted">
        {node.isEnvironment ? "No guardrail selects this environment." : "No guardrail applies at or below this node."}
      </p>
    );
  return (
    <ul className="node-cov" data-testid="node-guardrails">
      {items.map((it) => (
        <li key={it.guardrail.id} data-testid="node-guardrail">
          <div className="head">
            <Link href={`/guardrails/${it.guardrail.id}`}>{it.guardrail.name}</Link>
            {it.status ? (
              <StatusBadge status={it.status} />
            ) : it.counts ? (
              <span className="labels" aria-label="Environments below by status">
                {ORDER.filter((s) => it.counts?.[s]).map((s) => (
                  <StatusBadge key={s} status={s} label={`${num(it.counts?.[s] ?? 0)} ${s}`} />
                ))}
              </span>
            ) : (
              <span className="muted small">not in scope here</span>
            )}
          </div>
          <div className="muted small">
            {it.guardrail.mode === "enforce" ? "Enforce" : "Audit"} mode ·{" "}
            {it.guardrail.remediation === "auto" ? "repairs drift automatically" : "notifies on drift"}
            {it.fidelity && it.fidelity !== "enforced" ? ` · fidelity ${it.fidelity}` : ""}
          </div>
          <div className="small" data-testid="attached-at">
            {it.attachedAt.length === 0 ? (
              <span className="muted">{unattachedReason(it, node.isEnvironment)}</span>
            ) : (
              it.attachedAt.map((a) => (
                <div key={a.node.id}>
                  Attached{" "}
                  {a.here ? (
                    <strong>here</strong>
                  ) : (
                    <>
                      at <strong>{a.node.name}</strong> <span className="muted">({a.node.kind})</span>
                    </>
                  )}
                  {" · "}
                  {a.artifacts.map((x) => (
                    <code key={`${x.kind}:${x.name}`} title={`${x.kind} (${x.state})`} className="small">
                      {x.name}
                      {x.state !== "applied" ? ` (${x.state})` : ""}{" "}
                    </code>
                  ))}
                </div>
              ))
            )}
          </div>
          {it.detail && <div className="small warn-box">{it.detail}</div>}
          {it.exemptions.map((e) => (
            <div key={e.id} className="small muted">
              Exempt {e.node.id === node.id ? "here" : `via ${e.node.name}`} until {dateTime(e.expiresAt)} — {e.reason} ({e.ownerEmail})
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

const POSTURE_TEXT: Record<string, string> = {
  enforced: "already enforced",
  partial: "partially enforced",
  none: "not enforced",
};

/**
 * Posture: each catalog control judged against the customer's own policies in force here, with the
 * scenarios that fail (the proof is the control's own scenarios, run by the catalog's evaluators).
 */
function NodePosture({ node, connectionId }: { node: HierarchyNode; connectionId: string }) {
  const q = useNodePosture(connectionId, node.id);
  if (q.isPending) return <Loading rows={2} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const shown = q.data.controls.filter((c) => c.status !== "none");
  if (q.data.controls.length === 0)
    return (
      <p className="muted">No posture scan yet: run one from the connection&apos;s page to see what your own policies already enforce.</p>
    );
  if (shown.length === 0) return <p className="muted">None of the catalog&apos;s controls is enforced here by your own policies.</p>;
  return (
    <ul className="node-cov" data-testid="node-posture">
      {shown.map((c) => (
        <li key={c.controlId} data-testid="node-posture-control">
          <div className="head">
            <span>{c.title}</span>
            <span className={c.status === "enforced" ? "badge ok" : "badge warn"}>{POSTURE_TEXT[c.status] ?? c.status}</span>
          </div>
          <div className="small">by {c.enforcedBy.join(", ")}</div>
          {c.failing.length > 0 && (
            <div className="small muted">
              Fails: {c.failing.map((f) => `${f.name} (expected ${f.expected}, got ${f.actual})`).join("; ")}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

export function EnvironmentsPage() {
  const connections = useConnections();
  const [conn, setConn] = useState("");
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const [selected, setSelected] = useState<HierarchyNode | null>(null);
  const canEdit = useCan("node", "write");
  const connectionId = conn || connections.data?.[0]?.id || "";
  return (
    <>
      <PageHeader
        title="Environments"
        subtitle="Each connection's hierarchy, its labels (inherited down the tree) and the guardrails that apply."
      />
      <QueryState
        q={connections}
        isEmpty={(d) => d.length === 0}
        empty={
          <Empty
            title="No cloud connected yet"
            action={
              <Link className="btn primary" href="/connections/new">
                Connect a cloud
              </Link>
            }
          />
        }
      >
        {(items) => (
          <>
            <div className="filters card">
              <label>
                <span>Connection</span>
                <select
                  value={connectionId}
                  onChange={(e) => {
                    setConn(e.target.value);
                    setSelected(null);
                  }}
                >
                  {items.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name} ({c.cloud}, {c.environments} environments)
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Find a node</span>
                <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or id" />
              </label>
            </div>
            <div className="two-col wide-left">
              <section className="card">
                <h2>Hierarchy</h2>
                {connectionId && (
                  <HierarchyTree
                    key={`${connectionId}:${q}`}
                    connectionId={connectionId}
                    q={q}
                    selectedId={selected?.id}
                    onSelect={setSelected}
                  />
                )}
              </section>
              <section className="card node-panel" aria-live="polite">
                {selected ? (
                  <div className="stack" key={selected.id} data-testid="node-panel">
                    <h2>{selected.name}</h2>
                    <NodePath node={selected} connectionId={connectionId} />
                    <p className="muted small">
                      {selected.kind} · <code>{selected.externalId}</code>
                      {selected.isEnvironment && " · environment"}
                    </p>
                    <h3 className="subhead">Labels</h3>
                    <LabelEditor node={selected} connectionId={connectionId} canEdit={canEdit} />
                    <h3 className="subhead">Guardrails</h3>
                    <NodeGuardrails node={selected} connectionId={connectionId} />
                    {selected.isEnvironment && (
                      <>
                        <h3 className="subhead">Customer&apos;s own policies</h3>
                        <NodePosture node={selected} connectionId={connectionId} />
                      </>
                    )}
                  </div>
                ) : (
                  <Empty title="Select a node">
                    Pick an account, subscription, project or compartment — or a folder above them — to see its labels and guardrails.
                  </Empty>
                )}
              </section>
            </div>
          </>
        )}
      </QueryState>
    </>
  );
}
