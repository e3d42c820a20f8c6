import { appendFileSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  ok?: boolean;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
// A ratio is judged against a goal like ≥ 1.8 ×: two decimals printed 1.797 as "1.80 … SHORT OF GOAL".
const fmtFigure = (f: Figure) => (f.unit.startsWith("×") && Math.abs(f.value) < 10 ? f.value.toFixed(3) : fmt(f.value));

/** Prints a benchmark's figures and appends them (JSON lines) to bench/out/results.jsonl. */
export function report(title: string, figures: Figure[]): void {
  console.log(`\n== ${title}`);
  for (const f of figures) {
    const verdict = f.ok === undefined ? "" : f.ok ? "  (meets goal)" : "  (SHORT OF GOAL)";
    console.log(`  ${f.name}: ${fmtFigure(f)} ${f.unit}${f.goal ? `   goal ${f.goal}` : ""}${verdict}`);
  }
  const dir = join(import.meta.dirname, "..", "out");
  mkdirSync(dir, { recursive: true });
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  appendFileSync(join(dir, "results.jsonl"), JSON.stringify({ title, at: new Date().toISOString(), machine, figures }) + "\n");
}
