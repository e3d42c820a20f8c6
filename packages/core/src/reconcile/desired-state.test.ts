import { describe, expect, it } from "vitest";
import type { TAwsOrgPolicy } from "@parapet/providers/aws/types";
import { computeDesiredState, type DesiredInput, type DesiredNode } from "./desired-state.ts";

const nodes: DesiredNode[] = [
  { id: "n-root", externalId: "r-abcd", parentId: null, kind: "root", name: "Root", isEnvironment: false, labels: {} },
  {
    id: "n-prod",
    externalId: "ou-abcd-prod0001",
    parentId: "n-root",
    kind: "ou",
    name: "Prod",
    isEnvironment: false,
    labels: { env: "prod" },
  },
  { id: "n-p1", externalId: "111111111101", parentId: "n-prod", kind: "account", name: "p1", isEnvironment: true, labels: { env: "prod" } },
  { id: "n-p2", externalId: "111111111102", parentId: "n-prod", kind: "account", name: "p2", isEnvironment: true, labels: { env: "prod" } },
  {
    id: "n-dev",
    externalId: "ou-abcd-dev00001",
    parentId: "n-root",
    kind: "ou",
    name: "Dev",
    isEnvironment: false,
    labels: { env: "dev" },
  },
  { id: "n-d1", externalId: "111111111201", parentId: "n-dev", kind: "account", name: "d1", isEnvironment: true, labels: { env: "dev" } },
];

const base: DesiredInput = {
  cloud: "aws",
  workspaceId: "ws_test_1",
  facts: { orgId: "o-abcdefghij", managementAccountId: "999999999999" },
  principals: {},
  nodes,
  guardrails: [
    { id: "g-agent", version: 1, controlId: "agent-no-destructive-actions", params: {}, scope: { labels: "env=prod" }, mode: "enforce" },
  ],
  exemptions: [],
};

describe("desired state (AWS)", () => {
  it("attaches one packed SCP at the highest node covering the selection", () => {
    const d = computeDesiredState(base);
    expect(d.problems).toEqual([]);
    const scps = d.artifacts.filter((a) => a.kind === "aws.scp");
    expect(scps.length).toBeGreaterThanOrEqual(1);
    expect(new Set(scps.flatMap((a) => a.attachments))).toEqual(new Set(["ou-abcd-prod0001"]));
    for (const a of scps) expect((a.body as TAwsOrgPolicy).tags["parapet:managed"]).toBe("ws_test_1");
    const cov = d.coverage.filter((c) => c.guardrailId === "g-agent");
    expect(cov.map((c) => c.nodeId).sort()).toEqual(["n-p1", "n-p2"]);
    expect(cov.every((c) => c.status === "enforced" && c.requires.length > 0)).toBe(true);
  });

  it("is deterministic: same input, byte-identical artifacts", () => {
    expect(JSON.stringify(computeDesiredState(base))).toBe(JSON.stringify(computeDesiredState(structuredClone(base))));
  });

  it("an exemption removes exactly that environment and pushes the attachment down", () => {
    const d = computeDesiredState({ ...base, exemptions: [{ guardrailId: "g-agent", nodeId: "n-p2" }] });
    expect(new Set(d.artifacts.flatMap((a) => a.attachments))).toEqual(new Set(["111111111101"]));
    expect(d.coverage.find((c) => c.nodeId === "n-p2")?.status).toBe("exempt");
    expect(d.coverage.find((c) => c.nodeId === "n-p1")?.status).toBe("enforced");
  });

  it("audit mode compiles but attaches nothing, and reports audit coverage", () => {
    const d = computeDesiredState({ ...base, guardrails: [{ ...base.guardrails[0]!, mode: "audit" }] });
    expect(d.artifacts).toEqual([]);
    expect(d.coverage.every((c) => c.status === "audit")).toBe(true);
  });

  it("reports a limit problem at plan time when the target has no free slot", () => {
    const d = computeDesiredState({
      ...base,
      limits: { aws: { maxPoliciesPerTarget: 5 } },
      foreignSlots: { "ou-abcd-prod0001": { "aws.scp": 5 } },
    });
    expect(d.artifacts).toEqual([]);
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]).toMatchObject({ code: "limit", target: "ou-abcd-prod0001", guardrailIds: ["g-agent"] });
  });

  it("rejects a bad label expression for that guardrail only", () => {
    const d = computeDesiredState({
      ...base,
      guardrails: [
        ...base.guardrails,
        { id: "g-bad", version: 1, controlId: "deny-root-user", params: {}, scope: { labels: "env=" }, mode: "enforce" },
      ],
    });
    expect(d.problems.map((p) => p.guardrailIds)).toEqual([["g-bad"]]);
    expect(d.artifacts.length).toBeGreaterThan(0);
  });
});

describe("desired state (OCI security zones)", () => {
  const tenancy = "ocid1.tenancy.oc1..aaaaaaaatenancy";
  const ociNodes: DesiredNode[] = [
    { id: "o-root", externalId: tenancy, parentId: null, kind: "tenancy", name: "acme", isEnvironment: false, labels: {} },
    {
      id: "o-prod",
      externalId: "ocid1.compartment.oc1..aaaaaaaaprod",
      parentId: "o-root",
      kind: "compartment",
      name: "Prod",
      isEnvironment: true,
      labels: { env: "prod" },
    },
    {
      id: "o-dev",
      externalId: "ocid1.compartment.oc1..aaaaaaaadev",
      parentId: "o-root",
      kind: "compartment",
      name: "Dev",
      isEnvironment: true,
      labels: { env: "dev" },
    },
  ];
  const oci = (scope: DesiredInput["guardrails"][number]["scope"]): DesiredInput => ({
    cloud: "oci",
    workspaceId: "ws_test_1",
    facts: { tenancyOcid: tenancy },
    principals: {},
    nodes: ociNodes,
    guardrails: [{ id: "g-public", version: 1, controlId: "no-public-data", params: {}, scope, mode: "enforce" }],
    exemptions: [],
  });

  it("never places a security zone on the root compartment (Cloud Guard would delete every target): an unscoped guardrail's zones go on the top-level compartments", () => {
    const d = computeDesiredState(oci({ all: true }));
    expect(d.problems).toEqual([]);
    const zones = d.artifacts.filter((a) => a.kind === "oci.security-zone");
    expect(zones.flatMap((a) => a.attachments)).toEqual(["ocid1.compartment.oc1..aaaaaaaadev", "ocid1.compartment.oc1..aaaaaaaaprod"]);
    expect(zones.flatMap((a) => a.attachments)).not.toContain(tenancy);
  });

  it("says so in the plan when the tenancy has no compartment to put the zone on", () => {
    const d = computeDesiredState({ ...oci({ all: true }), nodes: [{ ...ociNodes[0]!, isEnvironment: true }] });
    expect(d.artifacts.filter((a) => a.kind === "oci.security-zone")).toEqual([]);
    expect(d.problems).toEqual([
      expect.objectContaining({
        code: "limit",
        guardrailIds: ["g-public"],
        target: tenancy,
        message: expect.stringContaining("delete every Cloud Guard target") as unknown,
      }),
    ]);
  });

  it("places the zone on the scoped compartment", () => {
    const d = computeDesiredState(oci({ labels: "env=prod" }));
    expect(d.problems).toEqual([]);
    expect(d.artifacts.filter((a) => a.kind === "oci.security-zone").flatMap((a) => a.attachments)).toEqual([
      "ocid1.compartment.oc1..aaaaaaaaprod",
    ]);
  });
});
