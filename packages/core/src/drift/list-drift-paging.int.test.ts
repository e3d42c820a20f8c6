/**
 * The drift list pages newest first by (openedAt, id) from the last row's key. Findings keep being
 * opened while someone pages (every reconcile can open some): the pages must still give every finding
 * that existed when paging began exactly once, in order, and never repeat one.
 */
import { describe, expect, it } from "vitest";
import type { Actor } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import { encodeCursor } from "../common/pagination.ts";
import { createTestWorkspace, testPrisma, uid } from "../testing/db.ts";
import { listDrift } from "./list-drift.ts";

const prisma = testPrisma();

describe("GET /drift paging", () => {
  it("pages through every finding once, newest first, while new findings are opened between pages", async () => {
    const ws = await createTestWorkspace(prisma);
    const c = await prisma.connection.create({ data: { id: uid("c_"), workspaceId: ws.id, cloud: "aws", name: "org" } });
    const actor: Actor = { workspaceId: ws.id, userId: "u_test", role: "viewer", kind: "user", label: "test" };
    const base = Date.now() - 3_600_000;
    // 150 findings over 40 distinct instants: many share an openedAt to the millisecond, so the id
    // must break ties for a page boundary to fall inside a group without losing or repeating rows.
    const finding = (i: number, openedAt: Date, status: "open" | "resolved") => ({
      id: uid("d_"),
      workspaceId: ws.id,
      connectionId: c.id,
      kind: "modified" as const,
      status,
      fingerprint: `fp-${i}`,
      summary: `finding ${i}`,
      openedAt,
    });
    const before = Array.from({ length: 150 }, (_, i) => finding(i, new Date(base + (i % 40) * 1000), i % 5 === 0 ? "resolved" : "open"));
    await prisma.driftFinding.createMany({ data: before });

    for (const status of [undefined, "open"] as const) {
      const seen: Array<{ id: string; openedAt: string }> = [];
      let cursor: string | undefined;
      let opened = 0;
      do {
        const page = await listDrift({ prisma }, actor, { status, limit: 7, cursor });
        seen.push(...page.items.map((x) => ({ id: x.id, openedAt: x.openedAt })));
        cursor = page.nextCursor ?? undefined;
        // Someone's reconcile opens findings between two page requests (now: newer than every row paged).
        await prisma.driftFinding.createMany({
          data: [finding(1000 + opened++, new Date(), "open"), finding(1000 + opened++, new Date(), "open")],
        });
      } while (cursor);
      const ids = seen.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      const want = before.filter((f) => !status || f.status === status).map((f) => f.id);
      expect(new Set(ids)).toEqual(new Set(want));
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [seen[i - 1]!, seen[i]!];
        expect(a.openedAt > b.openedAt || (a.openedAt === b.openedAt && a.id > b.id)).toBe(true);
      }
      await prisma.driftFinding.deleteMany({ where: { workspaceId: ws.id, id: { notIn: before.map((f) => f.id) } } });
    }
  });

  it("a forged cursor time is a bad cursor (422 naming the field), not a database error", async () => {
    const ws = await createTestWorkspace(prisma);
    const actor: Actor = { workspaceId: ws.id, userId: "u_test", role: "viewer", kind: "user", label: "test" };
    for (const t of ["not-a-date", "0000-01-01T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "2026-13-45T00:00:00Z"]) {
      const err = await listDrift({ prisma }, actor, { limit: 5, cursor: encodeCursor({ t, id: "x" }) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(422);
      expect((err as AppError).issues.map((f) => f.field)).toEqual(["cursor"]);
    }
  });
});
