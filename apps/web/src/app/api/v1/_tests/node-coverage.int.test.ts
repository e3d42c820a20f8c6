/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * The environments page's reads: per node, which guardrails apply, where each is attached and its
 * status (GET /nodes/{id}/coverage), and the coverage matrix in hierarchy order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;

beforeAll(async () => {
  w = await createWorld(prisma, "Coverage by node");
  const cell = (nodeId: string, status: "enforced" | "drifted" | "exempt", detail: string | null = null) => ({
    workspaceId: w.id,
    connectionId: w.connectionId,
    guardrailId: w.guardrailId,
    nodeId,
    status,
    fidelity: "enforced",
    detail,
  });
  await prisma.coverageRow.createMany({
    data: [
      cell(w.nodes.p1, "enforced"),
      cell(w.nodes.p2, "drifted", "parapet-scp-1 is not in place on ou-abcd-prod0001"),
      cell(w.nodes.d1, "exempt"),
    ],
  });
  // What a reconcile records: one SCP carrying the guardrail, attached at the Prod OU (and, for the
  // Dev OU, nothing: its only account is exempt). A definition-like artifact never counts as attached.
  await prisma.artifact.createMany({
    data: [
      {
        workspaceId: w.id,
        connectionId: w.connectionId,
        kind: "aws.scp",
        name: "parapet-scp-1",
        contentHash: "h1",
        content: {},
        attachments: ["ou-abcd-prod0001"],
        guardrailIds: [w.guardrailId],
        state: "applied",
      },
      {
        workspaceId: w.id,
        connectionId: w.connectionId,
        kind: "gcp.custom-constraint",
        name: "custom.x",
        contentHash: "h2",
        content: {},
        attachments: ["r-abcd"],
        guardrailIds: [w.guardrailId],
        state: "applied",
      },
    ],
  });
  await prisma.exemption.update({ where: { id: w.exemptionId }, data: { status: "active" } });
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

describe("GET /nodes/{id}/coverage", () => {
  it("shows an environment's status and the attachment point above it", async () => {
    const r = await call("GET", "/nodes/{id}/coverage", { key: w.members.viewer.key, params: { id: w.nodes.p1 } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.node).toMatchObject({ id: w.nodes.p1, name: "payments-prod", isEnvironment: true });
    expect(r.body.node.path.map((p: { name: string }) => p.name)).toEqual(["Root", "Prod"]);
    expect(r.body.items).toHaveLength(1);
    const [g] = r.body.items;
    expect(g.guardrail).toMatchObject({ id: w.guardrailId, name: "No leaving the org", mode: "enforce", remediation: "auto" });
    expect(g.status).toBe("enforced");
    expect(g.counts).toBeNull();
    expect(g.attachedAt).toEqual([
      {
        node: { id: w.nodes.prod, name: "Prod", kind: "ou", externalId: "ou-abcd-prod0001" },
        here: false,
        artifacts: [{ kind: "aws.scp", name: "parapet-scp-1", state: "applied" }],
      },
    ]);
  });

  it("explains a drifted cell and an exempt one (with the exemption and where it was granted)", async () => {
    const drifted = await call("GET", "/nodes/{id}/coverage", { key: w.members.viewer.key, params: { id: w.nodes.p2 } });
    expect(drifted.body.items[0]).toMatchObject({ status: "drifted", detail: "parapet-scp-1 is not in place on ou-abcd-prod0001" });
    const exempt = await call("GET", "/nodes/{id}/coverage", { key: w.members.viewer.key, params: { id: w.nodes.d1 } });
    expect(exempt.body.items[0].status).toBe("exempt");
    expect(exempt.body.items[0].attachedAt).toEqual([]);
    expect(exempt.body.items[0].exemptions).toEqual([
      expect.objectContaining({ id: w.exemptionId, node: expect.objectContaining({ id: w.nodes.d1 }), reason: "migration in progress" }),
    ]);
  });

  it("summarises the environments below a folder and marks an attachment made there", async () => {
    const prod = await call("GET", "/nodes/{id}/coverage", { key: w.members.viewer.key, params: { id: w.nodes.prod } });
    expect(prod.body.items[0].status).toBeNull();
    expect(prod.body.items[0].counts).toEqual({ enforced: 1, drifted: 1 });
    expect(prod.body.items[0].attachedAt[0]).toMatchObject({ here: true, node: { id: w.nodes.prod } });
    const root = await call("GET", "/nodes/{id}/coverage", { key: w.members.viewer.key, params: { id: w.nodes.root } });
    expect(root.body.items[0].counts).toEqual({ enforced: 1, drifted: 1, exempt: 1 });
    // The custom constraint is declared at the root, but it attaches nothing.
    expect(root.body.items[0].attachedAt).toEqual([]);
  });

  it("answers 404 for an unknown node and 401 without a key", async () => {
    expect((await call("GET", "/nodes/{id}/coverage", { key: w.members.viewer.key, params: { id: "no-such-node" } })).status).toBe(404);
    expect((await call("GET", "/nodes/{id}/coverage", { params: { id: w.nodes.p1 } })).status).toBe(401);
  });
});

describe("GET /coverage/matrix order", () => {
  it("pages environments in hierarchy order (siblings by name) with their path and parent", async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await call("GET", "/coverage/matrix", {
        key: w.members.viewer.key,
        query: { limit: "1", connectionId: w.connectionId, ...(cursor ? { cursor } : {}) },
      });
      expect(r.status, r.text).toBe(200);
      ids.push(...r.body.items.map((i: { node: { id: string } }) => i.node.id));
      if (r.body.items[0]?.node.id === w.nodes.d1)
        expect(r.body.items[0].node).toMatchObject({ path: ["Root", "Dev"], parentId: w.nodes.dev });
      cursor = r.body.nextCursor ?? undefined;
    } while (cursor);
    // Dev before Prod; payments-prod before web-prod.
    expect(ids).toEqual([w.nodes.d1, w.nodes.p1, w.nodes.p2]);
    const drifted = await call("GET", "/coverage/matrix", { key: w.members.viewer.key, query: { status: "enforced" } });
    expect(drifted.body.items.map((i: { node: { id: string } }) => i.node.id)).toEqual([w.nodes.p1]);
  });
});
