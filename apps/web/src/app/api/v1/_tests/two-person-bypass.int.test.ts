/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * The two-person rule cannot be stepped around: relabelling an environment out of a guardrail (in
 * Parapet or by retagging it in the cloud), or widening who every deny spares, waits for a second
 * member like narrowing the guardrail itself would; principal classes that name everyone are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { syncHierarchy } from "@parapet/core/connections/sync-hierarchy";
import { call } from "./harness.ts";
import { awsCredentials, createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;
let prodGuardrail: string;

/** The hierarchy the world was seeded with (world-seed.ts), with the prod OU's cloud tags replaced. */
function hierarchy(prodTags: Record<string, string>) {
  return {
    rootExternalId: "r-abcd",
    nodes: [
      { externalId: "r-abcd", kind: "root", name: "Root", parentExternalId: null, isEnvironment: false, labels: {} },
      { externalId: "ou-abcd-prod0001", kind: "ou", name: "Prod", parentExternalId: "r-abcd", isEnvironment: false, labels: prodTags },
      { externalId: "ou-abcd-dev00001", kind: "ou", name: "Dev", parentExternalId: "r-abcd", isEnvironment: false, labels: { env: "dev" } },
      {
        externalId: "222233334444",
        kind: "account",
        name: "payments-prod",
        parentExternalId: "ou-abcd-prod0001",
        isEnvironment: true,
        labels: { data: "regulated" },
      },
      {
        externalId: "222233335555",
        kind: "account",
        name: "web-prod",
        parentExternalId: "ou-abcd-prod0001",
        isEnvironment: true,
        labels: {},
      },
      {
        externalId: "222233336666",
        kind: "account",
        name: "sandbox",
        parentExternalId: "ou-abcd-dev00001",
        isEnvironment: true,
        labels: {},
      },
    ],
  };
}

const labelsOf = async (id: string) => (await prisma.node.findUniqueOrThrow({ where: { id } })).effectiveLabels as Record<string, string>;
const principalsOf = async () => (await prisma.connection.findUniqueOrThrow({ where: { id: w.connectionId } })).principals;

beforeAll(async () => {
  w = await createWorld(prisma, "Bypass");
  const g = await call("POST", "/guardrails", {
    key: w.members.author.key,
    body: {
      controlId: "deny-root-user",
      name: "Prod: no root user",
      params: {},
      scope: { labels: "env=prod" },
      mode: "enforce",
      remediation: "auto",
    },
  });
  expect(g.status, g.text).toBe(201);
  prodGuardrail = g.body.id as string;
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

describe("relabelling an environment out of a guardrail", () => {
  it("env=prod → env=dev waits for a second member; a relabel that loses nothing applies at once", async () => {
    const req = await call("PATCH", "/nodes/{id}/labels", {
      key: w.members.author.key,
      params: { id: w.nodes.prod },
      body: { overrides: { env: "dev" } },
    });
    expect(req.status, req.text).toBe(202);
    expect(req.body.approval).toMatchObject({ action: "node.labels", subjectType: "node", subjectId: w.nodes.prod, status: "pending" });
    expect(req.body.approval.reasons).toEqual([
      'coverage: "Prod: no root user" would no longer cover 2 environments (payments-prod, web-prod)',
    ]);
    // Nothing changed: both accounts are still prod, still in the guardrail's scope.
    expect(await labelsOf(w.nodes.p1)).toMatchObject({ env: "prod" });
    const again = await call("PATCH", "/nodes/{id}/labels", {
      key: w.members.admin.key,
      params: { id: w.nodes.prod },
      body: { overrides: { env: "staging" } },
    });
    expect(again.status).toBe(409);

    const self = await call("POST", "/approvals/{id}/approve", {
      key: w.members.author.key,
      params: { id: req.body.approval.id },
      body: {},
    });
    expect(self.status).toBe(403);
    const ok = await call("POST", "/approvals/{id}/approve", {
      key: w.members.approver.key,
      params: { id: req.body.approval.id },
      body: {},
    });
    expect(ok.status, ok.text).toBe(200);
    expect(await labelsOf(w.nodes.p1)).toMatchObject({ env: "dev" });
    expect(await labelsOf(w.nodes.p2)).toMatchObject({ env: "dev" });

    // Back to prod adds coverage; a label no scope reads loses none: both apply directly.
    const back = await call("PATCH", "/nodes/{id}/labels", {
      key: w.members.author.key,
      params: { id: w.nodes.prod },
      body: { overrides: {} },
    });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toMatchObject({ id: w.nodes.prod });
    const team = await call("PATCH", "/nodes/{id}/labels", {
      key: w.members.author.key,
      params: { id: w.nodes.p1 },
      body: { overrides: { team: "payments" } },
    });
    expect(team.status, team.text).toBe(200);
    expect(await labelsOf(w.nodes.p1)).toMatchObject({ env: "prod", team: "payments" });
  });

  it("a cloud retag that would leave a guardrail is held, with a finding and an audit event, until a member approves dropping it", async () => {
    await syncHierarchy(prisma, w.id, w.connectionId, hierarchy({ env: "dev" }));
    // Both prod accounts keep env=prod (pinned on each), so the guardrail still covers them.
    for (const id of [w.nodes.p1, w.nodes.p2]) expect(await labelsOf(id)).toMatchObject({ env: "prod" });
    const prodNode = await prisma.node.findUniqueOrThrow({ where: { id: w.nodes.prod } });
    expect(prodNode.cloudLabels).toEqual({ env: "dev" });
    const p2 = await prisma.node.findUniqueOrThrow({ where: { id: w.nodes.p2 } });
    expect(p2.labelOverrides).toEqual({ env: "prod" });

    const drift = await call("GET", "/drift", { key: w.members.viewer.key, query: { kind: "label_held", status: "open" } });
    expect(drift.status, drift.text).toBe(200);
    const held = drift.body.items.filter((f: { node?: { id: string } | null; nodeId?: string }) =>
      [w.nodes.p1, w.nodes.p2].includes(f.node?.id ?? f.nodeId ?? ""),
    );
    expect(held).toHaveLength(2);
    const audit = await prisma.auditEvent.findMany({ where: { workspaceId: w.id, action: "node.labels_held" } });
    expect(audit.map((a) => a.targetId).sort()).toEqual([w.nodes.p1, w.nodes.p2].sort());
    expect(audit[0]!.data).toMatchObject({ held: { env: "prod" }, guardrails: ["Prod: no root user"] });

    // A second discovery with the same tags holds nothing new.
    await syncHierarchy(prisma, w.id, w.connectionId, hierarchy({ env: "dev" }));
    expect(await prisma.auditEvent.count({ where: { workspaceId: w.id, action: "node.labels_held" } })).toBe(2);

    // Accepting the cloud's value means dropping the pin: a relabel that loses coverage, so an approval.
    const req = await call("PATCH", "/nodes/{id}/labels", {
      key: w.members.author.key,
      params: { id: w.nodes.p2 },
      body: { overrides: {} },
    });
    expect(req.status, req.text).toBe(202);
    expect(req.body.approval.reasons).toEqual(['coverage: "Prod: no root user" would no longer cover 1 environment (web-prod)']);
    const ok = await call("POST", "/approvals/{id}/approve", {
      key: w.members.approver.key,
      params: { id: req.body.approval.id },
      body: {},
    });
    expect(ok.status, ok.text).toBe(200);
    expect(await labelsOf(w.nodes.p2)).toMatchObject({ env: "dev" });
    const settled = await prisma.driftFinding.findFirstOrThrow({ where: { nodeId: w.nodes.p2, kind: "label_held" } });
    expect(settled).toMatchObject({ status: "resolved", resolution: "manual" });

    // The cloud tags back to prod: nothing is lost, nothing held.
    await syncHierarchy(prisma, w.id, w.connectionId, hierarchy({ env: "prod" }));
    expect(await labelsOf(w.nodes.p2)).toMatchObject({ env: "prod" });
    expect(await prisma.auditEvent.count({ where: { workspaceId: w.id, action: "node.labels_held" } })).toBe(2);
  });
});

describe("principal classes that feed exemptions", () => {
  it("wildcard-only patterns are refused with a 422 naming the field, on update and on create", async () => {
    for (const [pattern, field] of [
      ["arn:aws:iam::*:role/*", "principals.breakGlass.roleArnPatterns.0"],
      ["arn:aws:iam::*:*", "principals.breakGlass.roleArnPatterns.0"],
      ["arn:aws:iam::*:r*", "principals.breakGlass.roleArnPatterns.0"],
      ["arn:aws:iam::123456789012:role/*/*", "principals.breakGlass.roleArnPatterns.0"],
    ] as const) {
      const r = await call("PATCH", "/connections/{id}", {
        key: w.members.admin.key,
        params: { id: w.connectionId },
        body: { principals: { breakGlass: { roleArnPatterns: [pattern] } } },
      });
      expect(r.status, `${pattern}: ${r.text}`).toBe(422);
      expect(r.body.error.message).toMatch(new RegExp(`^${field.replace(/\./g, "\\.")}: "`));
    }
    const subject = await call("PATCH", "/connections/{id}", {
      key: w.members.admin.key,
      params: { id: w.connectionId },
      body: { principals: { agents: { roleArnPatterns: ["arn:aws:iam::*:role/Agent", "arn:aws:sts::*:assumed-role/*"] } } },
    });
    expect(subject.status).toBe(422);
    expect(subject.body.error.message).toMatch(/^principals\.agents\.roleArnPatterns\.1: /);
    expect(await principalsOf()).toEqual({});

    const created = await call("POST", "/connections", {
      key: w.members.owner.key,
      body: {
        cloud: "aws",
        name: "Other org",
        credentials: await awsCredentials(w.members.owner.key),
        facts: { orgId: "o-zzzzzzzzzz", managementAccountId: "999988887777" },
        principals: { connector: { roleArnPatterns: ["arn:aws:iam::*:*"] } },
      },
    });
    expect(created.status).toBe(422);
    expect(created.body.error.message).toMatch(/^principals\.connector\.roleArnPatterns\.0: /);
  });

  it("widening break-glass waits for a second member; narrowing it applies at once", async () => {
    const wide = { breakGlass: { roleArnPatterns: ["arn:aws:iam::*:role/BreakGlass*", "arn:aws:iam::*:role/Ops*"] } };
    const req = await call("PATCH", "/connections/{id}", {
      key: w.members.admin.key,
      params: { id: w.connectionId },
      body: { principals: wide, name: "Bypass org (renamed)" },
    });
    expect(req.status, req.text).toBe(202);
    expect(req.body.approval).toMatchObject({ action: "connection.principals", subjectType: "connection", subjectId: w.connectionId });
    expect(req.body.approval.reasons).toEqual(["principals.breakGlass: every deny would also spare arn:aws:iam::*:role/Ops*"]);
    // The rename applied; the principal classes did not.
    expect(req.body.connection.name).toBe("Bypass org (renamed)");
    expect(await principalsOf()).toEqual({});

    expect(
      (await call("POST", "/approvals/{id}/approve", { key: w.members.admin.key, params: { id: req.body.approval.id }, body: {} })).status,
    ).toBe(403);
    const ok = await call("POST", "/approvals/{id}/approve", {
      key: w.members.approver.key,
      params: { id: req.body.approval.id },
      body: {},
    });
    expect(ok.status, ok.text).toBe(200);
    expect(await principalsOf()).toEqual(wide);

    // A pattern inside one already spared (BreakGlass* covers BreakGlassEU*) and dropping one: no approval.
    const narrower = { breakGlass: { roleArnPatterns: ["arn:aws:iam::*:role/BreakGlassEU*"] } };
    const direct = await call("PATCH", "/connections/{id}", {
      key: w.members.admin.key,
      params: { id: w.connectionId },
      body: { principals: narrower },
    });
    expect(direct.status, direct.text).toBe(200);
    expect(await principalsOf()).toEqual(narrower);

    // Narrowing a class a deny is aimed at (agents) weakens too, once a guardrail compiles it.
    const agentsGuardrail = await call("POST", "/guardrails", {
      key: w.members.author.key,
      body: {
        controlId: "agent-no-destructive-actions",
        name: "agents",
        params: {},
        scope: { all: true },
        mode: "enforce",
        remediation: "auto",
      },
    });
    expect(agentsGuardrail.status, agentsGuardrail.text).toBe(201);
    const fewerAgents = await call("PATCH", "/connections/{id}", {
      key: w.members.admin.key,
      params: { id: w.connectionId },
      body: { principals: { ...narrower, agents: { tag: { key: "agent", value: "yes" } } } },
    });
    expect(fewerAgents.status, fewerAgents.text).toBe(202);
    expect(fewerAgents.body.approval.reasons).toEqual([
      "principals.agents: denies aimed at this class would no longer reach tag:agent=true",
    ]);
    expect(prodGuardrail).toBeTruthy();
  });
});
