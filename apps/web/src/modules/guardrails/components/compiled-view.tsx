"use client";
import { FidelityBadge } from "@/modules/shared/components/badges";
import { ErrorState, Loading } from "@/modules/shared/components/states";
import { CLOUD_NAME } from "@/modules/shared/lib/format";
import { CLOUDS, type CompileResult, type ScenarioResult } from "@/modules/shared/lib/contract";

function artifactText(a: unknown): string {
  if (a && typeof a === "object" && "content" in a) {
    const c = a.content;
    if (typeof c === "string") {
      try {
        return JSON.stringify(JSON.parse(c), null, 2);
      } catch {
        return c;
      }
    }
    return JSON.stringify(c, null, 2);
  }
  return JSON.stringify(a, null, 2);
}

function artifactTitle(a: unknown, i: number): string {
  const o = (a ?? {}) as { kind?: unknown; name?: unknown; type?: unknown };
  return [o.kind ?? o.type, o.name].filter((x) => typeof x === "string").join(" · ") || `artifact ${i + 1}`;
}

/** The native policy per cloud, side by side, with the fidelity note each cloud deserves. */
export function CompiledView({ result, isPending, error }: { result: CompileResult | undefined; isPending: boolean; error: unknown }) {
  if (isPending && !result) return <Loading rows={4} label="Compiling…" />;
  if (error && !result) return <ErrorState error={error} />;
  if (!result) return null;
  return (
    <div className="compiled" data-testid="compiled">
      {error ? <ErrorState error={error} /> : null}
      {CLOUDS.map((cloud) => {
        const r = result.clouds[cloud];
        if (!r) return null;
        return (
          <section key={cloud} className="compiled-cloud" aria-label={`${CLOUD_NAME[cloud]} compiled policy`}>
            <header>
              <strong>{CLOUD_NAME[cloud]}</strong> <FidelityBadge fidelity={r.fidelity} />
            </header>
            {r.gap && <p className="gap">Gap: {r.gap}</p>}
            {r.error ? (
              <p className="error">{r.error}</p>
            ) : r.artifacts.length === 0 ? (
              <p className="muted small">
                {r.fidelity === "unsupported"
                  ? "Nothing native exists; coverage reports this cloud as unsupported."
                  : "No artifact for this cloud."}
              </p>
            ) : (
              r.artifacts.map((a, i) => (
                <details key={i} open={i === 0}>
                  <summary>{artifactTitle(a, i)}</summary>
                  <pre className="code small">{artifactText(a)}</pre>
                </details>
              ))
            )}
          </section>
        );
      })}
    </div>
  );
}

const passed = (s: ScenarioResult): boolean => s.passed;

export function ScenarioResults({ scenarios }: { scenarios: ScenarioResult[] }) {
  if (scenarios.length === 0) return <p className="muted">This control has no executable scenarios.</p>;
  const ok = scenarios.filter((s) => passed(s) === true).length;
  return (
    <div data-testid="scenarios">
      <p>
        <strong>
          {ok} of {scenarios.length}
        </strong>{" "}
        scenarios hold against the compiled policy.
      </p>
      <div className="table-wrap">
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Cloud</th>
              <th scope="col">Scenario</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {scenarios.map((s, i) => {
              const p = passed(s);
              const detail = s.detail ?? (s.expected && s.actual ? `expected ${s.expected}, got ${s.actual}` : undefined);
              return (
                <tr key={i}>
                  <td>{CLOUD_NAME[s.cloud] ?? s.cloud}</td>
                  <td>{s.name}</td>
                  <td>
                    <span className={`badge ${p === true ? "ok" : p === false ? "bad" : "neutral"}`}>
                      {p === true ? "holds" : p === false ? "fails" : "not run"}
                    </span>
                    {detail && <span className="muted small"> {String(detail)}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
