"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { StatusBadge } from "@/modules/shared/components/badges";
import { ErrorState, Loading } from "@/modules/shared/components/states";
import { useCan } from "@/modules/shared/hooks/use-me";
import { apiCall, errorMessage, type ApiBody, type ApiOutput } from "@/modules/shared/lib/api";
import { dateTime } from "@/modules/shared/lib/format";
import { guardrailKeys } from "../hooks/query-keys";

type Rollout = NonNullable<ApiOutput<"GET /guardrails/{id}/rollout">["rollout"]>;
type Stage = Rollout["stages"][number];
type StageInput = ApiBody<"POST /guardrails/{id}/rollout">["stages"][number];

const rolloutKey = (id: string) => [...guardrailKeys.detail(id), "rollout"] as const;
const ACTIVE = new Set(["running", "held", "halted"]);

function useRollout(id: string) {
  return useQuery({
    queryKey: rolloutKey(id),
    queryFn: ({ signal }) => apiCall("GET /guardrails/{id}/rollout", { params: { id }, signal }),
    // A running rollout advances or halts on the worker's minute tick.
    refetchInterval: (q) => (q.state.data?.rollout?.status === "running" ? 15_000 : false),
  });
}

function useRolloutAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (
      a: { kind: "start"; body: ApiBody<"POST /guardrails/{id}/rollout"> } | { kind: "hold" | "resume" | "roll-back"; reason?: string },
    ) => {
      if (a.kind === "start") return apiCall("POST /guardrails/{id}/rollout", { params: { id }, body: a.body });
      const body = a.reason ? { reason: a.reason } : {};
      if (a.kind === "hold") return apiCall("POST /guardrails/{id}/rollout/hold", { params: { id }, body });
      if (a.kind === "resume") return apiCall("POST /guardrails/{id}/rollout/resume", { params: { id }, body });
      return apiCall("POST /guardrails/{id}/rollout/roll-back", { params: { id }, body });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: guardrailKeys.detail(id) }),
  });
}

function stageLabel(s: Stage | StageInput): string {
  if (s.kind === "canary")
    return `Canary: ${[s.nodeIds?.length ? `${s.nodeIds.length} node${s.nodeIds.length === 1 ? "" : "s"}` : "", s.labels ?? ""].filter(Boolean).join(" where ")}`;
  if (s.kind === "wave") return `Wave: ${s.percent}% of the scope`;
  return "Everywhere";
}

const soak = (m: number) => (m === 0 ? "no soak" : m % 60 === 0 ? `soak ${m / 60} h` : `soak ${m} min`);

