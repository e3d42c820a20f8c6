/** The plain-text part of the report email: the same sections as the HTML, readable in any client. */
import { CLOUD_LABELS, COVERAGE_DEFINITION, fmtDate, fmtDateTime, fmtDuration, fmtPct, fmtPts } from "./format.ts";
import type { TReportModel } from "./model.ts";
import type { TRenderLinks } from "./render-html.ts";

function textBar(p: number | null, width = 20): string {
  const n = p === null ? 0 : Math.round((Math.max(0, Math.min(100, p)) / 100) * width);
  return `[${"#".repeat(n)}${"-".repeat(width - n)}]`;
}

function heading(title: string): string {
  return `\n${title}\n${"=".repeat(title.length)}`;
}

export function renderReportText(model: TReportModel, links: TRenderLinks = {}): string {
  const h = model.headline;
  const out: string[] = [];
  out.push(`PARAPET WEEKLY COVERAGE REPORT`);
  out.push(`${model.workspace.name}`);
  out.push(`${model.period.label} (${model.timezone})`);
  out.push("");
  out.push(`Coverage:                    ${fmtPct(h.coverage.coveragePct)} (${fmtPts(h.changePts)})`);
  out.push(`Environments fully covered:  ${h.environments.fullyCovered} / ${h.environments.total}`);
  out.push(`Open drift:                  ${h.openDrift}`);
  out.push(`Drift this week:             ${h.driftOpened} opened, ${h.driftRepaired} repaired`);
  out.push(`Time to repair:              median ${fmtDuration(h.medianRepairMinutes)}, worst ${fmtDuration(h.worstRepairMinutes)}`);
  out.push(`Exemptions expiring soon:    ${h.expiringExemptions}`);
  out.push(`Pending approvals:           ${h.pendingApprovals}`);
  out.push(`Fidelity gaps:               ${h.fidelityGaps}`);

  out.push(heading("Coverage trend"));
  for (const t of model.trend)
    out.push(`${t.label.padEnd(8)} ${textBar(t.coveragePct)} ${t.coveragePct === null ? "no data" : fmtPct(t.coveragePct)}`);

  out.push(heading("Coverage by cloud"));
  if (!model.byCloud.length) out.push("No cloud is connected yet.");
  for (const c of model.byCloud)
    out.push(
      `${CLOUD_LABELS[c.cloud].padEnd(14)} ${textBar(c.coveragePct)} ${fmtPct(c.coveragePct).padStart(6)}  environments covered ${c.fullyCovered} / ${c.environments}`,
    );

  out.push(heading("Coverage by guardrail"));
  if (!model.byGuardrail.length) out.push("No guardrail has coverage data yet.");
  for (const g of model.byGuardrail)
    out.push(
      `${textBar(g.coveragePct, 10)} ${fmtPct(g.coveragePct).padStart(6)}  ${g.name} (${fmtPts(g.changePts)}; ${g.counts.enforced} of ${g.counts.total - g.counts.exempt} pairs enforced)`,
    );

  out.push(heading("Coverage by framework control"));
  if (!model.byFramework.length) out.push("No framework control is mapped by the active guardrails.");
  for (const f of model.byFramework) out.push(`${fmtPct(f.coveragePct).padStart(6)}  ${f.framework} ${f.ref}: ${f.controls.join(", ")}`);

  out.push(heading("New environments not yet covered"));
  if (!model.newEnvironments.length) out.push("Every environment discovered this week is covered.");
  for (const n of model.newEnvironments)
    out.push(
      `- ${n.name} (${n.externalId}), ${CLOUD_LABELS[n.cloud]} / ${n.connection}, discovered ${fmtDate(n.discoveredAt, model)}: ${n.state}`,
    );

  out.push(heading("Drift incidents repaired"));
  out.push(
    `${model.drift.opened} opened and ${model.drift.repaired} repaired this week. Median time to repair: ${fmtDuration(model.drift.medianRepairMinutes)}; worst: ${fmtDuration(model.drift.worstRepairMinutes)}.`,
  );
  for (const d of model.drift.incidents)
    out.push(
      `- ${fmtDuration(d.repairMinutes)}: ${d.summary} (${CLOUD_LABELS[d.cloud]}${d.environment ? ` / ${d.environment}` : ""}; opened ${fmtDateTime(d.openedAt, model)}${d.resolution ? `; ${d.resolution}` : ""})`,
    );

  out.push(heading(`Open drift (${model.openDrift.total})`));
  if (!model.openDrift.items.length) out.push("No drift is open.");
  for (const d of model.openDrift.items)
    out.push(`- open ${fmtDuration(d.ageMinutes)}: ${d.summary} (${CLOUD_LABELS[d.cloud]}${d.environment ? ` / ${d.environment}` : ""})`);

  out.push(heading(`Exemptions expiring in the next ${model.exemptions.windowDays} days`));
  if (!model.exemptions.items.length) out.push(`No exemption expires in the next ${model.exemptions.windowDays} days.`);
  for (const e of model.exemptions.items)
    out.push(
      `- ${fmtDate(e.expiresAt, model)} (${e.daysLeft} d): ${e.guardrail} on ${e.environment} (${CLOUD_LABELS[e.cloud]}), owner ${e.ownerEmail}: ${e.reason}`,
    );

  out.push(heading(`Pending approvals (${model.approvals.total})`));
  if (!model.approvals.items.length) out.push("No change is waiting for approval.");
  for (const a of model.approvals.items) out.push(`- waiting ${a.ageDays} d: ${a.summary} (${a.action}, requested by ${a.requestedBy})`);

  // Only when a rollout changed state this week (and never in snapshots from before rollouts existed).
  if (model.rollouts?.length) {
    out.push(heading(`Staged rollouts (${model.rollouts.length})`));
    for (const r of model.rollouts) {
      out.push(`- ${r.guardrail}: ${r.status}, stage ${r.stage}${r.haltReason ? `. Halted: ${r.haltReason}` : ""}`);
      for (const e of r.events)
        out.push(`    ${fmtDateTime(e.at, model)} ${e.action.replace("rollout.", "")} by ${e.by}${e.detail ? `: ${e.detail}` : ""}`);
    }
  }

  if (model.posture) {
    out.push(heading("Your own policies (posture)"));
    for (const c of model.posture.controls)
      out.push(`- ${c.title}: already enforced in ${c.enforced}, partially in ${c.partial}, not in ${c.none}`);
    for (const c of model.posture.connections) {
      if (c.lockouts > 0) out.push(`- ${c.name}: ${c.lockouts} lockout risk(s) for Parapet's connector`);
      if (c.drifted.length) out.push(`- ${c.name}: watched policies changed: ${c.drifted.join(", ")}`);
    }
  }

  if (model.denials) {
    const d = model.denials;
    out.push(heading("Denied calls (this week / last week)"));
    out.push(`- by Parapet's guardrails: ${d.thisWeek.parapet} / ${d.lastWeek.parapet}`);
    for (const g of d.byGuardrail) out.push(`    ${g.guardrail}: ${g.thisWeek} / ${g.lastWeek}`);
    out.push(`- by your own policies (not Parapet's): ${d.thisWeek.notParapet} / ${d.lastWeek.notParapet}`);
  }

  out.push(heading("Fidelity gaps"));
  if (!model.fidelityGaps.length) out.push("Every guardrail is natively enforced where it applies.");
  for (const g of model.fidelityGaps) out.push(`- ${g.guardrail} on ${CLOUD_LABELS[g.cloud]}: ${g.fidelity} (${g.pairs} pairs). ${g.gap}`);

  out.push("");
  out.push(COVERAGE_DEFINITION);
  for (const n of model.notes) out.push(`Note: ${n}`);
  if (links.reportUrl) out.push(`\nOpen this report in Parapet: ${links.reportUrl}`);
  if (links.unsubscribeUrl) out.push(`Unsubscribe: ${links.unsubscribeUrl}`);
  return out.join("\n") + "\n";
}
