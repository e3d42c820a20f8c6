/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by the assertions themselves */
/** The two-person rule over HTTP: weakening edits wait for a different member; strengthening applies at once. */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { bullPrefix, QUEUES, reconcileJobId } from "@parapet/core";
import { randomBytes } from "node:crypto";
import { call } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;
let redis: Redis;
let reconcileQueue: Queue;

beforeAll(async () => {
  w = await createWorld(prisma, "Approvals");
  redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
  reconcileQueue = new Queue(QUEUES.reconcile, { connection: redis, prefix: bullPrefix(process.env.PARAPET_REDIS_PREFIX!) });
}, 120_000);
afterAll(async () => {
  await reconcileQueue.close();
  redis.disconnect();
  await prisma.$disconnect();
});

async function newGuardrail(mode: "audit" | "enforce" = "enforce") {
  const g = await call("POST", "/guardrails", {
    key: w.members.admin.key,
    body: { controlId: "deny-root-user", name: `root ${mode}`, params: {}, scope: { all: true }, mode, remediation: "auto" },
  });
  expect(g.status, g.text).toBe(201);
  return g.body.id as string;
}

describe("two-person rule over HTTP", () => {
  it("narrowing the scope waits for approval; the requester cannot approve; another approver can; the change then applies and reconciles", async () => {
    const id = await newGuardrail();
    await reconcileQueue.obliterate({ force: true });
    const req = await call("PATCH", "/guardrails/{id}", {
      key: w.members.admin.key,
      params: { id },
      body: { scope: { nodeIds: [w.nodes.prod] }, note: "only prod" },
    });
    expect(req.status, req.text).toBe(202);
    const approvalId = req.body.approval.id as string;
    expect(req.body.approval.reasons[0]).toMatch(/^scope: 1 environment would no longer be covered/);
    const before = await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } });
    expect(before.body).toMatchObject({ currentVersion: 1, scope: { all: true }, pendingApproval: approvalId });
    // Nothing is queued for a change that has not happened.
    expect(await reconcileQueue.getJob(reconcileJobId(w.connectionId))).toBeUndefined();

    const self = await call("POST", "/approvals/{id}/approve", { key: w.members.admin.key, params: { id: approvalId }, body: {} });
    expect(self.status).toBe(403);
    expect(self.body.error.message).toBe("you cannot approve your own request");
    const author = await call("POST", "/approvals/{id}/approve", { key: w.members.author.key, params: { id: approvalId }, body: {} });
    expect(author.status).toBe(403);
    expect((await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } })).body.currentVersion).toBe(1);

    const ok = await call("POST", "/approvals/{id}/approve", {
      key: w.members.approver.key,
      params: { id: approvalId },
      body: { note: "agreed" },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ status: "approved", decidedBy: { id: w.members.approver.userId }, decisionNote: "agreed" });
    const after = await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } });
    expect(after.body).toMatchObject({ currentVersion: 2, scope: { nodeIds: [w.nodes.prod] }, pendingApproval: null });
    expect(after.body.versions.map((v: { version: number; note: string }) => [v.version, v.note])).toEqual([
      [1, "created"],
      [2, "only prod"],
    ]);
    expect(await reconcileQueue.getJob(reconcileJobId(w.connectionId))).toBeDefined();

    const twice = await call("POST", "/approvals/{id}/approve", { key: w.admin2.key, params: { id: approvalId }, body: {} });
    expect(twice.status).toBe(409);
    const diff = await call("GET", "/guardrails/{id}/diff", { key: w.members.viewer.key, params: { id }, query: { from: "1", to: "2" } });
    expect(diff.body.changes.map((c: { field: string }) => c.field)).toEqual(
      expect.arrayContaining(["scope.all", "scope.nodeIds", "note"]),
    );
  });

  it("the second person is a real, earlier member: an unverified address cannot decide, a member who joined after the request cannot approve", async () => {
    const id = await newGuardrail();
    const req = await call("PATCH", "/guardrails/{id}", {
      key: w.members.admin.key,
      params: { id },
      body: { scope: { nodeIds: [w.nodes.prod] } },
    });
    expect(req.status, req.text).toBe(202);
    const approvalId = req.body.approval.id as string;

    // The approver's address was never proved (e.g. joined through the link the inviter holds).
    await prisma.user.update({ where: { id: w.members.approver.userId }, data: { emailVerified: false } });
    try {
      for (const [path, body] of [
        ["/approvals/{id}/approve", {}],
        ["/approvals/{id}/reject", { note: "no" }],
      ] as const) {
        const r = await call("POST", path, { key: w.members.approver.key, params: { id: approvalId }, body });
        expect(r.status).toBe(403);
        expect(r.body.error.message).toMatch(/^approval: deciding approvals needs a verified e-mail address/);
      }
    } finally {
      await prisma.user.update({ where: { id: w.members.approver.userId }, data: { emailVerified: true } });
    }

    // An approver who joined (verified) after the request was made: approving is refused.
    const { auth } = await import("@/server/auth");
    const userId = `u${randomBytes(6).toString("hex")}`;
    await prisma.user.create({ data: { id: userId, name: "Late Joiner", email: `${userId}@example.test`, emailVerified: true } });
    await prisma.member.create({
      data: { id: `m${randomBytes(6).toString("hex")}`, organizationId: w.id, userId, role: "approver", createdAt: new Date() },
    });
    const { key } = await auth().api.createApiKey({
      body: { userId, name: "late", metadata: { workspaceId: w.id, role: "approver" }, rateLimitEnabled: false },
    });
    const late = await call("POST", "/approvals/{id}/approve", { key, params: { id: approvalId }, body: {} });
    expect(late.status).toBe(403);
    expect(late.body.error.message).toMatch(/^approval: you joined this workspace after the request was made/);
    expect((await call("GET", "/approvals/{id}", { key: w.members.viewer.key, params: { id: approvalId } })).body.status).toBe("pending");

    // A member from before the request approves.
    const ok = await call("POST", "/approvals/{id}/approve", { key: w.members.approver.key, params: { id: approvalId }, body: {} });
    expect(ok.status, ok.text).toBe(200);
  });

  it("strengthening applies at once: audit → enforce, wider scope, more actions", async () => {
    const id = await newGuardrail("audit");
    const r = await call("PATCH", "/guardrails/{id}", { key: w.members.author.key, params: { id }, body: { mode: "enforce" } });
    expect(r.status, r.text).toBe(200);
    expect(r.body.guardrail).toMatchObject({ currentVersion: 2, mode: "enforce" });
    const g = await call("POST", "/guardrails", {
      key: w.members.author.key,
      body: {
        controlId: "agent-no-destructive-actions",
        name: "agents",
        params: { additionalAwsActions: ["s3:DeleteBucket"] },
        scope: { all: true },
        mode: "enforce",
        remediation: "auto",
      },
    });
    expect(g.status, g.text).toBe(201);
    const more = await call("PATCH", "/guardrails/{id}", {
      key: w.members.author.key,
      params: { id: g.body.id },
      body: { params: { additionalAwsActions: ["s3:DeleteBucket", "rds:DeleteDBInstance"] } },
    });
    expect(more.status, more.text).toBe(200);
    const fewer = await call("PATCH", "/guardrails/{id}", {
      key: w.members.author.key,
      params: { id: g.body.id },
      body: { params: { additionalAwsActions: [] } },
    });
    expect(fewer.status).toBe(202);
    expect(fewer.body.approval.reasons).toEqual(['params.additionalAwsActions: removes "s3:DeleteBucket", "rds:DeleteDBInstance"']);
    const second = await call("PATCH", "/guardrails/{id}", {
      key: w.members.author.key,
      params: { id: g.body.id },
      body: { mode: "audit" },
    });
    expect(second.status).toBe(409);
  });

  it("disable and delete are requests; rejecting needs a note and changes nothing; enable applies at once", async () => {
    const id = await newGuardrail();
    const dis = await call("POST", "/guardrails/{id}/disable", { key: w.members.author.key, params: { id } });
    expect(dis.status).toBe(202);
    const noNote = await call("POST", "/approvals/{id}/reject", {
      key: w.members.approver.key,
      params: { id: dis.body.approval.id },
      body: {},
    });
    expect(noNote.status).toBe(422);
    expect(noNote.body.error.message).toMatch(/^note: /);
    const rej = await call("POST", "/approvals/{id}/reject", {
      key: w.members.approver.key,
      params: { id: dis.body.approval.id },
      body: { note: "we need it" },
    });
    expect(rej.status).toBe(200);
    expect((await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } })).body.status).toBe("active");
    const dis2 = await call("POST", "/guardrails/{id}/disable", { key: w.members.author.key, params: { id } });
    await call("POST", "/approvals/{id}/approve", { key: w.members.approver.key, params: { id: dis2.body.approval.id }, body: {} });
    expect((await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } })).body.status).toBe("disabled");
    const en = await call("POST", "/guardrails/{id}/enable", { key: w.members.author.key, params: { id } });
    expect(en.status).toBe(200);
    expect(en.body.guardrail.status).toBe("active");
    const del = await call("DELETE", "/guardrails/{id}", { key: w.members.author.key, params: { id } });
    expect(del.status).toBe(202);
    await call("POST", "/approvals/{id}/approve", { key: w.members.admin.key, params: { id: del.body.approval.id }, body: {} });
    expect((await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } })).body.status).toBe("deleted");
    expect((await call("GET", "/guardrails", { key: w.members.viewer.key })).body.items.map((g: { id: string }) => g.id)).not.toContain(id);
  });

  it("an exemption is pending until approved, bounded to a year, and revocable at once", async () => {
    const body = (expiresAt: string) => ({
      guardrailId: w.guardrailId,
      nodeId: w.nodes.p2,
      reason: "vendor test",
      ownerEmail: "o@example.test",
      expiresAt,
    });
    const tooLong = await call("POST", "/exemptions", {
      key: w.members.author.key,
      body: body(new Date(Date.now() + 400 * 86_400_000).toISOString()),
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.message).toMatch(/^expiresAt: /);
    const r = await call("POST", "/exemptions", {
      key: w.members.author.key,
      body: body(new Date(Date.now() + 30 * 86_400_000).toISOString()),
    });
    expect(r.status).toBe(202);
    expect(r.body.exemption.status).toBe("pending_approval");
    const a = await call("POST", "/approvals/{id}/approve", { key: w.members.approver.key, params: { id: r.body.approval.id }, body: {} });
    expect(a.status, a.text).toBe(200);
    const list = await call("GET", "/exemptions", { key: w.members.viewer.key, query: { status: "active" } });
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(r.body.exemption.id);
    const rev = await call("POST", "/exemptions/{id}/revoke", { key: w.members.author.key, params: { id: r.body.exemption.id } });
    expect(rev.status).toBe(200);
    expect(rev.body.status).toBe("revoked");
  });

  it("a principal exemption names one identity, waits for a second member, and shows as a principal", async () => {
    const principal = { cloud: "aws", id: "arn:aws:iam::123456789012:role/release-bot" };
    const body = { guardrailId: w.guardrailId, principal, reason: "release pipeline rotates the trail", ownerEmail: "o@example.test" };
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const wildcard = await call("POST", "/exemptions", {
      key: w.members.author.key,
      body: { ...body, principal: { cloud: "aws", id: "arn:aws:iam::*:role/*" }, expiresAt },
    });
    expect(wildcard.status).toBe(422);
    expect(wildcard.body.error.message).toMatch(/^principal\.id: /);
    const before = await prisma.exemption.count({ where: { workspaceId: w.id } });
    const azure = await call("POST", "/exemptions", {
      key: w.members.author.key,
      body: { ...body, principal: { cloud: "azure", id: "11111111-1111-4111-8111-111111111111" }, expiresAt },
    });
    expect(azure.status).toBe(422);
    expect(azure.body.error.message).toMatch(/^principal\.cloud: Azure Policy cannot condition on the caller/);
    // The workspace's longest exemption (30 days by default) holds on the console's route too.
    const tooLong = await call("POST", "/exemptions", {
      key: w.members.author.key,
      body: { ...body, expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error.message).toMatch(/^expiresAt: must be at most 30 days from now/);
    expect(await prisma.exemption.count({ where: { workspaceId: w.id } })).toBe(before);

    const r = await call("POST", "/exemptions", { key: w.members.author.key, body: { ...body, expiresAt } });
    expect(r.status, r.text).toBe(202);
    expect(r.body.exemption).toMatchObject({ node: null, principal, status: "pending_approval" });
    expect(r.body.approval.summary).toContain("arn:aws:iam::123456789012:role/release-bot");
    // The requester (an author) cannot approve it; an approver can.
    const self = await call("POST", "/approvals/{id}/approve", { key: w.members.author.key, params: { id: r.body.approval.id }, body: {} });
    expect(self.status).toBe(403);
    const a = await call("POST", "/approvals/{id}/approve", { key: w.members.approver.key, params: { id: r.body.approval.id }, body: {} });
    expect(a.status, a.text).toBe(200);
    const list = await call("GET", "/exemptions", { key: w.members.viewer.key, query: { status: "active" } });
    expect(list.body.items.find((e: { id: string }) => e.id === r.body.exemption.id)).toMatchObject({ principal, node: null });
  });

  it("lists approvals with cursor pagination", async () => {
    const first = await call("GET", "/approvals", { key: w.members.viewer.key, query: { limit: "2" } });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeTypeOf("string");
    const second = await call("GET", "/approvals", { key: w.members.viewer.key, query: { limit: "2", cursor: first.body.nextCursor } });
    const ids = [...first.body.items, ...second.body.items].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await call("GET", "/approvals", { key: w.members.viewer.key, query: { cursor: "garbage" } })).status).toBe(422);
  });
});
