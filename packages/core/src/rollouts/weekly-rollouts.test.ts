import { describe, expect, it } from "vitest";
import { assembleReportModel } from "../reports/assemble-report.ts";
import { renderReportHtml } from "../reports/render-html.ts";
import { renderReportText } from "../reports/render-text.ts";
import type { TWeeklyRollout } from "./weekly-rollouts.ts";

const base = assembleReportModel({
  workspace: { id: "ws1", name: "Acme" },
  timezone: "Europe/Berlin",
  period: { start: new Date("2026-11-02T07:00:00Z"), end: new Date("2026-11-09T07:00:00Z") },
  generatedAt: new Date("2026-11-09T07:00:00Z"),
  guardrails: [],
  samples: [],
  drift: [],
  newEnvironments: [],
  exemptions: [],
  approvals: [],
});

const rollout: TWeeklyRollout = {
  rolloutId: "r1",
  guardrailId: "g1",
  guardrail: "Agents <cannot> delete prod data",
  status: "halted",
  stage: "1 of 3 (canary)",
  haltReason: "impact replay rep1: denies a principal the pre-rollout replay did not: billing",
  events: [
    { action: "rollout.started", at: "2026-11-03T09:00:00.000Z", by: "owner@example.test" },
    { action: "rollout.halted", at: "2026-11-03T10:00:00.000Z", by: "rollout r1", detail: "impact replay rep1: …" },
  ],
};

describe("the week's rollouts in the weekly report", () => {
  it("are listed with their state, stage, halt reason and the week's events, in text and (escaped) HTML", () => {
    const model = { ...base, rollouts: [rollout] };
    const text = renderReportText(model, {});
    expect(text).toContain("Staged rollouts (1)");
    expect(text).toContain("- Agents <cannot> delete prod data: halted, stage 1 of 3 (canary). Halted: impact replay rep1");
    expect(text).toMatch(/3 Nov.* started by owner@example\.test/);
    const html = renderReportHtml(model, {});
    expect(html).toContain('data-section="rollouts"');
    expect(html).toContain("Agents &lt;cannot&gt; delete prod data");
    expect(html).not.toContain("<cannot>");
  });

  it("leave the report as it was when no rollout changed state (and in snapshots from before rollouts)", () => {
    expect(renderReportText({ ...base, rollouts: [] }, {})).toBe(renderReportText(base, {}));
    expect(renderReportHtml({ ...base, rollouts: [] }, {})).toBe(renderReportHtml(base, {}));
  });
});
