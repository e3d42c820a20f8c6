/** Writes docs/controls.md from the control catalog (fidelity, gap and sources per control and cloud). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderControlsDoc } from "../packages/core/src/catalog/controls-doc.ts";

const out = join(dirname(fileURLToPath(import.meta.url)), "../docs/controls.md");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, renderControlsDoc());
process.stdout.write(`wrote ${out}\n`);
