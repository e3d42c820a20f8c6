"use client";
import { useQuery } from "@tanstack/react-query";

interface Health {
  ok: boolean;
  database: { ok: boolean };
  redis: { ok: boolean };
  worker: { ok: boolean; instances: number; lastBeatAgeSec?: number };
}

function Dot({ ok, label }: { ok: boolean; label: string }) {
  return <span className={`badge ${ok ? "ok" : "bad"}`}>{label}: {ok ? "up" : "down"}</span>;
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
          <Dot ok={q.data.database.ok} label="Database" />
          <Dot ok={q.data.redis.ok} label="Redis" />
          <Dot ok={q.data.worker.ok} label={`Workers (${q.data.worker.instances})`} />
        </div>
      )}
    </section>
  );
}
