/**
 * The report as an HTML email. Mail clients ignore <style> blocks and CSS layout in places (Outlook
 * renders with Word, Gmail strips classes), so everything is tables with inline styles and bgcolor
 * attributes, 640 px wide, and the chart is made of table cells rather than an image that may be
 * blocked.
 */
import { CLOUD_LABELS, COVERAGE_DEFINITION, fmtDate, fmtDateTime, fmtDuration, fmtPct, fmtPts, reportSubject } from "./format.ts";
import type { TReportModel } from "./model.ts";
import { escapeHtml } from "../common/html.ts";

export interface TRenderLinks {
  /** Where the report lives in the dashboard. */
  reportUrl?: string;
  /** Signed one-click unsubscribe link (absent in the dashboard and for one-off sends). */
  unsubscribeUrl?: string;
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
const INK = "#111827";
const MUTED = "#6b7280";
const LINE = "#e5e7eb";

function colour(p: number | null): string {
  if (p === null) return "#9ca3af";
  if (p >= 90) return "#16a34a";
  if (p >= 70) return "#d97706";
  return "#dc2626";
}

/** A horizontal bar: two cells whose widths are the value and the rest. */
function bar(p: number | null, width = 220): string {
  const filled = p === null ? 0 : Math.max(0, Math.min(100, Math.round(p)));
  const cells = [
    filled > 0
      ? `<td width="${Math.round((width * filled) / 100)}" height="12" bgcolor="${colour(p)}" style="background:${colour(p)};font-size:0;line-height:0;">&nbsp;</td>`
      : "",
    filled < 100
      ? `<td width="${width - Math.round((width * filled) / 100)}" height="12" bgcolor="#f3f4f6" style="background:#f3f4f6;font-size:0;line-height:0;">&nbsp;</td>`
      : "",
  ].join("");
  return `<table role="presentation" width="${width}" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:${width}px;"><tr>${cells}</tr></table>`;
}

function section(title: string, body: string, testId: string): string {
  return `<tr><td style="padding:24px 32px 0 32px;" data-section="${testId}"><h2 style="${FONT}margin:0 0 10px 0;font-size:16px;line-height:22px;color:${INK};">${escapeHtml(title)}</h2>${body}</td></tr>`;
}

function table(headers: string[], rows: string[][], align: Array<"left" | "right"> = []): string {
  const th = headers
    .map(
      (h, i) =>
        `<th align="${align[i] ?? "left"}" style="${FONT}font-size:12px;color:${MUTED};font-weight:600;padding:6px 8px;border-bottom:1px solid ${LINE};text-align:${align[i] ?? "left"};">${escapeHtml(h)}</th>`,
    )
    .join("");
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td align="${align[i] ?? "left"}" valign="middle" style="${FONT}font-size:13px;color:${INK};padding:6px 8px;border-bottom:1px solid ${LINE};text-align:${align[i] ?? "left"};">${c}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;"><tr>${th}</tr>${tr}</table>`;
}

function empty(text: string): string {
  return `<p style="${FONT}margin:0;font-size:13px;color:${MUTED};">${escapeHtml(text)}</p>`;
}

function tile(label: string, value: string, sub: string, id: string): string {
  return `<td width="25%" valign="top" style="padding:12px;border:1px solid ${LINE};" data-metric="${id}"><div style="${FONT}font-size:12px;color:${MUTED};">${escapeHtml(label)}</div><div style="${FONT}font-size:22px;line-height:30px;font-weight:700;color:${INK};">${escapeHtml(value)}</div><div style="${FONT}font-size:12px;color:${MUTED};">${escapeHtml(sub)}</div></td>`;
}

export function renderReportHtml(model: TReportModel, links: TRenderLinks = {}): string {
  const h = model.headline;
  const tiles = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;"><tr>${[
    tile("Coverage", fmtPct(h.coverage.coveragePct), fmtPts(h.changePts), "coverage"),
    tile(
      "Environments fully covered",
      `${h.environments.fullyCovered} / ${h.environments.total}`,
      "every guardrail enforced",
      "environments",
    ),
    tile("Open drift", String(h.openDrift), `${h.driftOpened} opened, ${h.driftRepaired} repaired`, "open-drift"),
    tile("Time to repair", fmtDuration(h.medianRepairMinutes), `median · worst ${fmtDuration(h.worstRepairMinutes)}`, "repair"),
  ].join("")}</tr></table>`;

  const trend = table(
    ["Week ending", "Coverage", ""],
    model.trend.map((t) => [
      escapeHtml(t.label),
      bar(t.coveragePct, 300),
      escapeHtml(t.coveragePct === null ? "no data" : fmtPct(t.coveragePct)),
    ]),
    ["left", "left", "right"],
  );
  const byCloud = model.byCloud.length
    ? table(
        ["Cloud", "Coverage", "", "Environments covered"],
        model.byCloud.map((c) => [
          escapeHtml(CLOUD_LABELS[c.cloud]),
          bar(c.coveragePct, 180),
          escapeHtml(fmtPct(c.coveragePct)),
          escapeHtml(`${c.fullyCovered} / ${c.environments}`),
        ]),
        ["left", "left", "right", "right"],
      )
    : empty("No cloud is connected yet.");
  const byGuardrail = model.byGuardrail.length
    ? table(
        ["Guardrail", "Coverage", "", "Change", "Enforced / pairs"],
        model.byGuardrail.map((g) => [
          escapeHtml(g.name),
          bar(g.coveragePct, 140),
          escapeHtml(fmtPct(g.coveragePct)),
          escapeHtml(fmtPts(g.changePts)),
          escapeHtml(`${g.counts.enforced} / ${g.counts.total - g.counts.exempt}`),
        ]),
        ["left", "left", "right", "right", "right"],
      )
    : empty("No guardrail has coverage data yet.");
  const byFramework = model.byFramework.length
    ? table(
        ["Framework", "Control", "Parapet controls", "Coverage"],
        model.byFramework.map((f) => [
          escapeHtml(f.framework),
          escapeHtml(f.ref),
          escapeHtml(f.controls.join(", ")),
          escapeHtml(fmtPct(f.coveragePct)),
        ]),
        ["left", "left", "left", "right"],
      )
    : empty("No framework control is mapped by the active guardrails.");
  const newEnvs = model.newEnvironments.length
    ? table(
        ["Environment", "Cloud", "Connection", "Discovered", "State"],
        model.newEnvironments.map((n) => [
          `${escapeHtml(n.name)}<br><span style="color:${MUTED};font-size:11px;">${escapeHtml(n.externalId)}</span>`,
          escapeHtml(CLOUD_LABELS[n.cloud]),
          escapeHtml(n.connection),
          escapeHtml(fmtDate(n.discoveredAt, model)),
          escapeHtml(n.state),
        ]),
      )
    : empty("Every environment discovered this week is covered.");
  const driftSummary = `<p style="${FONT}margin:0 0 8px 0;font-size:13px;color:${INK};" data-metric="drift-summary">${model.drift.opened} drift incidents opened and ${model.drift.repaired} repaired this week. Median time to repair: <strong>${escapeHtml(fmtDuration(model.drift.medianRepairMinutes))}</strong>; worst: <strong>${escapeHtml(fmtDuration(model.drift.worstRepairMinutes))}</strong>.</p>`;
  const incidents = model.drift.incidents.length
    ? table(
        ["Incident", "Where", "Opened", "Time to repair", "Fixed by"],
        model.drift.incidents.map((d) => [
          `${escapeHtml(d.summary)}<br><span style="color:${MUTED};font-size:11px;">${escapeHtml(d.kind)}${d.guardrail ? ` · ${escapeHtml(d.guardrail)}` : ""}</span>`,
          escapeHtml(`${CLOUD_LABELS[d.cloud]}${d.environment ? ` · ${d.environment}` : ""}`),
          escapeHtml(fmtDateTime(d.openedAt, model)),
          escapeHtml(fmtDuration(d.repairMinutes)),
          escapeHtml(d.resolution ?? ""),
        ]),
        ["left", "left", "left", "right", "left"],
      )
    : "";
  const openDrift = model.openDrift.items.length
    ? table(
        ["Finding", "Where", "Open since", "Age"],
        model.openDrift.items.map((d) => [
          `${escapeHtml(d.summary)}<br><span style="color:${MUTED};font-size:11px;">${escapeHtml(d.kind)}${d.guardrail ? ` · ${escapeHtml(d.guardrail)}` : ""}</span>`,
          escapeHtml(`${CLOUD_LABELS[d.cloud]}${d.environment ? ` · ${d.environment}` : ""}`),
          escapeHtml(fmtDateTime(d.openedAt, model)),
          escapeHtml(fmtDuration(d.ageMinutes)),
        ]),
        ["left", "left", "left", "right"],
      )
    : empty("No drift is open.");
  const exemptions = model.exemptions.items.length
    ? table(
        ["Guardrail", "Environment", "Owner", "Expires", "Reason"],
        model.exemptions.items.map((e) => [
          escapeHtml(e.guardrail),
          escapeHtml(`${CLOUD_LABELS[e.cloud]} · ${e.environment}`),
          escapeHtml(e.ownerEmail),
          escapeHtml(`${fmtDate(e.expiresAt, model)} (${e.daysLeft} d)`),
          escapeHtml(e.reason),
        ]),
      )
    : empty(`No exemption expires in the next ${model.exemptions.windowDays} days.`);
  const approvals = model.approvals.items.length
    ? table(
        ["Request", "Requested by", "Waiting"],
        model.approvals.items.map((a) => [
          `${escapeHtml(a.summary)}<br><span style="color:${MUTED};font-size:11px;">${escapeHtml(a.action)}</span>`,
          escapeHtml(a.requestedBy),
          escapeHtml(`${a.ageDays} d`),
        ]),
        ["left", "left", "right"],
      )
    : empty("No change is waiting for approval.");
  const rollouts = model.rollouts?.length
    ? table(
        ["Guardrail", "Status", "Stage", "This week"],
        model.rollouts.map((r) => [
          escapeHtml(r.guardrail),
          `${escapeHtml(r.status)}${r.haltReason ? `<br><span style="color:${MUTED};font-size:11px;">${escapeHtml(r.haltReason)}</span>` : ""}`,
          escapeHtml(r.stage),
          r.events.map((e) => escapeHtml(`${fmtDateTime(e.at, model)} ${e.action.replace("rollout.", "")} by ${e.by}`)).join("<br>"),
        ]),
      )
    : "";
  const posture = model.posture
    ? table(
        ["Control", "Already enforced", "Partially", "Environments not"],
        model.posture.controls.map((c) => [
          escapeHtml(c.title),
          escapeHtml(String(c.enforced)),
          escapeHtml(String(c.partial)),
          escapeHtml(String(c.none)),
        ]),
        ["left", "right", "right", "right"],
      ) +
      model.posture.connections
        .filter((c) => c.lockouts > 0 || c.drifted.length > 0)
        .map(
          (c) =>
            `<p style="font-size:12px;">${escapeHtml(c.name)}: ${c.lockouts > 0 ? `${c.lockouts} lockout risk(s) for Parapet's connector. ` : ""}${c.drifted.length ? `Watched policies changed: ${escapeHtml(c.drifted.join(", "))}.` : ""}</p>`,
        )
        .join("")
    : "";
  const denials = model.denials
    ? table(
        ["Denied by", "This week", "Last week"],
        [
          ...model.denials.byGuardrail.map((g) => [
            escapeHtml(g.guardrail),
            escapeHtml(String(g.thisWeek)),
            escapeHtml(String(g.lastWeek)),
          ]),
          [
            `<strong>All Parapet guardrails</strong>`,
            escapeHtml(String(model.denials.thisWeek.parapet)),
            escapeHtml(String(model.denials.lastWeek.parapet)),
          ],
          [
            escapeHtml("Your own policies (not Parapet's)"),
            escapeHtml(String(model.denials.thisWeek.notParapet)),
            escapeHtml(String(model.denials.lastWeek.notParapet)),
          ],
        ],
        ["left", "right", "right"],
      )
    : "";
  const gaps = model.fidelityGaps.length
    ? table(
        ["Guardrail", "Cloud", "Fidelity", "Pairs", "What the cloud cannot enforce"],
        model.fidelityGaps.map((g) => [
          escapeHtml(g.guardrail),
          escapeHtml(CLOUD_LABELS[g.cloud]),
          escapeHtml(g.fidelity),
          escapeHtml(String(g.pairs)),
          escapeHtml(g.gap),
        ]),
        ["left", "left", "left", "right", "left"],
      )
    : empty("Every guardrail is natively enforced where it applies.");

  const notes = model.notes.length
    ? `<ul style="${FONT}margin:8px 0 0 0;padding-left:18px;font-size:12px;color:${MUTED};">${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`
    : "";
  const footerLinks = [
    links.reportUrl ? `<a href="${escapeHtml(links.reportUrl)}" style="color:#4f46e5;">Open this report in Parapet</a>` : "",
    links.unsubscribeUrl
      ? `<a href="${escapeHtml(links.unsubscribeUrl)}" style="color:${MUTED};" data-link="unsubscribe">Unsubscribe from these reports</a>`
      : "",
  ].filter(Boolean);

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><title>${escapeHtml(reportSubject(model))}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;" bgcolor="#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background:#f3f4f6;"><tr><td align="center" style="padding:24px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:640px;max-width:640px;background:#ffffff;border:1px solid ${LINE};">
<tr><td bgcolor="#312e81" style="background:#312e81;padding:20px 32px;"><div style="${FONT}font-size:12px;color:#c7d2fe;letter-spacing:.04em;text-transform:uppercase;">Parapet weekly coverage report</div><div style="${FONT}font-size:20px;line-height:28px;font-weight:700;color:#ffffff;" data-field="workspace">${escapeHtml(model.workspace.name)}</div><div style="${FONT}font-size:13px;color:#e0e7ff;" data-field="period">${escapeHtml(model.period.label)} (${escapeHtml(model.timezone)})</div></td></tr>
<tr><td style="padding:24px 32px 0 32px;">${tiles}</td></tr>
${section("Coverage trend", trend, "trend")}
${section("Coverage by cloud", byCloud, "clouds")}
${section("Coverage by guardrail", byGuardrail, "guardrails")}
${section("Coverage by framework control", byFramework, "frameworks")}
${section("New environments not yet covered", newEnvs, "new-environments")}
${section("Drift incidents repaired", driftSummary + incidents, "drift")}
${section(`Open drift (${model.openDrift.total})`, openDrift, "open-drift")}
${section(`Exemptions expiring in the next ${model.exemptions.windowDays} days`, exemptions, "exemptions")}
${section(`Pending approvals (${model.approvals.total})`, approvals, "approvals")}
${rollouts ? `${section(`Staged rollouts (${model.rollouts?.length ?? 0})`, rollouts, "rollouts")}\n` : ""}${posture ? `${section("Your own policies (posture)", posture, "posture")}\n` : ""}${denials ? `${section("Denied calls", denials, "denials")}\n` : ""}${section("Fidelity gaps", gaps, "fidelity")}
<tr><td style="padding:24px 32px 24px 32px;"><p style="${FONT}margin:0;font-size:12px;line-height:18px;color:${MUTED};">${escapeHtml(COVERAGE_DEFINITION)} Figures come from the coverage sample of ${escapeHtml(model.sampleDay ?? "no day")} and the drift history up to ${escapeHtml(fmtDateTime(model.period.end, model))}.</p>${notes}${footerLinks.length ? `<p style="${FONT}margin:12px 0 0 0;font-size:12px;color:${MUTED};">${footerLinks.join(" &nbsp;·&nbsp; ")}</p>` : ""}</td></tr>
</table></td></tr></table>
</body></html>`;
}
