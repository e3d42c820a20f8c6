import { diffLines, type DiffLine } from "../lib/diff";

/** Expected vs observed (or version a vs b) as a unified line diff of pretty-printed JSON. */
export function JsonDiff({
  before,
  after,
  beforeLabel = "expected",
  afterLabel = "observed",
}: {
  before: unknown;
  after: unknown;
  beforeLabel?: string;
  afterLabel?: string;
}) {
  const lines: DiffLine[] = diffLines(pretty(before), pretty(after));
  const changed = lines.some((l) => l.t !== "same");
  return (
    <div className="diff" role="region" aria-label={`Differences between ${beforeLabel} and ${afterLabel}`}>
      <div className="diff-legend">
        <span className="del">− {beforeLabel}</span>
        <span className="add">+ {afterLabel}</span>
        {!changed && <span className="muted">identical</span>}
      </div>
      <pre>
        {lines.map((l, i) => (
          <div key={i} className={l.t === "add" ? "add" : l.t === "del" ? "del" : undefined}>
            <span aria-hidden="true">{l.t === "add" ? "+ " : l.t === "del" ? "− " : "  "}</span>
            {l.t === "add" && <span className="sr-only">added: </span>}
            {l.t === "del" && <span className="sr-only">removed: </span>}
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

/** Keys sorted at every level, so two documents that differ only in key order show no difference. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function pretty(v: unknown): string {
  if (v === undefined) return "(absent)";
  if (typeof v === "string") {
    try {
      return JSON.stringify(sortKeys(JSON.parse(v)), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(sortKeys(v), null, 2);
}
