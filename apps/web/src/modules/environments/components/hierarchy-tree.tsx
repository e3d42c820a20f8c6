"use client";
import { useState } from "react";
import { ErrorState, Loading } from "@/modules/shared/components/states";
import type { HierarchyNode } from "@/modules/shared/lib/contract";
import { useChildNodes } from "../hooks/use-nodes";

function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return null;
  return (
    <span className="labels">
      {entries.slice(0, 4).map(([k, v]) => (
        <span key={k} className="label-chip">
          {k}={v}
        </span>
      ))}
      {entries.length > 4 && <span className="muted small">+{entries.length - 4}</span>}
    </span>
  );
}

function NodeItem({
  connectionId,
  node,
  selectedId,
  onSelect,
  depth,
}: {
  connectionId: string;
  node: HierarchyNode;
  selectedId?: string | null;
  onSelect?: (n: HierarchyNode) => void;
  depth: number;
}) {
  const [open, setOpen] = useState(depth < 1);
  const hasChildren = node.childCount > 0;
  return (
    <li>
      <div className={`tree-row${selectedId === node.id ? " selected" : ""}`}>
        {hasChildren ? (
          <button
            type="button"
            className="twisty"
            aria-expanded={open}
            aria-label={`${open ? "Collapse" : "Expand"} ${node.name}`}
            onClick={() => setOpen(!open)}
          >
            {open ? "▾" : "▸"}
          </button>
        ) : (
          <span className="twisty" aria-hidden="true" />
        )}
        {onSelect ? (
          <button
            type="button"
            className="node-name linkish"
            onClick={() => onSelect(node)}
            aria-current={selectedId === node.id ? "true" : undefined}
          >
            {node.name}
          </button>
        ) : (
          <span className="node-name">{node.name}</span>
        )}
        <span className="muted small">
          {node.kind}
          {hasChildren ? ` · ${node.childCount}` : ""}
        </span>
        <Labels labels={node.labels} />
      </div>
      {open && hasChildren && (
        <NodeChildren connectionId={connectionId} parentId={node.id} selectedId={selectedId} onSelect={onSelect} depth={depth + 1} />
      )}
    </li>
  );
}

function NodeChildren({
  connectionId,
  parentId,
  selectedId,
  onSelect,
  depth,
  q = "",
  poll,
}: {
  connectionId: string;
  parentId: string | null;
  selectedId?: string | null;
  onSelect?: (n: HierarchyNode) => void;
  depth: number;
  q?: string;
  poll?: boolean;
}) {
  const query = useChildNodes(connectionId, parentId, q, { poll });
  if (query.isPending) return <Loading rows={2} />;
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  const nodes = query.data.pages.flatMap((p) => p.items);
  if (nodes.length === 0) return depth === 0 ? <p className="muted">{q ? "No node matches." : "Nothing discovered yet."}</p> : null;
  return (
    <ul className={depth === 0 ? "tree" : undefined}>
      {nodes.map((n) => (
        <NodeItem key={n.id} connectionId={connectionId} node={n} selectedId={selectedId} onSelect={onSelect} depth={q ? 5 : depth} />
      ))}
      {query.hasNextPage && (
        <li>
          <button type="button" className="btn small" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {query.isFetchingNextPage ? "Loading…" : "Show more"}
          </button>
        </li>
      )}
    </ul>
  );
}

/** A connection's hierarchy, loaded level by level as nodes are expanded. */
export function HierarchyTree({
  connectionId,
  selectedId,
  onSelect,
  q,
  poll,
}: {
  connectionId: string;
  selectedId?: string | null;
  onSelect?: (n: HierarchyNode) => void;
  q?: string;
  poll?: boolean;
}) {
  return (
    <div className="tree-box" data-testid="hierarchy-tree">
      <NodeChildren connectionId={connectionId} parentId={null} selectedId={selectedId} onSelect={onSelect} depth={0} q={q} poll={poll} />
    </div>
  );
}
