/* eslint-disable @typescript-eslint/no-unsafe-assignment -- asymmetric matchers (expect.stringMatching) are typed any */
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Tx } from "@parapet/db";
import { createTestWorkspace, testPrisma } from "../testing/db.ts";
import { auditConfig, auditConfigFrom, configureAudit } from "./audit-keys.ts";
import { appendAudit, GENESIS_HASH, hashEvent, hmacEvent, verifyAuditChain } from "./audit.repository.ts";
import { latestCheckpoint, writeCheckpoint } from "./checkpoints.ts";

const prisma = testPrisma();
afterAll(() => prisma.$disconnect());

const ev = (workspaceId: string, i: number) => ({
  workspaceId,
  actorType: "user" as const,
  actorId: "u1",
  actorLabel: "dana@example.com",
  action: "guardrail.update",
  targetType: "guardrail",
  targetId: `g${i}`,
  data: { i, note: "ünïcode <script>" },
});

/**
 * What someone with the database's owner or superuser role can do that the app's writes cannot: with
 * replication-role "replica" no ordinary trigger fires, so the append-only trigger is bypassed, as by
 * a restore of a doctored dump. The keyed chain and the checkpoints must still tell.
 */
function asSuperuser<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
    return fn(tx);
  });
}

async function filled(n: number) {
  const ws = await createTestWorkspace();
  for (let i = 0; i < n; i++) await appendAudit(prisma, ev(ws.id, i));
  return ws;
}

/** Recomputes every link of the workspace's chain the way the unkeyed chain did (sha256), in place. */
async function recomputeUnkeyed(tx: Tx, workspaceId: string) {
  const rows = await tx.auditEvent.findMany({ where: { workspaceId }, orderBy: { seq: "asc" } });
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const hash = hashEvent(prev, { ...r, data: r.data });
    await tx.auditEvent.update({ where: { id: r.id }, data: { prevHash: prev, hash } });
    prev = hash;
  }
}

