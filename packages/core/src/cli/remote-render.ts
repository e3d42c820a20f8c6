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
  const x = s.exemptions;
  if (x && x.add + x.change + x.remove > 0)
    parts.push(`exemptions: ${x.add + x.change} to request (needs approval), ${x.remove} to revoke`);
  return parts.join(", ");
}

const exemptionChanges = (p: TPlanResult) =>
  p.summary.exemptions ? p.summary.exemptions.add + p.summary.exemptions.change + p.summary.exemptions.remove : 0;

export const hasChanges = (p: TPlanResult) =>
  p.summary.add + p.summary.change + p.summary.weaken + p.summary.remove + exemptionChanges(p) > 0;

type Exemption = NonNullable<TPlanResult["exemptions"]>[number];
type Impact = NonNullable<Entry["impact"]>[number];

const subject = (x: Pick<Exemption, "nodeId" | "principal">) =>
  x.nodeId ? `environment ${x.nodeId}` : x.principal ? `${x.principal.cloud} principal ${x.principal.id}` : "?";

function describeExemption(x: Exemption): string {
  const until = `until ${x.expiresAt.slice(0, 10)}`;
  if (x.action === "add") return `new, ${until}: requested for approval`;
  if (x.action === "remove") return "not in the file: revoked at once";
  if (x.action === "change")
    return `${x.changes.map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join("; ")}: requested anew for approval`;
  return x.pendingApproval ? `${until}, awaiting approval ${x.pendingApproval}` : until;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** One connection's preview in a sentence (human and Markdown share it). */
function describeImpact(i: Impact): string {
  if (i.status === "timeout" || i.status === "failed" || i.status === "skipped") return `${i.status}: ${i.error ?? ""}`;
  const parts = [`${i.denied} of ${plural(i.judged, "call")} would have been denied, ${plural(i.deniedPrincipals, "principal")}`];
  if (i.topActions.length > 0) parts.push(`top actions: ${i.topActions.map((a) => `${a.action} ×${a.count}`).join(", ")}`);
  if (i.topPrincipals.length > 0) parts.push(`top principals: ${i.topPrincipals.map((a) => `${a.principal} ×${a.count}`).join(", ")}`);
  parts.push(
    i.exemptionsInForce > 0
      ? `${plural(i.exemptionsInForce, "exemption")} in force spared ${plural(i.sparedByExemptions, "call")}`
      : "no exemptions in force",
  );
  if (i.unjudgeable > 0) parts.push(`${i.unjudgeable} could not be judged`);
  if (i.lockout) parts.push("LOCKOUT: the connector or break-glass would be denied");
  if (i.truncated) parts.push(`truncated at ${i.truncated === "events" ? `the event cap (${i.events} events read)` : "the time budget"}`);
  return parts.join("; ");
}

function impactHeader(p: TPlanResult): string | null {
  const m = p.impact;
  if (!m) return null;
  const notes = [
    `${m.since.slice(0, 16)}Z to ${m.until.slice(0, 16)}Z, at most ${m.maxEvents} events per connection and ${m.maxConnections} connections, ${m.budgetSeconds} s budget`,
  ];
  if (m.connectionsOmitted.length > 0) notes.push(`left out past the connection limit: ${m.connectionsOmitted.join(", ")}`);
  if (m.truncated) notes.push("TRUNCATED: some previews stopped early (see each connection)");
  return notes.join("; ");
}

const SIGN: Record<Entry["action"], string> = { add: "+", change: "~", weaken: "!", remove: "-", unchanged: " " };

export function renderPlanHuman(p: TPlanResult): string {
  const lines = [hasChanges(p) ? `Plan: ${summaryLine(p)}` : `No changes. ${p.summary.unchanged} guardrails unchanged.`];
  for (const e of p.entries) {
    if (e.action === "unchanged" && !e.drift) continue;
    if (e.action !== "unchanged") lines.push(`  ${SIGN[e.action]} ${e.action.padEnd(6)} ${e.key} (${e.control}): ${describe(e)}`);
    if (e.drift) lines.push(`    drift: ${e.key} ${e.drift}`);
    if (e.pendingApproval) lines.push(`    awaiting approval ${e.pendingApproval}`);
    for (const i of e.impact ?? []) lines.push(`    would have blocked on ${i.connection} (${i.cloud}): ${describeImpact(i)}`);
  }
  const shown = (p.exemptions ?? []).filter((x) => x.action !== "unchanged" || x.pendingApproval);
  if (shown.length > 0) {
    lines.push("Exemptions:");
    for (const x of shown)
      lines.push(
        `  ${SIGN[x.action]} ${x.action.padEnd(6)} ${x.guardrail} ${subject(x)}${x.index !== null ? ` [exemptions.${x.index}]` : ""}: ${describeExemption(x)}`,
      );
  }
  const header = impactHeader(p);
  if (header) lines.push(`Impact preview: ${header}`);
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
    out.push(`**${summaryLine(p)}**`);
    // Only exemptions may have changed: no empty guardrail table then.
    if (p.entries.some((e) => e.action !== "unchanged"))
      out.push("", "| Action | Guardrail | Control | Change |", "| --- | --- | --- | --- |");
    for (const e of p.entries) {
      if (e.action === "unchanged") continue;
      const waiting = e.pendingApproval ? ` (awaiting approval ${e.pendingApproval})` : "";
      out.push(`| ${ICON[e.action]} | \`${cell(e.key)}\` ${cell(e.name)} | ${cell(e.control)} | ${cell(describe(e) + waiting)} |`);
    }
    if (p.summary.weaken + p.summary.remove > 0)
      out.push("", "> Weakening changes and removals take effect only after a second member approves them in Parapet.");
  }
  const exemptions = (p.exemptions ?? []).filter((x) => x.action !== "unchanged" || x.pendingApproval);
  if (exemptions.length > 0) {
    out.push("", "#### Exemptions", "", "| Action | Guardrail | Exempts | Change |", "| --- | --- | --- | --- |");
    for (const x of exemptions)
      out.push(
        `| ${x.action === "unchanged" ? "⏳ pending" : ICON[x.action]} | \`${cell(x.guardrail)}\` | ${cell(subject(x))} | ${cell(describeExemption(x))} |`,
      );
    out.push("", "> A new or changed exemption weakens its guardrail: it takes effect only after a second member approves it.");
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
  const header = impactHeader(p);
  if (header) {
    out.push(
      "",
      "#### Would have blocked (this file's version, replayed over each connection's audit log)",
      "",
      `<sub>${cell(header)}</sub>`,
      "",
    );
    const impacted = p.entries.filter((e) => e.impact && e.impact.length > 0);
    if (impacted.length === 0) out.push("No connection in scope of an added or changed guardrail.");
    for (const e of impacted)
      for (const i of e.impact!)
        out.push(
          `- \`${cell(e.key)}\` on ${cell(i.connection)} (${i.cloud}): ${cell(describeImpact(i)).replace("LOCKOUT", "**LOCKOUT**")}`,
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
  for (const x of r.exemptions ?? []) {
    if (x.outcome === "unchanged") continue;
    const what = `exemption ${x.guardrail} ${subject(x)} (${x.action})`;
    if (x.outcome === "revoked") lines.push(`  revoked   ${what}`);
    else lines.push(`  ${(decisions.get(x.approvalId!) ?? "pending").padEnd(9)} ${what}: approval ${x.approvalId} ${x.approvalUrl}`);
  }
  if (lines.length === 0) lines.push("  nothing to apply");
  return `Apply:\n${lines.join("\n")}\n`;
}
