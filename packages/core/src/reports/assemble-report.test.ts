import { describe, expect, it } from "vitest";
import { assembleReportModel, median, type TReportInput } from "./assemble-report.ts";
import { ENVIRONMENTS_SAMPLE_ID } from "./model.ts";

const counts = (
  enforced: number,
  other: Partial<Record<"audit" | "exempt" | "drifted" | "unsupported" | "pending", number>> = {},
  fidelity: Partial<Record<"partial" | "detective" | "unsupported", number>> = {},
) => {
  const total = enforced + Object.values(other).reduce((a, b) => a + b, 0);
  return {
    enforced,
    audit: 0,
    exempt: 0,
    drifted: 0,
    unsupported: 0,
    unknown: 0,
    pending: 0,
    ...other,
    total,
    fidelity: {
      enforced: total - Object.values(fidelity).reduce((a, b) => a + b, 0),
      partial: 0,
      detective: 0,
      unsupported: 0,
      ...fidelity,
    },
  };
};

// Period: Mon 2 Nov 2026 08:00 → Mon 9 Nov 2026 08:00, UTC.
const end = new Date("2026-11-09T08:00:00Z");
const start = new Date("2026-11-02T08:00:00Z");
const h = (iso: string) => new Date(iso);

function input(over: Partial<TReportInput> = {}): TReportInput {
  return {
    workspace: { id: "ws1", name: "Acme" },
    timezone: "UTC",
    period: { start, end },
    generatedAt: end,
    guardrails: [
      { id: "g-root", name: "No root user", controlId: "deny-root-user" },
      { id: "g-regions", name: "Allowed regions", controlId: "restrict-regions" },
    ],
    samples: [
      // Two weeks ago: no data. Last week (sampled Mon 2 Nov): 6/10 enforced.
      { day: "2026-11-02", cloud: "aws", guardrailId: "g-root", counts: counts(3, { audit: 2 }) },
      { day: "2026-11-02", cloud: "aws", guardrailId: "g-regions", counts: counts(3, { drifted: 2 }) },
      // An older sample in the same week as the latest must not be used.
      { day: "2026-11-05", cloud: "aws", guardrailId: "g-root", counts: counts(0, { pending: 5 }) },
      // This week (Mon 9 Nov): aws 8 enforced of 10 (+1 exempt), azure root unsupported on 4.
      { day: "2026-11-09", cloud: "aws", guardrailId: "g-root", counts: counts(5, { exempt: 1 }) },
      { day: "2026-11-09", cloud: "aws", guardrailId: "g-regions", counts: counts(3, { drifted: 2 }) },
      { day: "2026-11-09", cloud: "azure", guardrailId: "g-root", counts: counts(0, { unsupported: 4 }, { unsupported: 4 }) },
      { day: "2026-11-09", cloud: "aws", guardrailId: ENVIRONMENTS_SAMPLE_ID, counts: { environments: 6, fullyCovered: 3 } },
      { day: "2026-11-09", cloud: "azure", guardrailId: ENVIRONMENTS_SAMPLE_ID, counts: { environments: 4, fullyCovered: 0 } },
    ],
    drift: [
      // repaired in period: 30 min, 90 min, 10 h
      {
        id: "d1",
        kind: "detached",
        summary: "SCP detached",
        cloud: "aws",
        guardrail: "No root user",
        environment: "prod",
        openedAt: h("2026-11-03T10:00:00Z"),
        resolvedAt: h("2026-11-03T10:30:00Z"),
        resolution: "auto_reapplied",
      },
      {
        id: "d2",
        kind: "modified",
        summary: "SCP edited",
        cloud: "aws",
        guardrail: "Allowed regions",
        environment: "dev",
        openedAt: h("2026-11-04T10:00:00Z"),
        resolvedAt: h("2026-11-04T11:30:00Z"),
        resolution: "auto_reapplied",
      },
      {
        id: "d3",
        kind: "missing",
        summary: "SCP deleted",
        cloud: "aws",
        guardrail: "Allowed regions",
        environment: "dev",
        openedAt: h("2026-11-01T22:00:00Z"),
        resolvedAt: h("2026-11-02T08:00:00Z"),
        resolution: "manual",
      },
      // resolved before the period (excluded), resolved after the end (open at the end), still open
      {
        id: "d4",
        kind: "missing",
        summary: "old",
        cloud: "aws",
        guardrail: null,
        environment: null,
        openedAt: h("2026-10-20T00:00:00Z"),
        resolvedAt: h("2026-10-21T00:00:00Z"),
        resolution: "manual",
      },
      {
        id: "d5",
        kind: "weakened",
        summary: "later fixed",
        cloud: "azure",
        guardrail: null,
        environment: "sub-1",
        openedAt: h("2026-11-08T08:00:00Z"),
        resolvedAt: h("2026-11-10T00:00:00Z"),
        resolution: "manual",
      },
      {
        id: "d6",
        kind: "detached",
        summary: "still open",
        cloud: "aws",
        guardrail: "No root user",
        environment: "prod",
        openedAt: h("2026-11-06T08:00:00Z"),
        resolvedAt: null,
        resolution: null,
      },
    ],
    newEnvironments: [
      {
        nodeId: "n1",
        name: "sandbox",
        externalId: "111",
        cloud: "aws",
        connection: "Org",
        discoveredAt: h("2026-11-05T00:00:00Z"),
        pairs: 0,
        covered: 0,
      },
      {
        nodeId: "n2",
        name: "data",
        externalId: "222",
        cloud: "aws",
        connection: "Org",
        discoveredAt: h("2026-11-04T00:00:00Z"),
        pairs: 2,
        covered: 1,
      },
      {
        nodeId: "n3",
        name: "ok",
        externalId: "333",
        cloud: "aws",
        connection: "Org",
        discoveredAt: h("2026-11-04T00:00:00Z"),
        pairs: 2,
        covered: 2,
      },
    ],
    exemptions: [
      {
        id: "e1",
        guardrail: "Allowed regions",
        environment: "dev",
        cloud: "aws",
        ownerEmail: "o@x",
        reason: "migration",
        expiresAt: h("2026-11-12T08:00:00Z"),
      },
      {
        id: "e2",
        guardrail: "Allowed regions",
        environment: "dev",
        cloud: "aws",
        ownerEmail: "o@x",
        reason: "later",
        expiresAt: h("2026-12-30T08:00:00Z"),
      },
    ],
    approvals: [
      { id: "a1", action: "exemption.create", summary: "Exempt dev", requestedBy: "dev@x", createdAt: h("2026-11-06T08:00:00Z") },
    ],
    ...over,
  };
}

