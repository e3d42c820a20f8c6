import { describe, expect, it } from "vitest";
import type { Change, DesiredArtifact, Difference, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import { canonicalJson } from "@parapet/providers/contract";
import { foldChange, intentOutcome } from "./apply-journal.ts";
import { desiredHash, planReconcile, type RecordedArtifact } from "./plan.ts";

const scp = (name: string, content: string, attachments: string[]): DesiredArtifact => ({
  kind: "aws.scp",
  name,
  body: { content },
  attachments,
  guardrailIds: ["g1"],
});
const seen = (d: DesiredArtifact, attachments = d.attachments, body: unknown = d.body): ObservedArtifact => ({
  kind: d.kind,
  name: d.name,
  externalId: `p-${d.name}`,
  body,
  attachments,
  owned: true,
});
const state = (artifacts: ObservedArtifact[], unreadable: ObservedState["unreadable"] = []): ObservedState => ({
  artifacts,
  foreignSlots: {},
  unreadable,
});
const compare = (d: DesiredArtifact, o: ObservedArtifact): Difference =>
  canonicalJson(d.body) === canonicalJson(o.body) ? { equal: true } : { equal: false, kind: "modified", detail: "content differs" };
const attach = (name: string, target: string): Change => ({
  op: "attach",
  kind: "aws.scp",
  name,
  externalId: `p-${name}`,
  target,
  reason: "new attachment",
});
const detach = (name: string, target: string): Change => ({
  op: "detach",
  kind: "aws.scp",
  name,
  externalId: `p-${name}`,
  target,
  reason: "attachment no longer desired",
});

const A = scp("parapet-a", "A", ["acct-1", "acct-2"]);

describe("foldChange", () => {
  it("records each applied change: create, attach, detach, update, delete", () => {
    let r = foldChange(undefined, { op: "create", artifact: A, reason: "new artifact" }, "p-1")!;
    expect(r).toMatchObject({ name: "parapet-a", externalId: "p-1", contentHash: desiredHash(A), attachments: [] });
    r = foldChange(r, attach("parapet-a", "acct-2"))!;
    r = foldChange(r, attach("parapet-a", "acct-1"))!;
    r = foldChange(r, attach("parapet-a", "acct-1"))!;
    expect(r.attachments).toEqual(["acct-1", "acct-2"]);
    r = foldChange(r, detach("parapet-a", "acct-2"))!;
    expect(r.attachments).toEqual(["acct-1"]);
    const A2 = scp("parapet-a", "A2", ["acct-1"]);
    r = foldChange(r, { op: "update", artifact: A2, externalId: "p-1", reason: "guardrail changed" })!;
    expect(r.contentHash).toBe(desiredHash(A2));
    expect(foldChange(r, { op: "delete", kind: "aws.scp", name: "parapet-a", externalId: "p-1", reason: "no longer desired" })).toBeNull();
  });

  it("an attach to an artifact with no record keeps its content unknown (a deploy, never drift)", () => {
    const r = foldChange(undefined, attach("parapet-a", "acct-1"))!;
    expect(r).toMatchObject({ externalId: "p-parapet-a", contentHash: "", attachments: ["acct-1"] });
  });
});

describe("intentOutcome", () => {
  it("judges an unrecorded change from what the cloud shows", () => {
    const o = state([seen(A, ["acct-1"])]);
    expect(intentOutcome(attach("parapet-a", "acct-1"), o, compare)).toBe("applied");
    expect(intentOutcome(attach("parapet-a", "acct-2"), o, compare)).toBe("not_applied");
    expect(intentOutcome(detach("parapet-a", "acct-2"), o, compare)).toBe("applied");
    expect(intentOutcome(detach("parapet-a", "acct-1"), o, compare)).toBe("not_applied");
    expect(intentOutcome({ op: "create", artifact: A, reason: "new" }, o, compare)).toBe("applied");
    expect(intentOutcome({ op: "create", artifact: scp("parapet-b", "B", []), reason: "new" }, o, compare)).toBe("not_applied");
    expect(
      intentOutcome({ op: "update", artifact: scp("parapet-a", "A2", []), externalId: "p-parapet-a", reason: "changed" }, o, compare),
    ).toBe("not_applied");
    expect(intentOutcome({ op: "update", artifact: A, externalId: "p-parapet-a", reason: "changed" }, o, compare)).toBe("applied");
    expect(intentOutcome({ op: "delete", kind: "aws.scp", name: "parapet-a", externalId: "p-parapet-a", reason: "gone" }, o, compare)).toBe(
      "not_applied",
    );
    expect(
      intentOutcome({ op: "delete", kind: "aws.scp", name: "parapet-a", externalId: "p-parapet-a", reason: "gone" }, state([]), compare),
    ).toBe("applied");
  });

  it("a failed read leaves the intent open", () => {
    expect(
      intentOutcome(attach("parapet-a", "acct-1"), state([], [{ kind: "aws.scp", name: "parapet-a", reason: "throttled" }]), compare),
    ).toBe("unknown");
    expect(intentOutcome(attach("parapet-a", "acct-1"), state([seen(A, [])], [{ target: "acct-1", reason: "throttled" }]), compare)).toBe(
      "unknown",
    );
  });
});

describe("a run killed between attaching and recording", () => {
  it("once its open attach is settled, the next plan sees no unexpected attachment and no detached target", () => {
    // Scope moved from acct-1 to acct-2: the killed run attached acct-2 (unrecorded) and never detached acct-1.
    const desired = [scp("parapet-a", "A", ["acct-2"])];
    const observed = state([seen(A, ["acct-1", "acct-2"], A.body)]);
    let rec: RecordedArtifact = {
      kind: "aws.scp",
      name: "parapet-a",
      externalId: "p-parapet-a",
      contentHash: desiredHash(A),
      attachments: ["acct-1"],
      guardrailIds: ["g1"],
    };
    const pending = attach("parapet-a", "acct-2");
    expect(intentOutcome(pending, observed, compare)).toBe("applied");
    rec = foldChange(rec, pending)!;
    const p = planReconcile({ desired, observed, recorded: [rec], compare, autoRepair: () => true });
    expect(p.drift).toEqual([]);
    expect(p.changes.map((c) => `${c.change.op} ${"target" in c.change ? c.change.target : ""} ${c.cause}`)).toEqual([
      "detach acct-1 cleanup",
    ]);
  });
});
