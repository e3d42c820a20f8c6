import type { TApplyResult, TPlanResult } from "../code/code.schema.ts";

/** Renders plans and apply results: pure functions of the server's answer (the Markdown one has a golden test). */

type Entry = TPlanResult["entries"][number];

const show = (v: unknown): string => {
  const s = JSON.stringify(v ?? null);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

function describe(e: Entry): string {
  if (e.action === "add") return "new guardrail";
  if (e.action === "remove") return e.reasons.join("; ");
  if (e.action === "weaken") return e.reasons.join("; ");
  return e.changes.map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join("; ");
}

function summaryLine(p: TPlanResult): string {
  const s = p.summary;
  const parts = [
    `${s.add} to add`,
    `${s.change} to change`,
    `${s.weaken} weakening (needs approval)`,
    `${s.remove} to remove (needs approval)`,
    `${s.unchanged} unchanged`,
  ];
  if (s.drift > 0) parts.push(`${s.drift} drifted`);
  return parts.join(", ");
}

export const hasChanges = (p: TPlanResult) => p.summary.add + p.summary.change + p.summary.weaken + p.summary.remove > 0;

const SIGN: Record<Entry["action"], string> = { add: "+", change: "~", weaken: "!", remove: "-", unchanged: " " };

export function renderPlanHuman(p: TPlanResult): string {
  const lines = [hasChanges(p) ? `Plan: ${summaryLine(p)}` : `No changes. ${p.summary.unchanged} guardrails unchanged.`];
  for (const e of p.entries) {
    if (e.action === "unchanged" && !e.drift) continue;
    if (e.action !== "unchanged") lines.push(`  ${SIGN[e.action]} ${e.action.padEnd(6)} ${e.key} (${e.control}): ${describe(e)}`);
    if (e.drift) lines.push(`    drift: ${e.key} ${e.drift}`);
    if (e.pendingApproval) lines.push(`    awaiting approval ${e.pendingApproval}`);
    for (const i of e.impact ?? [])
      lines.push(
        `    impact on ${i.connection} (v${i.guardrailVersion}): ${i.status}${i.denied !== null ? `, ${i.denied} of ${i.judged ?? "?"} denied` : ""}${i.lockout ? ", LOCKOUT" : ""}`,
      );
  }
  lines.push(`plan hash: ${p.planHash}`);
  return `${lines.join("\n")}\n`;
}

/** A Markdown table cell: pipes and newlines would break the table, backticks the code spans. */
const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\r?\n/g, " ");

const ICON: Record<Entry["action"], string> = {
  add: "➕ add",
  change: "✏️ change",
  weaken: "⚠️ weaken",
  remove: "🗑️ remove",
  unchanged: "",
};

/** The plan as a pull-request comment (GitHub-flavoured Markdown). */
export function renderPlanMarkdown(p: TPlanResult): string {
  const out = ["### Parapet plan", ""];
  if (!hasChanges(p)) out.push(`**No changes.** ${p.summary.unchanged} guardrails unchanged.`);
  else {
    out.push(`**${summaryLine(p)}**`, "");
    out.push("| Action | Guardrail | Control | Change |", "| --- | --- | --- | --- |");
    for (const e of p.entries) {
      if (e.action === "unchanged") continue;
      const waiting = e.pendingApproval ? ` (awaiting approval ${e.pendingApproval})` : "";
      out.push(`| ${ICON[e.action]} | \`${cell(e.key)}\` ${cell(e.name)} | ${cell(e.control)} | ${cell(describe(e) + waiting)} |`);
    }
    if (p.summary.weaken + p.summary.remove > 0)
      out.push("", "> Weakening changes and removals take effect only after a second member approves them in Parapet.");
  }
  const drifted = p.entries.filter((e) => e.drift);
  if (drifted.length > 0) {
    out.push("", "#### Drift", "");
    for (const e of drifted) out.push(`- \`${cell(e.key)}\` ${cell(e.drift!)}`);
  }
  const compiled = p.entries.filter((e) => e.compiled && Object.keys(e.compiled).length > 0);
  if (compiled.length > 0) {
    out.push("", "<details><summary>Compiled artifacts</summary>", "");
    for (const e of compiled) {
      const clouds = Object.entries(e.compiled!).map(
        ([cloud, c]) =>
          `${cloud}: ${c.error ? `error: ${cell(c.error)}` : `${c.artifacts.length} artifact${c.artifacts.length === 1 ? "" : "s"}`} (${c.fidelity}, ${c.source})`,
      );
      out.push(`- \`${cell(e.key)}\` — ${clouds.join("; ")}`);
    }
    out.push("", "</details>");
  }
  const impacted = p.entries.filter((e) => e.impact && e.impact.length > 0);
  if (impacted.length > 0) {
    out.push("", "#### Would have blocked (newest replay per connection)", "");
    for (const e of impacted)
      for (const i of e.impact!)
        out.push(
          `- \`${cell(e.key)}\` on ${cell(i.connection)} (${i.cloud}, v${i.guardrailVersion}): ${i.status === "done" ? `${i.denied ?? "?"} of ${i.judged ?? "?"} calls denied${i.lockout ? " — **lockout**" : ""}` : i.status}`,
        );
  }
  out.push("", `<sub>plan hash \`${p.planHash}\`</sub>`);
  return `${out.join("\n")}\n`;
}

export function renderApplyHuman(r: TApplyResult, decisions: Map<string, string> = new Map()): string {
  const lines: string[] = [];
  for (const x of r.results) {
    if (x.outcome === "unchanged") continue;
    if (x.outcome === "applied") lines.push(`  applied   ${x.key} (${x.action})`);
    else {
      const d = decisions.get(x.approvalId!) ?? "pending";
      lines.push(`  ${d.padEnd(9)} ${x.key} (${x.action}): approval ${x.approvalId} ${x.approvalUrl}`);
    }
  }
  if (lines.length === 0) lines.push("  nothing to apply");
  return `Apply:\n${lines.join("\n")}\n`;
}
