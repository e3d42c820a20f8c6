/**
 * Runs every benchmark in its own process, one after another (they would skew each other's figures
 * if run together on a 2-core machine), and prints where the figures were appended.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n### ${f}`);
  const r = spawnSync(join(dir, "..", "node_modules", ".bin", "tsx"), [join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed; figures appended to bench/out/results.jsonl`);
process.exit(failed ? 1 : 0);
