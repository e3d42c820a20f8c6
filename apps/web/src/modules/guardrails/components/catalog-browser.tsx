"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { FidelityBadge } from "@/modules/shared/components/badges";
import { Empty, QueryState } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { CLOUD_NAME } from "@/modules/shared/lib/format";
import { CLOUDS, type CatalogControl } from "@/modules/shared/lib/contract";
import { useCatalog } from "../hooks/use-catalog";

function matches(c: CatalogControl, q: string, category: string): boolean {
  if (category && c.category !== category) return false;
  if (!q) return true;
  const s = q.toLowerCase();
  return [c.title, c.rationale, c.id, ...c.frameworks.map((f) => `${f.framework} ${f.ref}`)].some((t) => t.toLowerCase().includes(s));
}

function ControlCard({ c, canCreate }: { c: CatalogControl; canCreate: boolean }) {
  return (
    <article className="card control-card" aria-labelledby={`ctl-${c.id}`} data-testid={`control-${c.id}`}>
      <header>
        <h2 id={`ctl-${c.id}`}>{c.title}</h2>
        <span className="badge neutral">{c.category}</span>
      </header>
      <p>{c.rationale}</p>
      <table className="fidelity">
        <caption className="sr-only">Fidelity per cloud</caption>
        <tbody>
          {CLOUDS.map((cloud) => (
            <tr key={cloud}>
              <th scope="row">{CLOUD_NAME[cloud]}</th>
              <td>
                <FidelityBadge fidelity={c.fidelity[cloud].fidelity} />
                {c.fidelity[cloud].gap && <span className="gap"> {c.fidelity[cloud].gap}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {c.frameworks.length > 0 && <p className="muted small">{c.frameworks.map((f) => `${f.framework} ${f.ref}`).join(" · ")}</p>}
      {canCreate && (
        <div className="actions">
          <Link className="btn primary small" href={`/guardrails/new?control=${encodeURIComponent(c.id)}`} aria-label={`Use ${c.title}`}>
            Use this control
          </Link>
        </div>
      )}
    </article>
  );
}

export function CatalogBrowser() {
  const q = useCatalog();
  const canCreate = useCan("guardrail", "write");
  const [search, setSearch] = useState("");
  const [category, setCategory] = useState("");
  const categories = useMemo(() => [...new Set((q.data ?? []).map((c) => c.category))].sort(), [q.data]);
  return (
    <>
      <div className="filters card">
        <label>
          <span>Search</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="agents, encryption, NIST AC-6…" />
        </label>
        <label>
          <span>Category</span>
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">All categories</option>
            {categories.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </div>
      <QueryState q={q} loadingRows={6}>
        {(items) => {
          const shown = items.filter((c) => matches(c, search, category));
          return shown.length === 0 ? (
            <Empty title="No control matches">Try another word or category.</Empty>
          ) : (
            <div className="control-grid">
              {shown.map((c) => (
                <ControlCard key={c.id} c={c} canCreate={canCreate} />
              ))}
            </div>
          );
        }}
      </QueryState>
    </>
  );
}
