"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useConnections } from "@/modules/connections/hooks/use-connections";
import { useGuardrails } from "@/modules/guardrails/hooks/use-guardrails";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Empty, ErrorState, Loading, PageHeader } from "@/modules/shared/components/states";
import { ago, personLabel } from "@/modules/shared/lib/format";
import { useDriftList } from "../hooks/use-drift";
import type { DriftFilters } from "../hooks/query-keys";

const KINDS = ["missing", "modified", "detached", "weakened", "unexpected_attachment", "uncovered_environment", "label_held"];

/** Filters live in the URL, so a filtered view can be shared and survives reloads. */
export function DriftList({ filters }: { filters: DriftFilters }) {
  const router = useRouter();
  const q = useDriftList(filters);
  const connections = useConnections();
  const guardrails = useGuardrails();
  const set = (k: keyof DriftFilters, v: string) => {
    const next = new URLSearchParams(Object.entries({ ...filters, [k]: v }).filter((e): e is [string, string] => !!e[1]));
    router.replace(`/drift${next.size ? `?${next.toString()}` : ""}`);
  };
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Drift"
        subtitle="Where a cloud no longer matches a guardrail: found by polling and by cloud events, repaired automatically unless the guardrail says notify."
      />
      <div className="filters card">
        <label>
          <span>Status</span>
          <select value={filters.status ?? ""} onChange={(e) => set("status", e.target.value)}>
            <option value="">Any</option>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
        <label>
          <span>Kind</span>
          <select value={filters.kind ?? ""} onChange={(e) => set("kind", e.target.value)}>
            <option value="">Any kind</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Connection</span>
          <select value={filters.connectionId ?? ""} onChange={(e) => set("connectionId", e.target.value)}>
            <option value="">All</option>
            {connections.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Guardrail</span>
          <select value={filters.guardrailId ?? ""} onChange={(e) => set("guardrailId", e.target.value)}>
            <option value="">All</option>
            {guardrails.data?.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <section className="card" aria-live="polite">
        {q.isPending ? (
          <Loading rows={5} />
        ) : q.isError ? (
          <ErrorState error={q.error} retry={() => void q.refetch()} />
        ) : items.length === 0 ? (
          <Empty title={filters.status === "open" ? "No open drift" : "No drift matches"}>
            Parapet checks every connection on its poll interval and on each cloud event.
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="list" data-testid="drift-list">
              <thead>
                <tr>
                  <th scope="col">Finding</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Where</th>
                  <th scope="col">Status</th>
                  <th scope="col">Opened</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <Link href={`/drift/${d.id}`}>{d.summary}</Link>
                      {d.guardrail && <div className="muted small">{d.guardrail.name}</div>}
                    </td>
                    <td>
                      <span className="badge neutral">{d.kind}</span>
                    </td>
                    <td>
                      <CloudBadge cloud={d.connection.cloud} /> {d.connection.name}
                      {d.node && <div className="muted small">{d.node.name}</div>}
                    </td>
                    <td>
                      <StatusBadge status={d.status} />
                      {d.status === "resolved" && (
                        <div className="muted small">
                          {d.resolution ?? ""} {d.actor ? `by ${personLabel(d.actor)}` : ""}
                        </div>
                      )}
                    </td>
                    <td className="muted">{ago(d.openedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {q.hasNextPage && (
          <button type="button" className="btn" disabled={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
            {q.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </section>
    </>
  );
}
