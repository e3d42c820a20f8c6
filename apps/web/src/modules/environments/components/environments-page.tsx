"use client";
import Link from "next/link";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useConnections } from "@/modules/connections/hooks/use-connections";
import { useGuardrails } from "@/modules/guardrails/hooks/use-guardrails";
import { StatusBadge } from "@/modules/shared/components/badges";
import { Empty, Loading, PageHeader, QueryState } from "@/modules/shared/components/states";
import { useDebounced } from "@/modules/shared/hooks/use-debounced";
import { useCan } from "@/modules/shared/hooks/use-me";
import { api } from "@/modules/shared/lib/api";
import type { HierarchyNode, MatrixPage } from "@/modules/shared/lib/types";
import { HierarchyTree } from "./hierarchy-tree";
import { LabelEditor } from "./label-editor";

function NodeGuardrails({ node, connectionId }: { node: HierarchyNode; connectionId: string }) {
  const guardrails = useGuardrails("active");
  // Per-environment status comes from the coverage matrix, narrowed to this node.
  const cells = useQuery({
    queryKey: ["coverage", "matrix", "node", node.id],
    enabled: node.isEnvironment,
    queryFn: ({ signal }) => api.get<MatrixPage>("/coverage/matrix", { connectionId, nodeId: node.id, limit: 200 }, signal),
  });
  const row = cells.data?.items.find((r) => r.node.id === node.id);
  if (guardrails.isPending) return <Loading rows={2} />;
  const list = (guardrails.data ?? []).filter((g) => g.scope.all || (g.scope.nodeIds ?? []).length > 0 || g.scope.labels !== undefined);
  const rows = list
    .map((g) => ({ g, status: row?.cells[g.id], direct: (g.scope.nodeIds ?? []).includes(node.id), excluded: (g.scope.exclude ?? []).includes(node.id) }))
    .filter((x) => (node.isEnvironment ? x.status !== undefined || x.direct : x.g.scope.all || x.direct || x.g.scope.labels !== undefined));
  if (rows.length === 0) return <p className="muted">No guardrail applies here.</p>;
  return (
    <table className="list compact" data-testid="node-guardrails">
      <thead>
        <tr>
          <th scope="col">Guardrail</th>
          <th scope="col">Selected by</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ g, status, direct, excluded }) => (
          <tr key={g.id}>
            <td>
              <Link href={`/guardrails/${g.id}`}>{g.name}</Link>
            </td>
            <td className="muted small">{excluded ? "excluded here" : direct ? "attached here" : g.scope.all ? "all environments" : g.scope.labels ? `labels: ${g.scope.labels}` : "an ancestor"}</td>
            <td>{status ? <StatusBadge status={status} /> : node.isEnvironment ? <span className="muted small">not in scope</span> : <StatusBadge status={g.mode} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
      <PageHeader title="Environments" subtitle="Each connection's hierarchy, its labels (inherited down the tree) and the guardrails that apply." />
      <QueryState q={connections} isEmpty={(d) => d.length === 0} empty={<Empty title="No cloud connected yet" action={<Link className="btn primary" href="/connections/new">Connect a cloud</Link>} />}>
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
                {connectionId && <HierarchyTree key={`${connectionId}:${q}`} connectionId={connectionId} q={q} selectedId={selected?.id} onSelect={setSelected} />}
              </section>
              <section className="card node-panel" aria-live="polite">
                {selected ? (
                  <div className="stack" key={selected.id} data-testid="node-panel">
                    <h2>{selected.name}</h2>
                    <p className="muted small">
                      {selected.kind} · <code>{selected.externalId}</code>
                      {selected.isEnvironment && " · environment"}
                    </p>
                    <h3 className="subhead">Labels</h3>
                    <LabelEditor node={selected} connectionId={connectionId} canEdit={canEdit} />
                    <h3 className="subhead">Guardrails</h3>
                    <NodeGuardrails node={selected} connectionId={connectionId} />
                  </div>
                ) : (
                  <Empty title="Select a node">Pick an account, subscription, project or compartment — or a folder above them — to see its labels and guardrails.</Empty>
                )}
              </section>
            </div>
          </>
        )}
      </QueryState>
    </>
  );
}
