import { describe, expect, it } from "vitest";
import type { DesiredArtifact, ObservedArtifact } from "@parapet/providers/contract";
import { contentDrift, detachedDrift, fingerprintArtifactName, missingArtifactDrift, unexpectedAttachmentDrift } from "./detect-drift.ts";

const d: DesiredArtifact = {
  kind: "aws.scp",
  name: "parapet-a",
  body: { content: "A" },
  attachments: ["ou-1"],
  guardrailIds: ["g1", "g2"],
};
const o: ObservedArtifact = {
  kind: "aws.scp",
  name: "parapet-a",
  externalId: "p-1",
  body: { content: "B" },
  attachments: ["ou-1"],
  owned: true,
};
const applied = { externalId: "p-1", deployed: true };

describe("drift detection", () => {
  describe("a missing artifact", () => {
    it("is drift when Parapet applied exactly this content and the cloud gave it an id", () => {
      expect(missingArtifactDrift(d, applied, false)).toEqual({
        kind: "missing",
        artifactKind: "aws.scp",
        name: "parapet-a",
        guardrailIds: ["g1", "g2"],
        fingerprint: "missing|aws.scp|parapet-a",
        summary: "aws.scp parapet-a was deleted outside Parapet",
        expected: { content: "A" },
        repaired: false,
      });
    });

    it("is a deploy when Parapet never recorded it, recorded other content, or never got an id back", () => {
      expect(missingArtifactDrift(d, undefined, true)).toBeNull();
      expect(missingArtifactDrift(d, { externalId: "p-1", deployed: false }, true)).toBeNull();
      expect(missingArtifactDrift(d, { externalId: null, deployed: true }, true)).toBeNull();
    });
  });

  describe("changed content", () => {
    it("is drift when desired is what Parapet applied last, named after how it changed", () => {
      const weakened = contentDrift(d, o, { equal: false, kind: "weakened", detail: "a statement was removed" }, applied, true);
      expect(weakened).toMatchObject({
        kind: "weakened",
        fingerprint: "weakened|aws.scp|parapet-a",
        summary: "aws.scp parapet-a was weakened outside Parapet: a statement was removed",
        expected: { content: "A" },
        observed: { content: "B" },
        repaired: true,
      });
      const edited = contentDrift(d, o, { equal: false, kind: "modified", detail: "content differs" }, applied, false);
      expect(edited?.summary).toBe("aws.scp parapet-a was edited outside Parapet: content differs");
      expect(edited?.fingerprint).toBe("modified|aws.scp|parapet-a");
    });

    it("is a deploy when desired moved on since Parapet last applied", () => {
      expect(contentDrift(d, o, { equal: false, kind: "modified", detail: "x" }, { externalId: "p-1", deployed: false }, true)).toBeNull();
      expect(contentDrift(d, o, { equal: false, kind: "modified", detail: "x" }, undefined, true)).toBeNull();
    });
  });

  describe("attachments", () => {
    it("a desired attachment that is gone is drift only if Parapet recorded attaching it", () => {
      expect(detachedDrift(d, "ou-1", new Set(["ou-1"]), true)).toMatchObject({
        kind: "detached",
        target: "ou-1",
        fingerprint: "detached|aws.scp|parapet-a|ou-1",
        summary: "aws.scp parapet-a was detached from ou-1 outside Parapet",
        repaired: true,
      });
      expect(detachedDrift(d, "ou-1", new Set(), true)).toBeNull();
    });

    it("an attachment nobody asked for is drift only if Parapet did not record it", () => {
      expect(unexpectedAttachmentDrift(d, "ou-9", new Set(), false)).toMatchObject({
        kind: "unexpected_attachment",
        target: "ou-9",
        fingerprint: "unexpected|aws.scp|parapet-a|ou-9",
        summary: "aws.scp parapet-a was attached to ou-9 outside Parapet",
        repaired: false,
      });
      // Recorded: Parapet attached it and no longer wants it there — a cleanup, not drift.
      expect(unexpectedAttachmentDrift(d, "ou-9", new Set(["ou-9"]), true)).toBeNull();
    });
  });

  it("reads the artifact name back out of every fingerprint shape", () => {
    const shapes = [
      missingArtifactDrift(d, applied, false)!,
      contentDrift(d, o, { equal: false, kind: "modified", detail: "x" }, applied, false)!,
      detachedDrift(d, "ou-1", new Set(["ou-1"]), false)!,
      unexpectedAttachmentDrift(d, "ou-9", new Set(), false)!,
    ];
    expect(shapes.map((s) => fingerprintArtifactName(s.fingerprint))).toEqual(["parapet-a", "parapet-a", "parapet-a", "parapet-a"]);
    expect(fingerprintArtifactName("uncovered|node-1")).toBeUndefined();
  });
});
