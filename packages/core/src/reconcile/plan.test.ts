import { describe, expect, it } from "vitest";
import type { DesiredArtifact, Difference, ObservedArtifact, ObservedState } from "@parapet/providers/contract";
import { canonicalJson } from "@parapet/providers/contract";
import { desiredHash, planReconcile, type PlanInput, type RecordedArtifact } from "./plan.ts";

const scp = (name: string, content: string, attachments: string[], guardrailIds = ["g1"]): DesiredArtifact => ({
  kind: "aws.scp",
  name,
  body: { content },
  attachments,
  guardrailIds,
});
const seen = (d: DesiredArtifact, over: Partial<ObservedArtifact> = {}): ObservedArtifact => ({
  kind: d.kind,
  name: d.name,
  externalId: `p-${d.name}`,
  body: d.body,
  attachments: d.attachments,
  owned: true,
  ...over,
});
const rec = (d: DesiredArtifact, over: Partial<RecordedArtifact> = {}): RecordedArtifact => ({
  kind: d.kind,
  name: d.name,
  externalId: `p-${d.name}`,
  contentHash: desiredHash(d),
  attachments: d.attachments,
  guardrailIds: d.guardrailIds,
  ...over,
});
const compare = (d: DesiredArtifact, o: ObservedArtifact): Difference =>
  canonicalJson(d.body) === canonicalJson(o.body) ? { equal: true } : { equal: false, kind: "modified", detail: "content differs" };
const state = (artifacts: ObservedArtifact[], unreadable: ObservedState["unreadable"] = []): ObservedState => ({
  artifacts,
  foreignSlots: {},
  unreadable,
});
const plan = (p: Partial<PlanInput>) =>
  planReconcile({ desired: [], observed: state([]), recorded: [], compare, autoRepair: () => true, ...p });

const A = scp("parapet-a", "A", ["ou-1", "ou-2"]);
const B = scp("parapet-b", "B", ["ou-3"]);

