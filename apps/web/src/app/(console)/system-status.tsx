"use client";
import { useQuery } from "@tanstack/react-query";

interface Health {
  ok: boolean;
  database: { ok: boolean; since?: string };
  redis: { ok: boolean; since?: string };
  worker: { ok: boolean; instances: number; lastBeatAgeSec?: number; since?: string };
}

/** "down since 06:01:12" (local time), so an operator sees which dependency is away and for how long. */
function Dot({ ok, label, since }: { ok: boolean; label: string; since?: string }) {
  const when = since ? ` since ${new Date(since).toLocaleTimeString()}` : "";
  return (
    <span className={`badge ${ok ? "ok" : "bad"}`} title={since ? `first seen down at ${since}` : undefined}>
      {label}: {ok ? "up" : `down${when}`}
    </span>
  );
}

/** Live status of Parapet's own parts, refreshed every 10 s. */
export function SystemStatus() {
  const q = useQuery<Health>({
    queryKey: ["health"],
    queryFn: async () => (await fetch("/api/health", { cache: "no-store" })).json() as Promise<Health>,
    refetchInterval: 10_000,
  });
  return (
    <section className="card" style={{ marginTop: 16 }} aria-live="polite">
      <h2>System status</h2>
      {q.isPending ? (
        <p className="muted">Checking…</p>
      ) : q.isError || !q.data ? (
        <p className="error">Could not reach Parapet&apos;s health endpoint.</p>
      ) : (
        <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }} data-testid="system-status">
          <Dot ok={q.data.database.ok} label="Database" since={q.data.database.since} />
          <Dot ok={q.data.redis.ok} label="Redis" since={q.data.redis.since} />
          <Dot ok={q.data.worker.ok} label={`Workers (${q.data.worker.instances})`} since={q.data.worker.since} />
        </div>
      )}
    </section>
  );
}
