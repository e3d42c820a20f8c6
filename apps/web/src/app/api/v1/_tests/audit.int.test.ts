/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON, checked by the assertions themselves */
/** Every mutation is in the hash chain; tampering with one row is detected by the API and the CLI. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { runCli } from "@parapet/core/cli/commands";
import { call } from "./harness.ts";
import { createWorld, type World } from "./world.ts";

const prisma = getPrisma();
let w: World;

beforeAll(async () => {
  w = await createWorld(prisma, "Audit");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("audit log", () => {
  it("records each mutation with its actor, in one chain", async () => {
    const r = await call("GET", "/audit", { key: w.members.viewer.key, query: { limit: "200" } });
    const actions = r.body.items.map((e: { action: string }) => e.action).reverse();
    expect(actions).toEqual([
      "connection.created",
      "guardrail.created",
      "approval.requested",
      "exemption.requested",
      "approval.requested",
      "token.created",
      "member.invited",
      "notification.channel_created",
      "notification.rule_created",
    ]);
    const created = r.body.items.find((e: { action: string }) => e.action === "guardrail.created");
    expect(created.actor).toEqual({ type: "token", id: expect.any(String), label: expect.stringMatching(/^token author key/) });
    const seqs = r.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
    for (let i = 0; i < r.body.items.length - 1; i++) expect(r.body.items[i].prevHash).toBe(r.body.items[i + 1].hash);
  });

  it("filters, pages, and exports as CSV and JSON lines", async () => {
    const byAction = await call("GET", "/audit", { key: w.members.viewer.key, query: { action: "approval.requested" } });
    expect(byAction.body.items).toHaveLength(2);
    const page1 = await call("GET", "/audit", { key: w.members.viewer.key, query: { limit: "5" } });
    const page2 = await call("GET", "/audit", { key: w.members.viewer.key, query: { limit: "5", cursor: page1.body.nextCursor } });
    expect(page2.body.items[0].seq).toBe(page1.body.items[4].seq - 1);
    expect(page2.body.items).toHaveLength(4);
    expect(page2.body.nextCursor).toBeNull();
    const jsonl = await call("GET", "/audit/export", { key: w.members.approver.key, query: { format: "jsonl" } });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get("content-type")).toMatch(/ndjson/);
    const lines = jsonl.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const csv = await call("GET", "/audit/export", { key: w.members.approver.key, query: { format: "csv", action: "guardrail.created" } });
    const rows = csv.text.trim().split("\n");
    expect(rows[0]).toBe("seq,at,actorType,actorId,actorLabel,action,targetType,targetId,data,hash,prevHash");
    expect(rows).toHaveLength(2);
    expect((await call("GET", "/audit/export", { key: w.members.viewer.key })).status).toBe(403);
    const activity = await call("GET", "/activity", { key: w.members.viewer.key, query: { limit: "3" } });
    expect(activity.body.items).toHaveLength(3);
  });

  it("detects a tampered row through the API and `parapet audit verify`", async () => {
    const ok = await call("GET", "/audit/verify", { key: w.members.viewer.key });
    expect(ok.body).toEqual({ ok: true, checked: 9, checkpoint: null });
    expect(await cli(["audit", "verify", "--workspace", w.slug])).toMatchObject({
      code: 0,
      out: expect.stringContaining("9 audit events"),
    });

    // The app's own database role cannot rewrite history; someone bypassing the trigger (a superuser) can, and is caught.
    await expect(
      prisma.$executeRaw`UPDATE audit_event SET data = '{"name":"something else"}' WHERE "workspaceId" = ${w.id} AND seq = 2`,
    ).rejects.toThrow(/append-only/);
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRaw`UPDATE audit_event SET data = '{"name":"something else"}' WHERE "workspaceId" = ${w.id} AND seq = 2`;
    });
    const broken = await call("GET", "/audit/verify", { key: w.members.viewer.key });
    expect(broken.body).toMatchObject({ ok: false, checked: 1, firstBroken: { seq: 2, reason: "row content does not match its hash" } });
    const c = await cli(["audit", "verify", "--workspace", w.slug]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/^BROKEN: workspace .*: audit event seq 2 \(id \w+\): row content does not match its hash/);
    expect((await cli(["audit", "verify", "--workspace", "no-such-workspace"])).code).toBe(1);
    expect((await cli(["audit", "verify"])).code).toBe(2);
  });

  it("checkpoints the head on demand, shows it, and a deleted tail no longer verifies", async () => {
    const v = await createWorld(prisma, "Audit tail");
    const none = await call("GET", "/audit/checkpoint", { key: v.members.viewer.key });
    expect(none.body).toEqual({ enabled: true, checkpoint: null, problem: null });
    expect((await call("POST", "/audit/checkpoint", { key: v.members.viewer.key })).status).toBe(403);
    const made = await call("POST", "/audit/checkpoint", { key: v.members.approver.key });
    expect(made.status, made.text).toBe(200);
    expect(made.body).toMatchObject({
      enabled: true,
      checkpoint: { seq: 9, hash: expect.stringMatching(/^[0-9a-f]{64}$/), at: expect.any(String) },
      problem: null,
    });
    const shown = await call("GET", "/audit/checkpoint", { key: v.members.viewer.key });
    expect(shown.body.checkpoint).toEqual(made.body.checkpoint);
    expect((await call("GET", "/audit/verify", { key: v.members.viewer.key })).body).toEqual({
      ok: true,
      checked: 9,
      checkpoint: made.body.checkpoint,
    });
    expect(await cli(["audit", "checkpoint", "--workspace", v.slug])).toMatchObject({
      code: 0,
      out: expect.stringContaining("at seq 9 written"),
    });

    // The newest three rows deleted behind the app's back: what remains links perfectly.
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRaw`DELETE FROM audit_event WHERE "workspaceId" = ${v.id} AND seq >= 5`;
    });
    const r = await call("GET", "/audit/verify", { key: v.members.viewer.key });
    expect(r.body).toMatchObject({
      ok: false,
      checked: 4,
      firstBroken: { seq: 5, reason: expect.stringMatching(/^rows 5–9 are missing/) },
    });
    const c = await cli(["audit", "verify", "--workspace", v.slug]);
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/^BROKEN: workspace .*: audit event seq 5: rows 5–9 are missing/);
    const refused = await call("POST", "/audit/checkpoint", { key: v.members.admin.key });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/^audit: the chain does not verify \(rows 5–9 are missing/);
  });
});