describe("plan", () => {
  it("a fresh deploy creates before it attaches", () => {
    const p = plan({ desired: [A] });
    expect(p.changes.map((c) => `${c.change.op}:${"target" in c.change ? c.change.target : ""}`)).toEqual([
      "create:",
      "attach:ou-1",
      "attach:ou-2",
    ]);
    expect(p.changes.every((c) => c.cause === "deploy")).toBe(true);
    expect(p.drift).toEqual([]);
  });

  it("steady state plans nothing", () => {
    const p = plan({ desired: [A, B], observed: state([seen(A), seen(B)]), recorded: [rec(A), rec(B)] });
    expect(p.changes).toEqual([]);
    expect(p.drift).toEqual([]);
  });

  it("an out-of-band delete is missing drift, repaired when auto", () => {
    const p = plan({ desired: [A], observed: state([]), recorded: [rec(A)] });
    expect(p.drift.map((d) => d.kind)).toEqual(["missing"]);
    expect(p.drift[0]!.repaired).toBe(true);
    expect(p.changes.map((c) => c.change.op)).toEqual(["create", "attach", "attach"]);
    expect(p.changes.every((c) => c.cause === "repair")).toBe(true);
  });

  it("notify mode reports drift and changes nothing", () => {
    const p = plan({
      desired: [A],
      observed: state([seen(A, { body: { content: "edited" }, attachments: ["ou-1"] })]),
      recorded: [rec(A)],
      autoRepair: () => false,
    });
    expect(p.drift.map((d) => d.kind).sort()).toEqual(["detached", "modified"]);
    expect(p.drift.every((d) => !d.repaired)).toBe(true);
    expect(p.changes).toEqual([]);
  });

  it("a guardrail edit is a deploy, not drift", () => {
    const A2 = scp("parapet-a", "A2", ["ou-1", "ou-2"]);
    const p = plan({ desired: [A2], observed: state([seen(A)]), recorded: [rec(A)], autoRepair: () => false });
    expect(p.drift).toEqual([]);
    expect(p.changes.map((c) => [c.change.op, c.cause])).toEqual([["update", "deploy"]]);
  });

  it("detects a detach and an unexpected attachment", () => {
    const p = plan({ desired: [A], observed: state([seen(A, { attachments: ["ou-1", "ou-9"] })]), recorded: [rec(A)] });
    expect(p.drift.map((d) => `${d.kind}:${d.target}`).sort()).toEqual(["detached:ou-2", "unexpected_attachment:ou-9"]);
    expect(p.changes.map((c) => `${c.change.op}:${"target" in c.change ? c.change.target : ""}`)).toEqual(["attach:ou-2", "detach:ou-9"]);
  });

  it("plans nothing from a failed read", () => {
    const p = plan({ desired: [A], observed: state([], [{ kind: "aws.scp", name: "parapet-a", reason: "timeout" }]), recorded: [rec(A)] });
    expect(p.changes).toEqual([]);
    expect(p.drift).toEqual([]);
    expect(p.unknown).toHaveLength(1);
  });

  it("skips attachments on an unreadable target", () => {
    const p = plan({
      desired: [A],
      observed: state([seen(A, { attachments: ["ou-1"] })], [{ target: "ou-2", reason: "denied" }]),
      recorded: [rec(A)],
    });
    expect(p.changes).toEqual([]);
  });

  it("removes owned artifacts no longer desired (including crash orphans), attach-before-detach", () => {
    const orphan = seen(scp("parapet-old", "O", ["ou-1"]));
    const p = plan({ desired: [B], observed: state([orphan]), recorded: [] });
    expect(p.changes.map((c) => `${c.change.op}:${"artifact" in c.change ? c.change.artifact.name : c.change.name}`)).toEqual([
      "create:parapet-b",
      "attach:parapet-b",
      "detach:parapet-old",
      "delete:parapet-old",
    ]);
  });

  it("while a provider limit refuses part of desired state, removes nothing and still deploys what fits", () => {
    // A's target could not take one more policy, so desired state lacks A: that must not remove A.
    const p = plan({ desired: [B], observed: state([seen(A)]), recorded: [rec(A)], holdCleanup: true });
    expect(p.changes.map((c) => `${c.change.op}:${"artifact" in c.change ? c.change.artifact.name : c.change.name}`)).toEqual([
      "create:parapet-b",
      "attach:parapet-b",
    ]);
    const shrunk = scp("parapet-a", "A", ["ou-1"]);
    expect(plan({ desired: [shrunk], observed: state([seen(A)]), recorded: [rec(A)], holdCleanup: true }).changes).toEqual([]);
  });

  it("while a guardrail fails to compile, keeps every artifact that carries it as it is", () => {
    // g2 failed to compile: desired state lacks it. Its own artifact stays; a shared one is not rewritten without it.
    const own = scp("parapet-own", "G2", ["ou-1"], ["g2"]);
    const sharedBefore = scp("parapet-shared", "G1+G2", ["ou-2"], ["g1", "g2"]);
    const sharedNow = scp("parapet-shared", "G1", ["ou-2"], ["g1"]);
    const held = new Set(["g2"]);
    const p = plan({
      desired: [sharedNow, B],
      observed: state([seen(own), seen(sharedBefore)]),
      recorded: [rec(own), rec(sharedBefore)],
      holdCleanup: true,
      holdGuardrails: held,
    });
    expect(p.changes.map((c) => `${c.change.op}:${"artifact" in c.change ? c.change.artifact.name : c.change.name}`)).toEqual([
      "create:parapet-b",
      "attach:parapet-b",
    ]);
    // The same shared artifact is rewritten once nothing is held (the guardrail was really removed).
    const free = plan({ desired: [sharedNow], observed: state([seen(sharedBefore)]), recorded: [rec(sharedBefore)] });
    expect(free.changes.map((c) => c.change.op)).toEqual(["update"]);
    // Drift on a shared artifact is still reported, but not "repaired" into a version without the held guardrail.
    const edited = seen(sharedBefore, { body: { content: "tampered" } });
    const d = plan({
      desired: [sharedNow],
      observed: state([edited]),
      recorded: [rec(sharedNow, { guardrailIds: ["g1", "g2"] })],
      holdCleanup: true,
      holdGuardrails: held,
    });
    expect(d.drift.map((x) => [x.kind, x.repaired])).toEqual([["modified", false]]);
    expect(d.changes).toEqual([]);
  });

  it("passes the recorded body on as previous to updates and removals (shared slots give back exactly it)", () => {
    const edited = scp("parapet-a", "A2", A.attachments);
    const up = plan({ desired: [edited], observed: state([seen(A)]), recorded: [rec(A, { content: A.body })] });
    expect(up.changes.map((c) => c.change)).toEqual([expect.objectContaining({ op: "update", previous: A.body })]);
    const gone = plan({ desired: [], observed: state([seen(B)]), recorded: [rec(B, { content: B.body })] });
    expect(gone.changes.map((c) => c.change)).toEqual([
      expect.objectContaining({ op: "detach", previous: B.body }),
      expect.objectContaining({ op: "delete", previous: B.body }),
    ]);
  });

  it("never touches artifacts it does not own", () => {
    const foreign = { ...seen(scp("parapet-x", "X", ["ou-1"])), owned: false };
    expect(plan({ desired: [], observed: state([foreign]) }).changes).toEqual([]);
  });
});
