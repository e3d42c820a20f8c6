import { describe, expect, it } from "vitest";
import { haltVerdict, type HaltCheckInput } from "./halt-checks.ts";
import { ZStartRolloutInput } from "./rollouts.schema.ts";

const group = (principal: string) => ({ principal, action: "s3:DeleteObject", environment: "prod", count: 3, by: ["x"], samples: [] });
const report = (principals: string[], over: Partial<HaltCheckInput["reports"][number]> = {}) => ({
  id: "rep1",
  connectionName: "AWS prod",
  status: "done",
  lockout: false,
  error: null,
  summary: { groups: principals.map(group), lockouts: [] },
  ...over,
});
const clean: HaltCheckInput = {
  failedRuns: [],
  driftOpened: 0,
  driftThreshold: 3,
  reports: [report(["arn:aws:iam::1:role/agent"])],
  baselinePrincipals: new Set(["arn:aws:iam::1:role/agent"]),
  accepted: new Set(),
};

describe("halt checks", () => {
  it("pass when nothing failed and the replay denies only principals the baseline already showed", () => {
    expect(haltVerdict(clean)).toBeNull();
  });

  it("halt on a failed reconcile run, naming the run and the connection", () => {
    const v = haltVerdict({ ...clean, failedRuns: [{ id: "run9", connectionName: "AWS prod", status: "failed", error: "AccessDenied" }] });
    expect(v?.reason).toBe("reconcile run run9 on AWS prod failed: AccessDenied");
    const p = haltVerdict({ ...clean, failedRuns: [{ id: "run8", connectionName: "AWS prod", status: "partial", error: null }] });
    expect(p?.reason).toMatch(/^reconcile run run8 on AWS prod ended partial/);
  });

  it("halt on a drift spike above the threshold, not at it", () => {
    expect(haltVerdict({ ...clean, driftOpened: 3 })).toBeNull();
    expect(haltVerdict({ ...clean, driftOpened: 4 })?.reason).toMatch(/drift spike: 4 .*threshold 3/);
  });

  it("halt on a principal the baseline did not deny, naming it; an accepted one passes", () => {
    const input = { ...clean, reports: [report(["arn:aws:iam::1:role/agent", "arn:aws:iam::1:role/billing"])] };
    const v = haltVerdict(input);
    expect(v?.principals).toEqual(["arn:aws:iam::1:role/billing"]);
    expect(v?.reason).toContain("arn:aws:iam::1:role/billing");
    expect(haltVerdict({ ...input, accepted: new Set(["arn:aws:iam::1:role/billing"]) })).toBeNull();
  });

  it("halt on a lockout and on a failed replay", () => {
    const lock = report([], {
      lockout: true,
      summary: { groups: [], lockouts: [{ class: "connector", principal: "arn:conn", action: "x", count: 1 }] },
    });
    expect(haltVerdict({ ...clean, reports: [lock] })?.reason).toContain("lock out connector arn:conn");
    expect(haltVerdict({ ...clean, reports: [report([], { status: "failed", error: "throttled" })] })?.reason).toContain(
      "failed: throttled",
    );
  });
});

describe("rollout stages input", () => {
  const parse = (stages: unknown) => ZStartRolloutInput.safeParse({ stages });
  it("accepts canary → waves → everywhere", () => {
    expect(
      parse([
        { kind: "canary", labels: "env=dev", soakMinutes: 60 },
        { kind: "wave", percent: 10, soakMinutes: 60 },
        { kind: "wave", percent: 50, soakMinutes: 60 },
        { kind: "everywhere", soakMinutes: 0 },
      ]).success,
    ).toBe(true);
  });
  it.each([
    ["no everywhere at the end", [{ kind: "wave", percent: 10, soakMinutes: 1 }], "0.kind"],
    [
      "shrinking waves",
      [
        { kind: "wave", percent: 50, soakMinutes: 1 },
        { kind: "wave", percent: 20, soakMinutes: 1 },
        { kind: "everywhere", soakMinutes: 0 },
      ],
      "1.percent",
    ],
    [
      "a canary after a wave",
      [
        { kind: "wave", percent: 5, soakMinutes: 1 },
        { kind: "canary", labels: "env=dev", soakMinutes: 1 },
        { kind: "everywhere", soakMinutes: 0 },
      ],
      "1.kind",
    ],
    [
      "a canary naming nothing",
      [
        { kind: "canary", soakMinutes: 1 },
        { kind: "everywhere", soakMinutes: 0 },
      ],
      "0.nodeIds",
    ],
    [
      "a bad label expression",
      [
        { kind: "canary", labels: "env=", soakMinutes: 1 },
        { kind: "everywhere", soakMinutes: 0 },
      ],
      "0.labels",
    ],
  ])("refuses %s, naming the field", (_name, stages, field) => {
    const r = parse(stages);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toContain(`stages.${field}`);
  });
});
