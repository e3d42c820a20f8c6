"use client";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useConnections } from "@/modules/connections/hooks/use-connections";
import { STATUS_COLOR } from "@/modules/shared/components/badges";
import { Empty, ErrorState, Loading } from "@/modules/shared/components/states";
import { num } from "@/modules/shared/lib/format";
import { COVERAGE_STATUSES, oneOf, type CoverageStatus, type MatrixRow } from "@/modules/shared/lib/contract";
import { useCoverageMatrix } from "../hooks/use-overview";
import { groupByHierarchy, visibleRange } from "../lib/window";

const ROW_H = 30;
const VIEWPORT = 480;
const SHORT: Record<string, string> = {
  enforced: "E",
  audit: "A",
  exempt: "X",
  drifted: "D",
  pending: "P",
  unknown: "?",
  unsupported: "–",
};

function pathLabel(p: string | string[]): string {
  return Array.isArray(p) ? p.join(" / ") : p;
}

/**
 * Guardrails × environments, grouped by connection and by branch of the hierarchy (the API pages
 * environments in tree order; a header with the path of names starts each branch). Rows are windowed
 * by hand (no virtualisation library is installed): at 10,000 environments only ~40 rows are in the
 * DOM, and pages of 200 load as the window nears the end of what is loaded.
 */
