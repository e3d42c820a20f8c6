/** Which connection of a workspace keeps a cloud root: the oldest; AWS roots are told apart by organization id. */
import { describe, expect, it } from "vitest";
import { createTestWorkspace, testPrisma, uid } from "../testing/db.ts";
import { rootHeldBy } from "./root-holder.ts";

const prisma = testPrisma();

async function conn(workspaceId: string, cloud: "aws" | "gcp", rootId: string, facts: object, createdAt: Date) {
  return prisma.connection.create({ data: { id: uid("c"), workspaceId, cloud, name: uid("n"), rootId, facts, createdAt } });
}

describe("rootHeldBy", () => {
  it("the oldest connection on a root keeps it; a younger one sees it; other workspaces do not count", async () => {
    const ws = await createTestWorkspace(prisma);
    const first = await conn(ws.id, "gcp", "organizations/1", {}, new Date(Date.now() - 60_000));
    const second = await conn(ws.id, "gcp", "organizations/1", {}, new Date());
    expect(await rootHeldBy(prisma, first, "organizations/1")).toBeNull();
    expect(await rootHeldBy(prisma, second, "organizations/1")).toEqual({ id: first.id, name: first.name });
    expect(await rootHeldBy(prisma, second, "organizations/2")).toBeNull();
    const elsewhere = await createTestWorkspace(prisma);
    const third = await conn(elsewhere.id, "gcp", "organizations/1", {}, new Date());
    expect(await rootHeldBy(prisma, third, "organizations/1")).toBeNull();
  });

  it("two AWS organizations that happen to share a root id are not the same root", async () => {
    const ws = await createTestWorkspace(prisma);
    const a = await conn(ws.id, "aws", "r-ab12", { orgId: "o-aaaaaaaaaa" }, new Date(Date.now() - 60_000));
    const b = await conn(ws.id, "aws", "r-ab12", { orgId: "o-bbbbbbbbbb" }, new Date());
    expect(await rootHeldBy(prisma, b, "r-ab12")).toBeNull();
    const c = await conn(ws.id, "aws", "r-ab12", { orgId: "o-aaaaaaaaaa" }, new Date());
    expect(await rootHeldBy(prisma, c, "r-ab12")).toEqual({ id: a.id, name: a.name });
    // Without an organization id on either side, the root id decides (the safe side: refuse).
    const d = await conn(ws.id, "aws", "r-ab12", {}, new Date());
    expect(await rootHeldBy(prisma, d, "r-ab12")).toEqual({ id: a.id, name: a.name });
  });
});
