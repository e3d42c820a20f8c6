"use client";
import Link from "next/link";
import { useDriftList } from "@/modules/drift/hooks/use-drift";
import { CloudBadge, StatusBadge } from "@/modules/shared/components/badges";
import { Empty, ErrorState, Loading, QueryState } from "@/modules/shared/components/states";
import { ago } from "@/modules/shared/lib/format";
import type { DriftDay } from "@/modules/shared/lib/contract";
import { useDriftTimeline } from "../hooks/use-overview";

function DriftTimelineChart({ days }: { days: DriftDay[] }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.opened, d.resolved)));
  const W = 600;
  const H = 120;
  const bw = W / Math.max(1, days.length);
  const totalOpened = days.reduce((a, d) => a + d.opened, 0);
  const totalResolved = days.reduce((a, d) => a + d.resolved, 0);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H + 16}`}
        role="img"
        aria-label={`Drift over ${days.length} days: ${totalOpened} opened, ${totalResolved} resolved`}
        preserveAspectRatio="none"
      >
        {days.map((d, i) => {
          const ho = (d.opened / max) * H;
          const hr = (d.resolved / max) * H;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.opened} opened, ${d.resolved} resolved`}</title>
              <rect x={i * bw + 1} y={H - ho} width={bw / 2 - 1} height={ho} fill="var(--bad)" />
              <rect x={i * bw + bw / 2} y={H - hr} width={bw / 2 - 1} height={hr} fill="var(--ok)" />
            </g>
          );
        })}
        <line x1="0" x2={W} y1={H} y2={H} stroke="var(--line)" />
      </svg>
      <figcaption className="legend">
        <span>
          <span className="swatch" style={{ background: "var(--bad)" }} aria-hidden="true" /> opened ({totalOpened})
        </span>
        <span>
          <span className="swatch" style={{ background: "var(--ok)" }} aria-hidden="true" /> resolved ({totalResolved})
        </span>
      </figcaption>
    </figure>
  );
}

export function DriftPanel() {
  const open = useDriftList({ status: "open" }, { limit: 6 });
  const timeline = useDriftTimeline(30);
  const items = open.data?.pages[0]?.items ?? [];
  return (
    <section className="card" aria-labelledby="drift-h">
      <div className="section-head">
        <h2 id="drift-h">Open drift</h2>
        <Link href="/drift">All drift →</Link>
      </div>
      {open.isPending ? (
        <Loading rows={3} />
      ) : open.isError ? (
        <ErrorState error={open.error} retry={() => void open.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No open drift">Every guardrail matches what the clouds report.</Empty>
      ) : (
        <ul className="rows" data-testid="open-drift">
          {items.map((d) => (
            <li key={d.id}>
              <Link href={`/drift/${d.id}`}>{d.summary}</Link>
              <span className="meta">
                <StatusBadge status="drifted" label={d.kind} /> <CloudBadge cloud={d.connection.cloud} /> {ago(d.openedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3 className="subhead">Last 30 days</h3>
      <QueryState
        q={timeline}
        empty={<p className="muted">No drift in the last 30 days.</p>}
        isEmpty={(d) => d.every((x) => x.opened === 0 && x.resolved === 0)}
      >
        {(d) => <DriftTimelineChart days={d} />}
      </QueryState>
    </section>
  );
}