describe("audit chain", () => {
  it("chains appended events with the audit key and verifies them", async () => {
    const ws = await filled(5);
    const rows = await prisma.auditEvent.findMany({ where: { workspaceId: ws.id } });
    expect(new Set(rows.map((r) => r.keyId))).toEqual(new Set([auditConfig().current.id]));
    expect(await verifyAuditChain(prisma, ws.id)).toEqual({ ok: true, checked: 5, checkpoint: null });
  });

  it("concurrent writers never fork the chain", async () => {
    const ws = await createTestWorkspace();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(prisma, ev(ws.id, i))));
    const rows = await prisma.auditEvent.findMany({ where: { workspaceId: ws.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await verifyAuditChain(prisma, ws.id)).ok).toBe(true);
  });

  it("the database refuses UPDATE, DELETE, TRUNCATE and unkeyed inserts; deleting the workspace still cascades", async () => {
    const ws = await filled(3);
    await expect(
      prisma.$executeRaw`UPDATE audit_event SET "actorLabel" = 'mallory' WHERE "workspaceId" = ${ws.id} AND seq = 2`,
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(prisma.$executeRaw`DELETE FROM audit_event WHERE "workspaceId" = ${ws.id} AND seq = 3`).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(prisma.$executeRawUnsafe("TRUNCATE audit_event")).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(prisma.auditEvent.updateMany({ where: { workspaceId: ws.id }, data: { actorLabel: "x" } })).rejects.toThrow(/append-only/);
    await expect(
      prisma.auditEvent.create({
        data: { workspaceId: ws.id, seq: 4, actorType: "user", actorLabel: "x", action: "x", prevHash: "0", hash: "0" },
      }),
    ).rejects.toThrow(/must be keyed/);
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({ ok: true, checked: 3 });
    await prisma.workspace.delete({ where: { id: ws.id } });
    expect(await prisma.auditEvent.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it("points at the first tampered row", async () => {
    const ws = await filled(6);
    await asSuperuser((tx) => tx.$executeRaw`UPDATE audit_event SET "actorLabel" = 'mallory' WHERE "workspaceId" = ${ws.id} AND seq = 4`);
    const v = await verifyAuditChain(prisma, ws.id);
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: 4, reason: "row content does not match its hash" });
  });

  it("detects a rewritten row even when every hash after it was recomputed", async () => {
    const ws = await filled(6);
    await asSuperuser(async (tx) => {
      await tx.$executeRaw`UPDATE audit_event SET "actorLabel" = 'mallory' WHERE "workspaceId" = ${ws.id} AND seq = 3`;
      // Without the key, the best a forger can do is the unkeyed chain, or an HMAC under a key of their own.
      await recomputeUnkeyed(tx, ws.id);
    });
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({
      ok: false,
      firstBroken: { seq: 1, reason: "row content does not match its hash" },
    });

    const ws2 = await filled(4);
    const forger = auditConfigFrom({ secret: randomBytes(32).toString("base64url") }).current;
    await asSuperuser(async (tx) => {
      const rows = await tx.auditEvent.findMany({ where: { workspaceId: ws2.id }, orderBy: { seq: "asc" } });
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const data = r.seq === 2 ? { i: 99 } : r.data;
        const hash = hmacEvent(forger.key, prev, { ...r, data });
        await tx.auditEvent.update({ where: { id: r.id }, data: { data: data as object, prevHash: prev, hash } });
        prev = hash;
      }
    });
    expect(await verifyAuditChain(prisma, ws2.id)).toMatchObject({ ok: false, firstBroken: { seq: 1 } });
  });

  it("detects a deleted row", async () => {
    const ws = await filled(4);
    await asSuperuser((tx) => tx.$executeRaw`DELETE FROM audit_event WHERE "workspaceId" = ${ws.id} AND seq = 2`);
    const v = await verifyAuditChain(prisma, ws.id);
    expect(v.firstBroken).toMatchObject({ seq: 2 });
  });

  it("detects a deleted tail against the latest checkpoint, and a chain replaced wholesale", async () => {
    const ws = await filled(5);
    const cp = await writeCheckpoint(prisma, ws.id);
    expect(cp).toMatchObject({ written: true, checkpoint: { seq: 5, keyId: auditConfig().current.id } });
    expect(await writeCheckpoint(prisma, ws.id)).toMatchObject({ written: false, reason: "unchanged" });
    await appendAudit(prisma, ev(ws.id, 5));
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({ ok: true, checked: 6, checkpoint: { seq: 5 } });

    // The newest rows go: the rest still links perfectly.
    await asSuperuser((tx) => tx.$executeRaw`DELETE FROM audit_event WHERE "workspaceId" = ${ws.id} AND seq >= 4`);
    const v = await verifyAuditChain(prisma, ws.id);
    expect(v).toMatchObject({
      ok: false,
      checked: 3,
      firstBroken: {
        seq: 4,
        id: null,
        reason: expect.stringMatching(/^rows 4–5 are missing: the checkpoint of .* recorded the chain up to seq 5$/),
      },
    });
    // A broken chain is never vouched for.
    expect(await writeCheckpoint(prisma, ws.id, { force: true })).toMatchObject({ written: false, reason: "broken" });

    // Someone holding the key rebuilds a different chain of the same length: the checkpointed head differs.
    const ws2 = await filled(3);
    await writeCheckpoint(prisma, ws2.id);
    await asSuperuser((tx) => tx.$executeRaw`DELETE FROM audit_event WHERE "workspaceId" = ${ws2.id}`);
    for (let i = 0; i < 3; i++) await appendAudit(prisma, { ...ev(ws2.id, i), actorLabel: "mallory" });
    expect(await verifyAuditChain(prisma, ws2.id)).toMatchObject({
      ok: false,
      firstBroken: { seq: 3, reason: expect.stringMatching(/differs from the checkpoint .* \(rewritten\)$/) },
    });
  });

  it("a checkpoint file edited by hand is reported, not trusted", async () => {
    const ws = await filled(2);
    await writeCheckpoint(prisma, ws.id);
    const file = join(inject("auditCheckpointDir"), `${ws.id}.jsonl`);
    const line = JSON.parse(readFileSync(file, "utf8").trim()) as { seq: number };
    appendFileSync(file, `${JSON.stringify({ ...line, seq: 1 })}\n`);
    expect((await latestCheckpoint(ws.id)).error).toMatch(/signature does not verify/);
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({
      ok: false,
      firstBroken: { reason: expect.stringMatching(/checkpoint file was altered/) },
    });
    writeFileSync(file, "not json\n");
    expect((await latestCheckpoint(ws.id)).error).toMatch(/not valid JSON/);
  });

  it("chains written before keying migrate as they are: still verified, protected by the first keyed row, never downgraded", async () => {
    // Rows as the unkeyed code wrote them (keyId null, sha256 links), inserted as they existed before the migration.
    const ws = await createTestWorkspace();
    await asSuperuser(async (tx) => {
      let prev = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const fields = {
          workspaceId: ws.id,
          seq,
          actorType: "user",
          actorId: "u1",
          actorLabel: "dana@example.com",
          action: "legacy",
          targetType: null,
          targetId: null,
          data: { seq },
          createdAt: new Date(Date.UTC(2026, 0, seq)),
        };
        const hash = hashEvent(prev, fields);
        await tx.auditEvent.create({ data: { ...fields, prevHash: prev, hash } });
        prev = hash;
      }
    });
    await appendAudit(prisma, ev(ws.id, 4));
    await appendAudit(prisma, ev(ws.id, 5));
    const rows = await prisma.auditEvent.findMany({ where: { workspaceId: ws.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.keyId)).toEqual([null, null, null, auditConfig().current.id, auditConfig().current.id]);
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({ ok: true, checked: 5 });

    // Rewriting a legacy row and recomputing the legacy links breaks the first keyed row's link.
    await asSuperuser(async (tx) => {
      await tx.$executeRaw`UPDATE audit_event SET "actorLabel" = 'mallory' WHERE "workspaceId" = ${ws.id} AND seq = 2`;
      let prev = GENESIS_HASH;
      for (const r of rows.slice(0, 3)) {
        const cur = (await tx.auditEvent.findUnique({ where: { id: r.id } }))!;
        const hash = hashEvent(prev, { ...cur, data: cur.data });
        await tx.auditEvent.update({ where: { id: r.id }, data: { prevHash: prev, hash } });
        prev = hash;
      }
    });
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({
      ok: false,
      firstBroken: { seq: 4, reason: "link to the previous row does not match" },
    });
  });

  it("a downgraded keyed row and rows from a retired key are told apart from tampering", async () => {
    const ws = await filled(3);
    await asSuperuser(async (tx) => {
      const r = (await tx.auditEvent.findFirst({ where: { workspaceId: ws.id, seq: 3 } }))!;
      await tx.auditEvent.update({ where: { id: r.id }, data: { keyId: null, hash: hashEvent(r.prevHash, { ...r, data: r.data }) } });
    });
    expect(await verifyAuditChain(prisma, ws.id)).toMatchObject({
      ok: false,
      firstBroken: { seq: 3, reason: "unkeyed row after keyed rows (a keyed row was replaced)" },
    });

    // Rotation: a new key for new rows; the retired one is still configured, so old rows verify.
    const before = auditConfig();
    const newSecret = randomBytes(32).toString("base64url");
    try {
      const ws2 = await filled(2);
      configureAudit(auditConfigFrom({ secret: newSecret, oldSecrets: [inject("auditKey")], checkpointDir: before.checkpointDir }));
      await appendAudit(prisma, ev(ws2.id, 2));
      const keyIds = (await prisma.auditEvent.findMany({ where: { workspaceId: ws2.id }, orderBy: { seq: "asc" } })).map((r) => r.keyId);
      expect(keyIds).toEqual([before.current.id, before.current.id, auditConfig().current.id]);
      expect(await verifyAuditChain(prisma, ws2.id)).toMatchObject({ ok: true, checked: 3 });
      configureAudit(auditConfigFrom({ secret: newSecret, checkpointDir: before.checkpointDir }));
      expect(await verifyAuditChain(prisma, ws2.id)).toMatchObject({
        ok: false,
        firstBroken: {
          seq: 1,
          reason: `made with audit key ${before.current.id}, which is not configured (add its secret to PARAPET_AUDIT_KEYS_OLD)`,
        },
      });
    } finally {
      configureAudit(before);
    }
  });
});
