/**
 * A rollout in desired state (pure): the reached environments get the guardrail in enforce, the rest of
 * its scope in audit, each set attached as high as its own selection allows; coverage says which.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson, type Difference, type DesiredArtifact, type ObservedArtifact } from "@parapet/providers/contract";
import { computeDesiredState, type DesiredInput, type DesiredNode } from "../reconcile/desired-state.ts";
import { desiredHash, planReconcile } from "../reconcile/plan.ts";
import { reachOf } from "./reach.ts";
import type { TRolloutStage } from "./rollouts.schema.ts";

const acct = (id: string, ext: string, parent: string, env: string): DesiredNode => ({
  id,
  externalId: ext,
  parentId: parent,
  kind: "account",
  name: id,
  isEnvironment: true,
  labels: { env },
});
const ou = (id: string, ext: string, env: string): DesiredNode => ({
  id,
  externalId: ext,
  parentId: "n-root",
  kind: "ou",
  name: id,
  isEnvironment: false,
  labels: { env },
});
const nodes: DesiredNode[] = [
  { id: "n-root", externalId: "r-abcd", parentId: null, kind: "root", name: "Root", isEnvironment: false, labels: {} },
  ou("n-prod", "ou-abcd-prod0001", "prod"),
  acct("n-p1", "111111111101", "n-prod", "prod"),
  acct("n-p2", "111111111102", "n-prod", "prod"),
  ou("n-dev", "ou-abcd-dev00001", "dev"),
  acct("n-d1", "111111111201", "n-dev", "dev"),
  acct("n-d2", "111111111202", "n-dev", "dev"),
];

const stages: TRolloutStage[] = [
  { kind: "canary", labels: "env=dev", soakMinutes: 60 },
  { kind: "wave", percent: 50, soakMinutes: 60 },
  { kind: "everywhere", soakMinutes: 60 },
];

const aws = (stage: number | null, mode: "audit" | "enforce" = "enforce"): DesiredInput => ({
  cloud: "aws",
  workspaceId: "ws_test_1",
  facts: { orgId: "o-abcdefghij", managementAccountId: "999999999999" },
  principals: {},
  nodes,
  guardrails: [
    {
      id: "g-agent",
      version: 2,
      controlId: "agent-no-destructive-actions",
      params: {},
      scope: { all: true },
      mode,
      ...(stage === null ? {} : { rollout: reachOf("g-agent", stages, stage) }),
    },
  ],
  exemptions: [],
});

const statusOf = (d: ReturnType<typeof computeDesiredState>) =>
  Object.fromEntries(d.coverage.filter((c) => c.guardrailId === "g-agent").map((c) => [c.nodeId, c.status]));
const scpTargets = (d: ReturnType<typeof computeDesiredState>) =>
  [...new Set(d.artifacts.filter((a) => a.kind === "aws.scp").flatMap((a) => a.attachments))].sort();

describe("desired state with a rollout (AWS)", () => {
  it("canary: enforce attaches once at the OU whose every environment the canary reached; the rest stays audit", () => {
    const d = computeDesiredState(aws(0));
    expect(d.problems).toEqual([]);
    expect(scpTargets(d)).toEqual(["ou-abcd-dev00001"]);
    expect(statusOf(d)).toEqual({ "n-d1": "enforced", "n-d2": "enforced", "n-p1": "audit", "n-p2": "audit" });
    for (const c of d.coverage.filter((x) => x.status === "enforced"))
      expect(c.requires.map((r) => r.target)).toEqual(["ou-abcd-dev00001"]);
  });

  it("a wave adds half of the scope's environments (deterministically) to the canary's", () => {
    const a = computeDesiredState(aws(1));
    const enforced = Object.entries(statusOf(a))
      .filter(([, s]) => s === "enforced")
      .map(([id]) => id);
    // The canary's two dev accounts plus ceil(4 × 50%) = 2 ranked ones, which may overlap them.
    expect(enforced).toEqual(expect.arrayContaining(["n-d1", "n-d2"]));
    expect(enforced.length).toBeGreaterThanOrEqual(2);
    expect(enforced.length).toBeLessThanOrEqual(4);
    expect(JSON.stringify(computeDesiredState(aws(1)))).toBe(JSON.stringify(a));
  });

  it("waves only grow: every environment enforced at a smaller percent stays enforced at a larger one", () => {
    const big: DesiredNode[] = [nodes[0]!, nodes[1]!];
    for (let i = 0; i < 40; i++) big.push(acct(`n-a${i}`, String(100000000000 + i), "n-prod", "prod"));
    let prev = new Set<string>();
    for (const percent of [10, 25, 50, 75, 99]) {
      const input = { ...aws(0), nodes: big };
      input.guardrails = [{ ...input.guardrails[0]!, rollout: reachOf("g-agent", [{ kind: "wave", percent }], 0) }];
      const enforced = new Set(
        computeDesiredState(input)
          .coverage.filter((c) => c.status === "enforced")
          .map((c) => c.nodeId),
      );
      expect(enforced.size).toBe(Math.ceil((40 * percent) / 100));
      for (const id of prev) expect(enforced.has(id)).toBe(true);
      prev = enforced;
    }
  });

  it("everywhere is the same desired state as the enforce version without a rollout (one attachment at the root)", () => {
    const staged = computeDesiredState(aws(2));
    const plain = computeDesiredState(aws(null));
    expect(staged).toEqual(plain);
    expect(scpTargets(plain)).toEqual(["r-abcd"]);
  });

  it("a rollout on an audit version changes nothing (the guardrail is audit everywhere)", () => {
    expect(computeDesiredState(aws(2, "audit"))).toEqual(computeDesiredState(aws(null, "audit")));
  });

  it("an exemption inside the reached set is reported once, as exempt, and pushes the attachment down", () => {
    const d = computeDesiredState({ ...aws(0), exemptions: [{ guardrailId: "g-agent", nodeId: "n-d2" }] });
    expect(scpTargets(d)).toEqual(["111111111201"]);
    expect(d.coverage.filter((c) => c.nodeId === "n-d2").map((c) => c.status)).toEqual(["exempt"]);
  });

  it("steady state with a rollout plans zero changes", () => {
    const d = computeDesiredState(aws(1));
    const seen = (a: DesiredArtifact): ObservedArtifact => ({
      kind: a.kind,
      name: a.name,
      externalId: `x-${a.name}`,
      body: a.body,
      attachments: a.attachments,
      owned: true,
    });
    const compare = (a: DesiredArtifact, o: ObservedArtifact): Difference =>
      canonicalJson(a.body) === canonicalJson(o.body) ? { equal: true } : { equal: false, kind: "modified", detail: "content differs" };
    const again = computeDesiredState(aws(1));
    const plan = planReconcile({
      desired: again.artifacts,
      observed: { artifacts: d.artifacts.map(seen), foreignSlots: {}, unreadable: [] },
      recorded: d.artifacts.map((a) => ({
        kind: a.kind,
        name: a.name,
        externalId: `x-${a.name}`,
        contentHash: desiredHash(a),
        attachments: a.attachments,
        guardrailIds: a.guardrailIds,
      })),
      compare,
      autoRepair: () => true,
    });
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
  });
});

describe("desired state with a rollout (Azure)", () => {
  const azNodes: DesiredNode[] = [
    {
      id: "z-root",
      externalId: "/providers/Microsoft.Management/managementGroups/root",
      parentId: null,
      kind: "managementGroup",
      name: "root",
      isEnvironment: false,
      labels: {},
    },
    {
      id: "z-prod",
      externalId: "/providers/Microsoft.Management/managementGroups/prod",
      parentId: "z-root",
      kind: "managementGroup",
      name: "prod",
      isEnvironment: false,
      labels: { env: "prod" },
    },
    {
      id: "z-s1",
      externalId: "/subscriptions/00000000-0000-0000-0000-000000000001",
      parentId: "z-prod",
      kind: "subscription",
      name: "s1",
      isEnvironment: true,
      labels: { env: "prod" },
    },
    {
      id: "z-dev",
      externalId: "/providers/Microsoft.Management/managementGroups/dev",
      parentId: "z-root",
      kind: "managementGroup",
      name: "dev",
      isEnvironment: false,
      labels: { env: "dev" },
    },
    {
      id: "z-s2",
      externalId: "/subscriptions/00000000-0000-0000-0000-000000000002",
      parentId: "z-dev",
      kind: "subscription",
      name: "s2",
      isEnvironment: true,
      labels: { env: "dev" },
    },
  ];
  it("assigns Default enforcement where the canary reached and DoNotEnforce on the rest, sharing one definition", () => {
    const d = computeDesiredState({
      cloud: "azure",
      workspaceId: "ws_test_1",
      facts: { tenantId: "00000000-0000-0000-0000-0000000000aa", rootManagementGroupId: "root" },
      principals: {},
      nodes: azNodes,
      guardrails: [
        {
          id: "g-agent",
          version: 2,
          controlId: "agent-no-destructive-actions",
          params: {},
          scope: { all: true },
          mode: "enforce",
          rollout: reachOf("g-agent", stages, 0),
        },
      ],
      exemptions: [],
    });
    expect(d.problems).toEqual([]);
    const modes = Object.fromEntries(
      d.artifacts
        .filter((a) => a.kind === "azure.policy-assignment")
        .map((a): [string, string] => [
          a.attachments[0] ?? "",
          (a.body as { properties: { enforcementMode: string } }).properties.enforcementMode,
        ]),
    );
    expect(modes).toEqual({
      "providers/Microsoft.Management/managementGroups/dev": "Default",
      "providers/Microsoft.Management/managementGroups/prod": "DoNotEnforce",
    });
    expect(statusOf(d)).toEqual({ "z-s1": "audit", "z-s2": "enforced" });
    const defs = d.artifacts.filter((a) => a.kind === "azure.policy-definition");
    expect(new Set(defs.map((a) => a.name)).size).toBe(defs.length);
  });
});
