/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON, checked by the assertions themselves */
/** Hierarchy, labels, scope preview, coverage, drift and catalog reads. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;
beforeAll(async () => {
  w = await createWorld(prisma, "Reads");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

describe("hierarchy and labels", () => {
  it("lists roots, children and searches with cursor pages", async () => {
    const roots = await call("GET", "/connections/{id}/nodes", { key: w.members.viewer.key, params: { id: w.connectionId } });
    expect(roots.body.items.map((n: { name: string }) => n.name)).toEqual(["Root"]);
    expect(roots.body.items[0].childCount).toBe(2);
    const kids = await call("GET", "/connections/{id}/nodes", {
      key: w.members.viewer.key,
      params: { id: w.connectionId },
      query: { parentId: w.nodes.prod, limit: "1" },
    });
    expect(kids.body.items.map((n: { name: string }) => n.name)).toEqual(["payments-prod"]);
    const next = await call("GET", "/connections/{id}/nodes", {
      key: w.members.viewer.key,
      params: { id: w.connectionId },
      query: { parentId: w.nodes.prod, limit: "1", cursor: kids.body.nextCursor },
    });
    expect(next.body.items.map((n: { name: string }) => n.name)).toEqual(["web-prod"]);
    expect(next.body.nextCursor).toBeNull();
    const found = await call("GET", "/connections/{id}/nodes", {
      key: w.members.viewer.key,
      params: { id: w.connectionId },
      query: { q: "PROD" },
    });
    expect(found.body.items.map((n: { name: string }) => n.name).sort()).toEqual(["Prod", "payments-prod", "web-prod"]);
    expect(found.body.items.find((n: { name: string }) => n.name === "payments-prod").labels).toEqual({ env: "prod", data: "regulated" });
  });

  it("label overrides recompute inherited labels and change what a scope selects", async () => {
    const before = await call("POST", "/scope/preview", { key: w.members.viewer.key, body: { scope: { labels: "env=prod" } } });
    expect(before.body.environments).toBe(2);
    const r = await call("PATCH", "/nodes/{id}/labels", {
      key: w.members.author.key,
      params: { id: w.nodes.dev },
      body: { overrides: { env: "prod" } },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.labels).toEqual({ env: "prod" });
    const after = await call("POST", "/scope/preview", { key: w.members.viewer.key, body: { scope: { labels: "env=prod" } } });
    expect(after.body.environments).toBe(3);
    expect(after.body.byConnection).toEqual([{ connectionId: w.connectionId, name: "Reads org", cloud: "aws", environments: 3 }]);
    await call("PATCH", "/nodes/{id}/labels", { key: w.members.author.key, params: { id: w.nodes.dev }, body: { overrides: {} } });
    const excl = await call("POST", "/scope/preview", {
      key: w.members.viewer.key,
      body: { scope: { all: true, exclude: [w.nodes.prod] } },
    });
    expect(excl.body.sample.map((s: { name: string }) => s.name)).toEqual(["sandbox"]);
    const unknown = await call("POST", "/scope/preview", { key: w.members.viewer.key, body: { scope: { nodeIds: ["nope"] } } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.issues[0].field).toBe("scope.nodeIds.0");
  });
});

describe("coverage and drift", () => {
  it("scores enforced ÷ in-scope pairs (exempt excluded) and pages the matrix by environment", async () => {
    const rows = [
      { nodeId: w.nodes.p1, status: "enforced" as const },
      { nodeId: w.nodes.p2, status: "drifted" as const },
      { nodeId: w.nodes.d1, status: "exempt" as const },
    ];
    await prisma.coverageRow.createMany({
      data: rows.map((r) => ({ ...r, workspaceId: w.id, connectionId: w.connectionId, guardrailId: w.guardrailId, fidelity: "enforced" })),
    });
    const o = await call("GET", "/coverage/overview", { key: w.members.viewer.key });
    expect(o.body.score).toBeCloseTo(0.5);
    expect(o.body.totals).toMatchObject({ enforced: 1, drifted: 1, exempt: 1, total: 3 });
    expect(o.body.byCloud).toEqual([{ cloud: "aws", score: 0.5, totals: expect.objectContaining({ total: 3 }) }]);
    // The guardrail's detail reads the same aggregate (one statement with its versions, approval, code source).
    const g = await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id: w.guardrailId } });
    expect(g.body.coverage).toEqual({ enforced: 1, audit: 0, exempt: 1, drifted: 1, pending: 0, unknown: 0, unsupported: 0, total: 3 });
    expect(g.body).toMatchObject({ currentVersion: 1, managedInCode: null });
    expect(g.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(g.body.versions).toEqual([expect.objectContaining({ version: 1, createdAt: g.body.createdAt })]);
    const m1 = await call("GET", "/coverage/matrix", { key: w.members.viewer.key, query: { limit: "2" } });
    expect(m1.body.guardrails).toEqual([{ id: w.guardrailId, name: "No leaving the org" }]);
    expect(m1.body.items).toHaveLength(2);
    const m2 = await call("GET", "/coverage/matrix", { key: w.members.viewer.key, query: { limit: "2", cursor: m1.body.nextCursor } });
    const all = [...m1.body.items, ...m2.body.items];
    expect(all).toHaveLength(3);
    const p1 = all.find((i: { node: { id: string } }) => i.node.id === w.nodes.p1);
    // Positional: one status per guardrail of the page, in its order, as its index in the page's statuses.
    expect(m1.body.statuses).toEqual(["enforced", "audit", "exempt", "drifted", "unsupported", "unknown", "pending"]);
    expect(p1.cells).toEqual([0]);
    // The posture column: the scan's verdict for the guardrail's control, "none" left out.
    const { controlId } = await prisma.guardrail.findUniqueOrThrow({ where: { id: w.guardrailId }, select: { controlId: true } });
    await prisma.postureResult.createMany({
      data: [
        { connectionId: w.connectionId, nodeId: w.nodes.p1, controlId, status: "enforced", enforcedBy: ["FullDenyLeave"] },
        { connectionId: w.connectionId, nodeId: w.nodes.p2, controlId, status: "none", enforcedBy: [] },
      ],
    });
    const withPosture = await call("GET", "/coverage/matrix", { key: w.members.viewer.key, query: { limit: "10" } });
    const items = withPosture.body.items as Array<{ node: { id: string }; posture: unknown }>;
    const row = (id: string) => items.find((i) => i.node.id === id)!;
    expect(row(w.nodes.p1).posture).toEqual({ [w.guardrailId]: { status: "enforced", by: ["FullDenyLeave"] } });
    expect(row(w.nodes.p2).posture).toEqual({});
    expect(p1.node.path).toEqual(["Root", "Prod"]);
    const drifted = await call("GET", "/coverage/matrix", { key: w.members.viewer.key, query: { status: "drifted" } });
    expect(drifted.body.items.map((i: { node: { id: string } }) => i.node.id)).toEqual([w.nodes.p2]);
  });

  it("lists, shows and re-applies drift; the timeline counts per day", async () => {
    const list = await call("GET", "/drift", { key: w.members.viewer.key, query: { status: "open" } });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      id: w.driftId,
      kind: "detached",
      connection: { id: w.connectionId, cloud: "aws" },
      node: { id: w.nodes.p1, name: "payments-prod" },
    });
    const re = await call("POST", "/drift/{id}/reapply", { key: w.members.author.key, params: { id: w.driftId } });
    expect(re.status).toBe(202);
    const one = await call("GET", "/drift/{id}", { key: w.members.viewer.key, params: { id: w.driftId } });
    expect(one.body.timeline.map((e: { action: string }) => e.action)).toEqual(["drift.reapply_requested"]);
    const tl = await call("GET", "/drift/timeline", { key: w.members.viewer.key, query: { days: "7" } });
    expect(tl.body).toHaveLength(7);
    expect(tl.body.map((d: { opened: number }) => d.opened).reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(tl.body.map((d: { day: string }) => d.day)).toEqual([...tl.body.map((d: { day: string }) => d.day)].sort());
  });
});

describe("catalog and connections", () => {
  it("lists controls with JSON Schema params, compiles per cloud, and shows the bootstrap", async () => {
    const list = await call("GET", "/catalog/controls", { key: w.members.viewer.key });
    expect(list.body.items.length).toBeGreaterThanOrEqual(13);
    const rr = list.body.items.find((c: { id: string }) => c.id === "restrict-regions");
    expect(rr.paramsSchema.type).toBe("object");
    expect(rr.fidelity.aws.fidelity).toBeTypeOf("string");
    const c = await call("POST", "/catalog/controls/{id}/compile", {
      key: w.members.viewer.key,
      params: { id: "restrict-regions" },
      body: { params: {}, mode: "enforce" },
    });
    expect(c.status, c.text).toBe(200);
    expect(Object.keys(c.body.clouds).sort()).toEqual(["aws", "azure", "gcp", "oci"]);
    expect(c.body.clouds.aws.source).toBe("connection");
    expect(c.body.clouds.gcp.source).toBe("example");
    expect(c.body.scenarios.length).toBeGreaterThan(0);
    const bad = await call("POST", "/catalog/controls/{id}/compile", {
      key: w.members.viewer.key,
      params: { id: "restrict-regions" },
      body: { params: { aws: [] } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/^params\.aws: /);
    for (const cloud of ["aws", "azure", "gcp", "oci"]) {
      const b = await call("GET", "/connections/bootstrap", { key: w.members.viewer.key, query: { cloud } });
      expect(b.status).toBe(200);
      expect(b.body.files.length).toBeGreaterThan(0);
      expect(b.body.permissions.length).toBeGreaterThan(3);
    }
    const aws = await call("GET", "/connections/bootstrap", { key: w.members.viewer.key, query: { cloud: "aws" } });
    expect(aws.body.externalId).toBe(w.externalId);
    expect(aws.body.files[0].content).toContain("sts:ExternalId: !Ref ExternalId");
  });

  it("queues verify/discover/preview for the worker and reads the latest preview", async () => {
    const v = await call("POST", "/connections/{id}/verify", { key: w.members.admin.key, params: { id: w.connectionId } });
    expect(v.status).toBe(202);
    expect(v.body.jobId).toBe(`task__${w.connectionId}__verify`);
    expect((await call("GET", "/connections/{id}", { key: w.members.viewer.key, params: { id: w.connectionId } })).body.status).toBe(
      "verifying",
    );
    const none = await call("GET", "/connections/{id}/preview", { key: w.members.viewer.key, params: { id: w.connectionId } });
    expect(none.body).toMatchObject({ status: "none", plan: null });
    await prisma.reconcileRun.create({
      data: {
        workspaceId: w.id,
        connectionId: w.connectionId,
        trigger: "preview",
        status: "succeeded",
        plan: { changes: [], problems: [], unknown: [] },
        finishedAt: new Date(),
      },
    });
    const p = await call("GET", "/connections/{id}/preview", { key: w.members.viewer.key, params: { id: w.connectionId } });
    expect(p.body).toMatchObject({ status: "succeeded", plan: { changes: [] } });
    const del = await call("DELETE", "/connections/{id}", {
      key: w.members.admin.key,
      params: { id: w.connectionId },
      query: { confirm: "wrong" },
    });
    expect(del.status).toBe(422);
    expect(del.body.error.message).toMatch(/^confirm: /);
  });
});