export function CoverageMatrix() {
  const [connectionId, setConnectionId] = useState("");
  const [status, setStatus] = useState<CoverageStatus | "">("");
  const connections = useConnections();
  const connectionIds = useMemo(() => (connections.data ?? []).map((c) => c.id), [connections.data]);
  const q = useCoverageMatrix({ connectionId: connectionId || undefined, status: status || undefined }, connectionIds);
  const [scrollTop, setScrollTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);

  const guardrails = q.data?.pages[0]?.guardrails ?? [];
  const rows = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const lines = useMemo(() => groupByHierarchy<MatrixRow>(rows), [rows]);
  const names = useMemo(
    () => new Map((connections.data ?? []).map((c) => [c.id, `${c.name} (${c.cloud.toUpperCase()})`])),
    [connections.data],
  );
  const range = visibleRange(scrollTop, VIEWPORT, ROW_H, lines.length);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = q;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && range.end > lines.length - 40) void fetchNextPage();
  }, [range.end, lines.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const onScroll = useCallback(() => {
    const el = box.current;
    if (el) setScrollTop(el.scrollTop);
  }, []);

  const cols = `minmax(180px, 260px) repeat(${guardrails.length}, 30px) minmax(120px, 220px)`;

  return (
    <section className="card" aria-labelledby="matrix-h">
      <div className="section-head">
        <h2 id="matrix-h">Coverage matrix</h2>
        <div className="filters">
          <label>
            <span>Connection</span>
            <select value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
              <option value="">All connections</option>
              {(connections.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Status</span>
            <select value={status} onChange={(e) => setStatus(oneOf(COVERAGE_STATUSES, e.target.value) ?? "")}>
              <option value="">Any status</option>
              {COVERAGE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  has {s}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {connections.isPending || (q.isPending && connectionIds.length > 0) ? (
        <Loading rows={5} />
      ) : q.isError || connections.isError ? (
        <ErrorState error={q.error ?? connections.error} retry={() => void q.refetch()} />
      ) : rows.length === 0 || guardrails.length === 0 ? (
        <Empty title={guardrails.length === 0 ? "No guardrails to show" : "No environments match"}>
          {guardrails.length === 0 ? "Create a guardrail to see which environments it covers." : "Connect a cloud or change the filters."}
        </Empty>
      ) : (
        <>
          <p className="muted small" aria-live="polite" data-testid="matrix-count">
            {num(rows.length)} environments loaded{q.hasNextPage ? " (more load as you scroll)" : ""} × {guardrails.length} guardrails, in
            hierarchy order.
          </p>
          <ul className="matrix-legend" aria-label="Cell colours">
            {COVERAGE_STATUSES.map((s) => (
              <li key={s}>
                <span className="m-swatch" style={{ background: STATUS_COLOR[s] }} aria-hidden="true">
                  {SHORT[s]}
                </span>
                {s}
              </li>
            ))}
          </ul>
          <div
            className="matrix"
            ref={box}
            onScroll={onScroll}
            style={{ height: Math.min(VIEWPORT, lines.length * ROW_H + 120) }}
            data-testid="coverage-matrix"
            tabIndex={0}
            aria-label="Coverage matrix, scrollable"
          >
            <div role="table" aria-rowcount={lines.length + 1} aria-colcount={guardrails.length + 2} style={{ minWidth: "max-content" }}>
              <div role="row" className="m-row m-head" style={{ gridTemplateColumns: cols }}>
                <span role="columnheader" className="m-name">
                  Environment
                </span>
                {guardrails.map((g) => (
                  <span role="columnheader" key={g.id} className="m-col" title={g.name}>
                    <Link href={`/guardrails/${g.id}`}>{g.name}</Link>
                  </span>
                ))}
                <span role="columnheader" className="m-name" title="What the customer's own policies already enforce (latest posture scan)">
                  Customer&apos;s policies
                </span>
              </div>
              <div style={{ height: range.padTop }} aria-hidden="true" />
              {lines.slice(range.start, range.end).map((l, i) =>
                l.type === "group" ? (
                  <div role="row" key={l.key} className="m-row m-group" style={{ height: ROW_H }} aria-rowindex={range.start + i + 2}>
                    <span role="rowheader">{names.get(l.connectionId) ?? l.connectionId}</span>
                  </div>
                ) : l.type === "branch" ? (
                  <div
                    role="row"
                    key={l.key}
                    className="m-row m-branch"
                    style={{ height: ROW_H }}
                    aria-rowindex={range.start + i + 2}
                    data-testid="matrix-branch"
                  >
                    <span role="rowheader" title={l.path.join(" / ")}>
                      {l.path.map((p, j) => (
                        <span key={j}>
                          {j > 0 && <span className="muted"> / </span>}
                          {p}
                        </span>
                      ))}
                    </span>
                  </div>
                ) : (
                  <div
                    role="row"
                    key={l.key}
                    className="m-row"
                    style={{ gridTemplateColumns: cols, height: ROW_H }}
                    aria-rowindex={range.start + i + 2}
                  >
                    <span
                      role="rowheader"
                      className="m-name"
                      title={`${pathLabel(l.row.node.path)} / ${l.row.node.name}`}
                      style={{ paddingLeft: 8 + Math.min(l.depth, 6) * 10 }}
                    >
                      {l.row.node.name}
                      <span className="muted small"> {l.row.node.externalId}</span>
                    </span>
                    {guardrails.map((g) => {
                      const s = l.row.cells[g.id] ?? "unsupported";
                      return (
                        <span
                          role="cell"
                          key={g.id}
                          className="m-cell"
                          style={{ background: STATUS_COLOR[s] }}
                          title={`${l.row.node.name} · ${g.name}: ${s}`}
                          aria-label={`${g.name}: ${s}`}
                        >
                          {SHORT[s]}
                        </span>
                      );
                    })}
                    <PostureCell posture={l.row.posture} guardrails={guardrails} />
                  </div>
                ),
              )}
              <div style={{ height: range.padBottom }} aria-hidden="true" />
            </div>
          </div>
          {q.isFetchingNextPage && <p className="muted small">Loading more environments…</p>}
        </>
      )}
    </section>
  );
}

/**
 * The posture column: how many of this row's guardrails the customer's own policies already enforce
 * (every scenario holds) or partly enforce, with the policies credited in the tooltip.
 */
function PostureCell({
  posture,
  guardrails,
}: {
  posture: Record<string, { status: string; by: string[] }>;
  guardrails: ReadonlyArray<{ id: string; name: string }>;
}) {
  const entries = guardrails.flatMap((g) => (posture[g.id] ? [{ name: g.name, ...posture[g.id]! }] : []));
  const enforced = entries.filter((e) => e.status === "enforced").length;
  const partial = entries.filter((e) => e.status === "partial").length;
  const title = entries.length
    ? entries
        .map((e) => `${e.name}: ${e.status === "enforced" ? "already enforced" : "partially enforced"} by ${e.by.join(", ")}`)
        .join("\n")
    : "nothing of these guardrails is enforced by the customer's own policies (or no posture scan yet)";
  return (
    <span role="cell" className="m-name small" title={title} data-testid="matrix-posture">
      {entries.length === 0 ? <span className="muted">—</span> : `${enforced} enforced · ${partial} partial`}
    </span>
  );
}
