import type { PreviewRun } from "@/modules/shared/lib/contract";

function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (v && typeof v === "object") {
    const o = v as { message?: unknown; reason?: unknown };
    if (typeof o.message === "string") return o.message;
    if (typeof o.reason === "string") return o.reason;
  }
  return JSON.stringify(v);
}

export function PlanTable({ plan }: { plan: NonNullable<PreviewRun["plan"]> }) {
  const counts = plan.changes.reduce<Record<string, number>>((a, ch) => ((a[ch.op] = (a[ch.op] ?? 0) + 1), a), {});
  return (
    <div className="stack" data-testid="plan">
      <p>
        <strong>{plan.changes.length}</strong> change{plan.changes.length === 1 ? "" : "s"}
        {Object.keys(counts).length > 0 &&
          ` (${Object.entries(counts)
            .map(([op, n]) => `${n} ${op}`)
            .join(", ")})`}
        {plan.changes.length === 0 && " — the cloud already matches."}
      </p>
      {plan.problems.length > 0 && (
        <div className="error" role="alert">
          <strong>Problems</strong>
          <ul>
            {plan.problems.map((p, i) => (
              <li key={i}>{text(p)}</li>
            ))}
          </ul>
        </div>
      )}
      {plan.unknown.length > 0 && (
        <p className="warn-box">{plan.unknown.length} node(s) could not be read; nothing will be written to them until they can.</p>
      )}
      {plan.changes.length > 0 && (
        <div className="table-wrap">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Kind</th>
                <th scope="col">Name</th>
                <th scope="col">Target</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {plan.changes.map((ch, i) => (
                <tr key={i}>
                  <td>
                    <span className={`op op-${ch.op}`}>{ch.op}</span>
                  </td>
                  <td>{ch.kind}</td>
                  <td>
                    <code>{ch.name}</code>
                  </td>
                  <td>{ch.target ?? "–"}</td>
                  <td className="muted">{ch.reason ?? ch.cause}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
