import { describe, expect, it } from "vitest";
import { SCENARIO_FACTS } from "../catalog/fixtures.ts";
import { computeDesiredState, type DesiredInput, type DesiredNode } from "./desired-state.ts";
import { canonicalJson, type DesiredArtifact, type ObservedArtifact } from "@parapet/providers/contract";
import { desiredHash, planReconcile } from "./plan.ts";

/**
 * An artifact belongs to the guardrails that contribute to it, not to every guardrail attached at the
 * same node: the drift finding names that guardrail, and its remediation decides whether drift is put
 * back. Found by the demo: deleting the regions guardrail's GCP org policy (remediation "notify") was
 * repaired at once, because the audit-logging guardrail (auto) shared the organization node.
 */
const gcpNodes: DesiredNode[] = [
  {
    id: "n-org",
    externalId: `organizations/${SCENARIO_FACTS.gcp.organizationId}`,
    parentId: null,
    kind: "organization",
    name: "acme.example",
    isEnvironment: false,
    labels: {},
  },
  {
    id: "n-p1",
    externalId: "projects/1001",
    parentId: "n-org",
    kind: "project",
    name: "prod-1",
    isEnvironment: true,
    labels: { env: "prod" },
  },
  {
    id: "n-p2",
    externalId: "projects/1002",
    parentId: "n-org",
    kind: "project",
    name: "dev-1",
    isEnvironment: true,
    labels: { env: "dev" },
  },
];

const input: DesiredInput = {
  cloud: "gcp",
  workspaceId: "ws_owners",
  facts: SCENARIO_FACTS.gcp,
  principals: { connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/parapet@acme.iam.gserviceaccount.com"] },
  nodes: gcpNodes,
  guardrails: [
    { id: "g-audit", version: 1, controlId: "audit-logging-locked", params: {}, scope: { all: true }, mode: "enforce" },
    { id: "g-regions", version: 1, controlId: "restrict-regions", params: {}, scope: { all: true }, mode: "enforce" },
  ],
  exemptions: [],
};

describe("artifact ownership at a shared node (GCP)", () => {
  const d = computeDesiredState(input);

  it("the regions org policy belongs to the regions guardrail alone", () => {
    expect(d.problems).toEqual([]);
    const locations = d.artifacts.find((a) => a.kind === "gcp.org-policy" && a.name.endsWith("/policies/gcp.resourceLocations"));
    expect(locations?.guardrailIds).toEqual(["g-regions"]);
  });

  it("the deny policy belongs to the guardrails whose deny rules it carries", () => {
    const deny = d.artifacts.filter((a) => a.kind === "gcp.deny-policy");
    expect(deny.length).toBeGreaterThan(0);
    for (const a of deny) expect(a.guardrailIds).toEqual(["g-audit"]);
  });

  it("a deleted notify-mode org policy is reported, not recreated, while a deleted auto-mode deny policy is", () => {
    const isLocations = (a: DesiredArtifact) => a.kind === "gcp.org-policy" && a.name.endsWith("/policies/gcp.resourceLocations");
    const remediation = new Map([
      ["g-audit", "auto"],
      ["g-regions", "notify"],
    ]);
    const seen = (a: DesiredArtifact): ObservedArtifact => ({
      kind: a.kind,
      name: a.name,
      externalId: a.name,
      body: a.body,
      attachments: a.attachments,
      owned: true,
    });
    // Both were deployed (recorded); someone deleted both in the cloud.
    const gone = (a: DesiredArtifact) => isLocations(a) || a.kind === "gcp.deny-policy";
    const p = planReconcile({
      desired: d.artifacts,
      observed: { artifacts: d.artifacts.filter((a) => !gone(a)).map(seen), foreignSlots: {}, unreadable: [] },
      recorded: d.artifacts.map((a) => ({
        kind: a.kind,
        name: a.name,
        externalId: a.name,
        contentHash: desiredHash(a),
        attachments: a.attachments,
        guardrailIds: a.guardrailIds,
      })),
      compare: (a, o) =>
        canonicalJson(a.body) === canonicalJson(o.body) ? { equal: true } : { equal: false, kind: "modified", detail: "differs" },
      autoRepair: (gids) => gids.length === 0 || gids.some((g) => remediation.get(g) !== "notify"),
    });
    const created = new Set(
      p.changes.filter((c) => c.change.op === "create").map((c) => (c.change.op === "create" ? c.change.artifact.kind : "")),
    );
    expect(created.has("gcp.org-policy")).toBe(false);
    expect(created.has("gcp.deny-policy")).toBe(true);
    const locationsDrift = p.drift.find((x) => x.artifactKind === "gcp.org-policy");
    expect(locationsDrift).toMatchObject({ kind: "missing", repaired: false, guardrailIds: ["g-regions"] });
  });
});