function Stages({ r }: { r: Rollout }) {
  return (
    <ol className="timeline" data-testid="rollout-stages">
      {r.stages.map((s) => (
        <li key={s.index} data-state={s.state}>
          <strong>{stageLabel(s)}</strong> <span className="muted small">· {soak(s.soakMinutes)}</span>{" "}
          <StatusBadge
            status={s.state === "done" ? "enforced" : s.state === "active" ? (r.status === "running" ? "pending" : r.status) : "unknown"}
            label={s.state === "active" ? (r.status === "running" ? "deployed, soaking" : r.status) : s.state}
          />
          {s.state === "active" && r.status === "running" && (
            <div className="muted small">
              since {dateTime(r.stageStartedAt)}; checks from {dateTime(r.soakEndsAt)}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

/** A first plan people can edit: a canary by label, then 10 % / 50 % waves, then everywhere. */
function StartForm({ id, onStart, pending }: { id: string; onStart: (stages: StageInput[]) => void; pending: boolean }) {
  const [labels, setLabels] = useState("env=dev");
  const [waves, setWaves] = useState("10, 50");
  const [soakMinutes, setSoak] = useState(60);
  const [error, setError] = useState<string | null>(null);
  function submit() {
    const percents = waves
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean)
      .map(Number);
    if (percents.some((p) => !Number.isInteger(p) || p < 1 || p > 99)) {
      setError("Waves: whole percentages between 1 and 99, separated by commas");
      return;
    }
    setError(null);
    onStart([
      ...(labels.trim() ? [{ kind: "canary" as const, labels: labels.trim(), soakMinutes }] : []),
      ...percents.map((percent) => ({ kind: "wave" as const, percent, soakMinutes })),
      { kind: "everywhere" as const, soakMinutes },
    ]);
  }
  return (
    <div className="stack" data-testid="rollout-start" id={`rollout-start-${id}`}>
      <div className="filters">
        <label>
          <span>Canary (label expression)</span>
          <input value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="env=dev" maxLength={1000} />
        </label>
        <label>
          <span>Waves (%)</span>
          <input value={waves} onChange={(e) => setWaves(e.target.value)} placeholder="10, 50" />
        </label>
        <label>
          <span>Soak per stage (minutes)</span>
          <input type="number" min={0} max={10080} value={soakMinutes} onChange={(e) => setSoak(Number(e.target.value))} />
        </label>
        <button className="btn primary small" type="button" disabled={pending} onClick={submit}>
          Start rollout to enforce
        </button>
      </div>
      {error && <p className="error">{error}</p>}
    </div>
  );
}

/**
 * The guardrail's staged rollout to enforce: its stages and their state, why it halted, and hold,
 * resume and roll back.
 */
/**
 * `managed`: the guardrail is managed in code, so starting a rollout (a change of mode) belongs in its file;
 * the API refuses it too. Hold, resume and roll back stay: they are the brakes.
 */
export function RolloutPanel({
  guardrailId,
  mode,
  managed = false,
}: {
  guardrailId: string;
  mode: "audit" | "enforce";
  managed?: boolean;
}) {
  const q = useRollout(guardrailId);
  const act = useRolloutAction(guardrailId);
  const canWrite = useCan("guardrail", "write");
  const [notice, setNotice] = useState<string | null>(null);
  if (q.isPending) return <Loading rows={3} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const r = q.data.rollout;
  const active = r !== null && ACTIVE.has(r.status);
  const done = (what: string) => ({ onSuccess: () => setNotice(what) });
  return (
    <section className="card stack" data-testid="rollout">
      <h2>Rollout</h2>
      <p className="muted small">
        Takes the guardrail from audit to enforce in stages: a canary, waves of the scope, then everywhere. Each stage is deployed by the
        normal reconcile; after its soak time Parapet checks that no reconcile failed, drift did not spike and a fresh replay of the audit
        logs denies no one the pre-rollout replay did not, and halts the rollout by itself if one of them fails.
      </p>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {act.isError && <p className="error">{errorMessage(act.error)}</p>}
      {r && (
        <div className="stack" data-testid="rollout-current" data-status={r.status}>
          <p>
            <StatusBadge
              status={r.status === "rolled-back" ? "disabled" : r.status === "completed" ? "enforced" : r.status}
              label={r.status}
            />{" "}
            v{r.baseVersion} → v{r.targetVersion} · started {dateTime(r.createdAt)} by {r.startedBy || "unknown"}
            {r.finishedAt && <> · finished {dateTime(r.finishedAt)}</>}
          </p>
          {r.haltReason && (
            <div className="error" role="alert" data-testid="rollout-halt">
              <strong>Halted:</strong> {r.haltReason}
              {r.haltPrincipals.length > 0 && (
                <p className="small">
                  Resuming accepts{" "}
                  {r.haltPrincipals.map((p) => (
                    <code key={p}>{p} </code>
                  ))}{" "}
                  as principals this guardrail may deny.
                </p>
              )}
            </div>
          )}
          <Stages r={r} />
          {canWrite && active && (
            <div className="filters">
              {r.status === "running" && (
                <button
                  className="btn small"
                  type="button"
                  disabled={act.isPending}
                  onClick={() => act.mutate({ kind: "hold" }, done("Rollout held."))}
                >
                  Hold
                </button>
              )}
              {(r.status === "held" || r.status === "halted") && (
                <button
                  className="btn primary small"
                  type="button"
                  disabled={act.isPending}
                  onClick={() => act.mutate({ kind: "resume" }, done("Rollout resumed: the stage starts over."))}
                >
                  Resume
                </button>
              )}
              <button
                className="btn small danger"
                type="button"
                disabled={act.isPending}
                onClick={() => {
                  if (!window.confirm("Roll back? The guardrail returns to audit everywhere (the version it had before the rollout)."))
                    return;
                  act.mutate({ kind: "roll-back" }, done("Rolled back: the guardrail returns to audit everywhere."));
                }}
              >
                Roll back…
              </button>
            </div>
          )}
        </div>
      )}
      {!active && canWrite && mode === "audit" && managed && (
        <p className="muted small" data-testid="rollout-managed">
          Managed in code: change the mode in the guardrail&apos;s file and apply it (parapet apply).
        </p>
      )}
      {!active && canWrite && mode === "audit" && !managed && (
        <StartForm
          id={guardrailId}
          pending={act.isPending}
          onStart={(stages) => act.mutate({ kind: "start", body: { stages } }, done("Rollout started."))}
        />
      )}
      {!r && !(canWrite && mode === "audit") && <p className="muted">No rollout.</p>}
    </section>
  );
}