describe("assembleReportModel", () => {
  it("computes headline coverage from the latest sample of the week and the change against last week", () => {
    const m = assembleReportModel(input());
    expect(m.sampleDay).toBe("2026-11-09");
    // enforced 8 of (10 aws + 1 exempt + 4 azure) − 1 exempt = 8 / 14
    expect(m.headline.coverage.counts).toMatchObject({ enforced: 8, exempt: 1, total: 15 });
    expect(m.headline.coverage.coveragePct).toBe(57.1);
    // last week ended 2 Nov: 6 / 10; the 5 Nov sample belongs to this week and lost to 9 Nov
    expect(m.trend.at(-2)).toMatchObject({ weekEnd: "2026-11-02", sampleDay: "2026-11-02", coveragePct: 60 });
    expect(m.headline.changePts).toBe(-2.9);
    expect(m.trend).toHaveLength(8);
    expect(m.trend[0]!.coveragePct).toBeNull();
    expect(m.notes.join(" ")).toMatch(/history starts in the week ending 2 Nov/);
    expect(m.headline.environments).toEqual({ total: 10, fullyCovered: 3 });
  });

  it("rolls coverage up by cloud, guardrail and framework control (CIS references only for their cloud)", () => {
    const m = assembleReportModel(input());
    expect(m.byCloud.map((c) => [c.cloud, c.coveragePct, c.environments])).toEqual([
      ["aws", 80, 6],
      ["azure", 0, 4],
    ]);
    const root = m.byGuardrail.find((g) => g.guardrailId === "g-root")!;
    expect(root.coveragePct).toBe(55.6); // 5 of 9 applicable (5 aws + 4 azure)
    const cisAws = m.byFramework.find((f) => f.framework === "CIS AWS 3.0" && f.ref === "1.7")!;
    expect(cisAws.counts.total).toBe(6); // aws pairs only
    const nist = m.byFramework.find((f) => f.framework === "NIST 800-53 r5" && f.ref === "IA-2")!;
    expect(nist.counts.total).toBe(10); // every cloud
    expect(m.fidelityGaps.map((g) => [g.guardrailId, g.cloud, g.fidelity, g.pairs])).toEqual([["g-root", "azure", "unsupported", 4]]);
    expect(m.fidelityGaps[0]!.gap).toMatch(/no root user/);
  });

  it("measures time to repair for incidents repaired in the period and lists drift open at its end", () => {
    const m = assembleReportModel(input());
    expect(m.drift.repaired).toBe(3);
    expect(m.drift.incidents.map((i) => i.repairMinutes)).toEqual([600, 90, 30]);
    expect(m.drift.medianRepairMinutes).toBe(90);
    expect(m.drift.worstRepairMinutes).toBe(600);
    expect(m.drift.opened).toBe(4); // d1, d2, d5, d6
    expect(m.openDrift.items.map((d) => d.id)).toEqual(["d6", "d5"]);
    expect(m.openDrift.items[0]!.ageMinutes).toBe(3 * 24 * 60);
  });

  it("lists uncovered new environments, exemptions expiring within 14 days and pending approvals", () => {
    const m = assembleReportModel(input());
    expect(m.newEnvironments.map((n) => [n.name, n.state])).toEqual([
      ["data", "partially covered"],
      ["sandbox", "uncovered"],
    ]);
    expect(m.exemptions.items.map((e) => [e.id, e.daysLeft])).toEqual([["e1", 3]]);
    expect(m.approvals.items.map((a) => [a.id, a.ageDays])).toEqual([["a1", 3]]);
    expect(m.period.label).toBe("2 Nov 2026 – 9 Nov 2026");
  });

  it("says so when there is no history at all", () => {
    const m = assembleReportModel(input({ samples: [], drift: [] }));
    expect(m.headline.coverage.coveragePct).toBeNull();
    expect(m.headline.medianRepairMinutes).toBeNull();
    expect(m.notes[0]).toMatch(/No coverage sample/);
  });

  it("takes the middle value, averaging the two middles of an even list", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([10, 1, 3, 20])).toBe(7);
  });
});
