import { describe, expect, it } from "vitest";
import type { DriftObservation } from "./detect-drift.ts";
import { findingWrites, type FindingWritesInput } from "./finding-writes.ts";

const drift = (name: string, repaired: boolean, kind: DriftObservation["kind"] = "modified"): DriftObservation => ({
  kind,
  artifactKind: "aws.scp",
  name,
  guardrailIds: ["g1"],
  fingerprint: `${kind}|aws.scp|${name}`,
  summary: `aws.scp ${name} was edited outside Parapet: x`,
  repaired,
});
const writes = (p: Partial<FindingWritesInput>) =>
  findingWrites({
    open: [],
    drift: [],
    applyOk: true,
    observed: { unreadable: [] },
    desiredNames: new Set(["parapet-a", "parapet-b"]),
    ...p,
  });

describe("finding writes", () => {
  it("opens a finding for new drift, resolved at once when this run's apply repaired it", () => {
    expect(writes({ drift: [drift("parapet-a", false), drift("parapet-b", true)] })).toEqual([
      { op: "open", drift: drift("parapet-a", false), resolvedNow: false },
      { op: "open", drift: drift("parapet-b", true), resolvedNow: true },
    ]);
  });

  it("a planned repair counts only when no apply failed", () => {
    expect(writes({ drift: [drift("parapet-b", true)], applyOk: false })).toEqual([
      { op: "open", drift: drift("parapet-b", true), resolvedNow: false },
    ]);
    expect(
      writes({ open: [{ id: "f1", fingerprint: "modified|aws.scp|parapet-b" }], drift: [drift("parapet-b", true)], applyOk: false }),
    ).toEqual([{ op: "touch", findingId: "f1" }]);
  });

  it("an open finding seen again is touched, or resolved as auto_reapplied when repaired", () => {
    const open = [
      { id: "f1", fingerprint: "modified|aws.scp|parapet-a" },
      { id: "f2", fingerprint: "modified|aws.scp|parapet-b" },
    ];
    expect(writes({ open, drift: [drift("parapet-a", false), drift("parapet-b", true)] })).toEqual([
      { op: "touch", findingId: "f1" },
      { op: "resolve-repaired", findingId: "f2" },
    ]);
  });

  it("an open finding no longer seen is resolved: manual when still desired, desired_changed when not", () => {
    const open = [
      { id: "f1", fingerprint: "modified|aws.scp|parapet-a" },
      { id: "f2", fingerprint: "detached|aws.scp|parapet-gone|ou-1" },
    ];
    expect(writes({ open })).toEqual([
      { op: "resolve-gone", findingId: "f1", resolution: "manual" },
      { op: "resolve-gone", findingId: "f2", resolution: "desired_changed" },
    ]);
  });

  it("leaves a finding open when its artifact or target could not be read this run", () => {
    const open = [
      { id: "f1", fingerprint: "modified|aws.scp|parapet-a" },
      { id: "f2", fingerprint: "modified|aws.scp|parapet-b" },
    ];
    expect(writes({ open, observed: { unreadable: [{ kind: "aws.scp", name: "parapet-a", reason: "AccessDenied" }] } })).toEqual([
      { op: "resolve-gone", findingId: "f2", resolution: "manual" },
    ]);
  });

  it("keeps the planner's order: drift first, then findings that went away", () => {
    const open = [
      { id: "gone", fingerprint: "modified|aws.scp|parapet-b" },
      { id: "seen", fingerprint: "missing|aws.scp|parapet-a" },
    ];
    expect(writes({ open, drift: [drift("parapet-a", false, "missing")] }).map((w) => w.op)).toEqual(["touch", "resolve-gone"]);
  });
});
