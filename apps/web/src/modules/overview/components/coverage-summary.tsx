"use client";
import Link from "next/link";
import { CloudBadge, STATUS_COLOR } from "@/modules/shared/components/badges";
import { Empty, QueryState } from "@/modules/shared/components/states";
import { num, pct } from "@/modules/shared/lib/format";
import { COVERAGE_STATUSES, type CoverageTotals } from "@/modules/shared/lib/contract";
import { useCoverageOverview } from "../hooks/use-overview";

/** A stacked bar of coverage statuses; the numbers are in the accessible label and the legend. */
export function StatusBar({ totals, label }: { totals: CoverageTotals; label: string }) {
  const total = Math.max(1, totals.total);
  const parts = COVERAGE_STATUSES.filter((s) => totals[s] > 0);
  const desc = parts.map((s) => `${totals[s]} ${s}`).join(", ") || "nothing in scope";
  return (
    <div className="status-bar" role="img" aria-label={`${label}: ${desc}`}>
      {parts.map((s) => (
        <span key={s} style={{ width: `${(totals[s] / total) * 100}%`, background: STATUS_COLOR[s] }} title={`${s}: ${totals[s]}`} />
      ))}
    </div>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Status colours">
      {COVERAGE_STATUSES.map((s) => (
        <li key={s}>
          <span className="swatch" style={{ background: STATUS_COLOR[s] }} aria-hidden="true" />
          {s}
        </li>
      ))}
    </ul>
  );
}

function Score({ value }: { value: number }) {
  const deg = Math.round(Math.max(0, Math.min(1, value)) * 360);
  return (
    <div className="score-ring" style={{ background: `conic-gradient(var(--ok) ${deg}deg, var(--line) 0)` }}>
      <div>
        <span className="stat" data-testid="coverage-score">
          {pct(value)}
        </span>
        <span className="muted small">enforced</span>
      </div>
    </div>
  );
}

export function CoverageSummary() {
  const q = useCoverageOverview();
  return (
    <QueryState q={q} loadingRows={4}>
      {(d) => (
        <div className="overview-grid">
          <section className="card score-card" aria-labelledby="cov-h">
            <h2 id="cov-h">Coverage</h2>
            <Score value={d.score} />
            <p className="muted small">
              Share of environment × guardrail pairs in scope that the cloud itself enforces (exemptions excluded). {num(d.totals.enforced)}{" "}
              of {num(d.totals.total - d.totals.exempt)}.
            </p>
            <StatusBar totals={d.totals} label="All coverage" />
            <Legend />
          </section>
          <section className="card" aria-labelledby="cloud-h">
            <h2 id="cloud-h">By cloud</h2>
            {d.byCloud.length === 0 ? (
              <Empty title="No cloud connected yet">
                <Link href="/connections/new">Connect a cloud</Link> to start measuring coverage.
              </Empty>
            ) : (
              <ul className="bar-list">
                {d.byCloud.map((c) => (
                  <li key={c.cloud}>
                    <div className="bar-head">
                      <CloudBadge cloud={c.cloud} />
                      <strong>{pct(c.score)}</strong>
                    </div>
                    <StatusBar totals={c.totals} label={c.cloud} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card" aria-labelledby="gr-h">
            <h2 id="gr-h">By guardrail</h2>
            {d.byGuardrail.length === 0 ? (
              <Empty title="No guardrail yet">
                <Link href="/guardrails/catalog">Pick one from the catalog</Link>.
              </Empty>
            ) : (
              <ul className="bar-list scroll">
                {d.byGuardrail.map((g) => (
                  <li key={g.guardrailId} data-testid="guardrail-coverage">
                    <div className="bar-head">
                      <Link href={`/guardrails/${g.guardrailId}`}>{g.name}</Link>
                      <strong>{pct(g.score)}</strong>
                    </div>
                    <StatusBar totals={g.totals} label={g.name} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </QueryState>
  );
}
