import { afterAll, describe, expect, it } from "vitest";
import { createTestWorkspace, testPrisma } from "../testing/db.ts";
import { appendAudit, verifyAuditChain } from "./audit.repository.ts";

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

describe("audit chain", () => {
  it("chains appended events and verifies them", async () => {
    const ws = await createTestWorkspace();
    for (let i = 0; i < 5; i++) await appendAudit(prisma, ev(ws.id, i));
    const v = await verifyAuditChain(prisma, ws.id);
    expect(v).toEqual({ ok: true, checked: 5 });
  });

  it("concurrent writers never fork the chain", async () => {
    const ws = await createTestWorkspace();
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(prisma, ev(ws.id, i))));
    const rows = await prisma.auditEvent.findMany({ where: { workspaceId: ws.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await verifyAuditChain(prisma, ws.id)).ok).toBe(true);
  });

  it("points at the first tampered row", async () => {
    const ws = await createTestWorkspace();
    for (let i = 0; i < 6; i++) await appendAudit(prisma, ev(ws.id, i));
    await prisma.$executeRaw`UPDATE audit_event SET "actorLabel" = 'mallory' WHERE "workspaceId" = ${ws.id} AND seq = 4`;
    const v = await verifyAuditChain(prisma, ws.id);
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toMatchObject({ seq: 4, reason: "row content does not match its hash" });
  });

  it("detects a deleted row", async () => {
    const ws = await createTestWorkspace();
    for (let i = 0; i < 4; i++) await appendAudit(prisma, ev(ws.id, i));
    await prisma.$executeRaw`DELETE FROM audit_event WHERE "workspaceId" = ${ws.id} AND seq = 2`;
    const v = await verifyAuditChain(prisma, ws.id);
    expect(v.firstBroken).toMatchObject({ seq: 2 });
  });
});
