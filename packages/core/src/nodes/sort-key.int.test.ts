/**
 * The stored hierarchy sort key (node.sortKey, kept by triggers) and the keyset pages built on it:
 * the coverage matrix, a level of the environment tree. The oracle is the recursive walk the matrix
 * ran per request before the key was stored (kept here verbatim): every write path — discovery, a
 * rename, a move of an OU with its subtree, a retire, raw SQL in any order — must leave the stored key
 * equal to what that walk computes, and paging through every page must give the walk's order.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Prisma, type PrismaClient } from "@parapet/db";
import type { DiscoveredNode, Hierarchy } from "@parapet/providers/contract";
import type { Actor } from "../common/actor.ts";
import { syncHierarchy } from "../connections/sync-hierarchy.ts";
import { coverageMatrix } from "../coverage/coverage-matrix.ts";
import { createTestWorkspace, testPrisma, uid } from "../testing/db.ts";
import { listNodes } from "./list-nodes.ts";

const prisma = testPrisma();

/** The hierarchy key as the matrix computed it per request before issue 15 (one walk from the roots). */
async function oracleKeys(db: PrismaClient, workspaceId: string): Promise<Map<string, string>> {
  const rows = await db.$queryRaw<Array<{ id: string; k: string }>>`
    WITH RECURSIVE t AS (
      SELECT n.id, (n."connectionId" || chr(2) || lower(n.name) || chr(1) || n.id || chr(2)) COLLATE "C" AS k
      FROM node n WHERE n."workspaceId" = ${workspaceId} AND n."parentId" IS NULL
      UNION ALL
      SELECT c.id, (t.k || lower(c.name) || chr(1) || c.id || chr(2)) COLLATE "C"
      FROM node c JOIN t ON c."parentId" = t.id
    )
    SELECT id, k FROM t`;
  return new Map(rows.map((r) => [r.id, r.k]));
}

/** The matrix's environment order before issue 15: the same walk, filtered and sorted (the old environmentPage). */
async function oracleOrder(db: PrismaClient, workspaceId: string, f: { connectionId?: string; status?: string } = {}): Promise<string[]> {
  const conn = f.connectionId ? Prisma.sql`AND n."connectionId" = ${f.connectionId}` : Prisma.empty;
  const status = f.status
    ? Prisma.sql`AND t.id IN (SELECT cr."nodeId" FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
                              WHERE cr."workspaceId" = ${workspaceId} AND cr.status = ${f.status}::"CoverageStatus")`
    : Prisma.empty;
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE t AS (
      SELECT n.id, n."isEnvironment", n.state, (n."connectionId" || chr(2) || lower(n.name) || chr(1) || n.id || chr(2)) COLLATE "C" AS k
      FROM node n WHERE n."workspaceId" = ${workspaceId} AND n."parentId" IS NULL ${conn}
      UNION ALL
      SELECT c.id, c."isEnvironment", c.state, (t.k || lower(c.name) || chr(1) || c.id || chr(2)) COLLATE "C"
      FROM node c JOIN t ON c."parentId" = t.id
    )
    SELECT t.id FROM t WHERE t."isEnvironment" AND t.state = 'active' ${status}
    ORDER BY t.k COLLATE "C"`;
  return rows.map((r) => r.id);
}

/** Every node's stored key equals the walk's (nodes the walk cannot reach from a root have none to compare). */
async function expectKeysRight(workspaceId: string) {
  const want = await oracleKeys(prisma, workspaceId);
  const stored = await prisma.node.findMany({ where: { workspaceId }, select: { id: true, sortKey: true } });
  expect(stored.length).toBeGreaterThan(0);
  const wrong = stored.filter((n) => want.get(n.id) !== n.sortKey).map((n) => ({ id: n.id, stored: n.sortKey, want: want.get(n.id) }));
  expect(wrong).toEqual([]);
}

async function connection(workspaceId: string, cloud: "aws" | "gcp" = "aws") {
  return prisma.connection.create({ data: { id: uid("c_"), workspaceId, cloud, name: uid("conn ") } });
}

const actor = (workspaceId: string): Actor => ({ workspaceId, userId: "u_test", role: "viewer", kind: "user", label: "test" });

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * An organisation with nested OUs (up to 3 deep) and accounts whose names collide across case, repeat
 * outright (so the id breaks the tie), share prefixes ("a" / "ab") and use non-ASCII letters.
 */
function organisation(seed: number, accounts: number): Hierarchy {
  const r = rng(seed);
  const names = ["prod", "Prod", "PROD", "a", "ab", "a b", "Ärger", "zeta", "Zeta", "payments", "payments-2", "émile", "dev"];
  const nodes: DiscoveredNode[] = [
    { externalId: "r-root", kind: "root", name: "Root", parentExternalId: null, isEnvironment: false, labels: {} },
  ];
  const ous = ["r-root"];
  for (let i = 0; i < 12; i++) {
    const parent = ous[Math.floor(r() * ous.length)]!;
    const id = `ou-${i}`;
    nodes.push({
      externalId: id,
      kind: "ou",
      name: names[Math.floor(r() * names.length)]!,
      parentExternalId: parent,
      isEnvironment: false,
      labels: {},
    });
    ous.push(id);
  }
  for (let i = 0; i < accounts; i++) {
    const parent = ous[Math.floor(r() * ous.length)]!;
    const name = `${names[Math.floor(r() * names.length)]!}${r() < 0.5 ? "" : `-${Math.floor(r() * 5)}`}`;
    nodes.push({ externalId: `acct-${i}`, kind: "account", name, parentExternalId: parent, isEnvironment: true, labels: {} });
  }
  return { rootExternalId: "r-root", nodes };
}

async function idOf(connectionId: string, externalId: string): Promise<string> {
  return (await prisma.node.findUniqueOrThrow({ where: { connectionId_externalId: { connectionId, externalId } } })).id;
}

/** Pages through the matrix with a small limit and returns the environment ids in the order served. */
async function pageAll(workspaceId: string, q: { connectionId?: string; status?: "drifted" | "exempt" | "pending" }, limit: number) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await coverageMatrix({ prisma }, actor(workspaceId), { ...q, limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((x) => x.node.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error("the matrix did not end");
}

describe("node.sortKey, kept by triggers", () => {
  it("discovery writes keys equal to the recursive walk; a rename, a move of an OU with its subtree and a retire keep them so", async () => {
    const ws = await createTestWorkspace(prisma);
    const c = await connection(ws.id);
    const org = organisation(1, 80);
    await syncHierarchy(prisma, ws.id, c.id, org);
    await expectKeysRight(ws.id);

    // Rename an OU that has a subtree: every key below it changes.
    const renamed = org.nodes.find((n) => n.externalId === "ou-1")!;
    renamed.name = "aaa renamed";
    await syncHierarchy(prisma, ws.id, c.id, org);
    await expectKeysRight(ws.id);
    const ou1 = await idOf(c.id, "ou-1");
    const under = await prisma.node.findMany({ where: { connectionId: c.id, path: { contains: `/${ou1}/` } }, select: { sortKey: true } });
    const ou1Key = (await prisma.node.findUniqueOrThrow({ where: { id: ou1 } })).sortKey;
    expect(ou1Key).toContain("aaa renamed\u0001");
    for (const n of under) expect(n.sortKey.startsWith(ou1Key)).toBe(true);

    // Move an OU with its subtree under another OU (and an account to the root).
    const moved = org.nodes.find((n) => n.externalId === "ou-2")!;
    const below = new Set(["ou-2"]);
    for (let grew = true; grew;) {
      grew = false;
      for (const n of org.nodes)
        if (n.parentExternalId && below.has(n.parentExternalId) && !below.has(n.externalId)) grew = below.add(n.externalId).size > 0;
    }
    expect(below.size).toBeGreaterThan(1); // it has a subtree to carry
    moved.parentExternalId = org.nodes.find(
      (n) => n.kind === "ou" && !below.has(n.externalId) && n.externalId !== moved.parentExternalId,
    )!.externalId;
    org.nodes.find((n) => n.externalId === "acct-3")!.parentExternalId = "r-root";
    await syncHierarchy(prisma, ws.id, c.id, org);
    await expectKeysRight(ws.id);

    // Retire: accounts that vanished are marked removed, keep a right key, and leave the matrix.
    const gone = org.nodes.filter((n) => n.externalId === "acct-7" || n.externalId === "acct-8").map((n) => n.externalId);
    org.nodes = org.nodes.filter((n) => !gone.includes(n.externalId));
    await syncHierarchy(prisma, ws.id, c.id, org);
    await expectKeysRight(ws.id);
    const retired = await Promise.all(gone.map((e) => idOf(c.id, e)));
    const served = await pageAll(ws.id, {}, 9);
    for (const id of retired) expect(served).not.toContain(id);
    expect(served).toEqual(await oracleOrder(prisma, ws.id));
  });

  it("raw SQL writers in any order: children inserted before their parent, a rename and a move by UPDATE, a parent deleted, a key written directly", async () => {
    const ws = await createTestWorkspace(prisma);
    const c = await connection(ws.id, "gcp");
    const p = (s: string) => `${s}_${randomBytes(3).toString("hex")}`;
    const [root, f1, f2, e1, e2, e3] = [p("root"), p("f1"), p("f2"), p("e1"), p("e2"), p("e3")];
    // One statement, children first: the parents do not exist yet when the children's keys are computed.
    await prisma.$executeRaw`
      INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "isEnvironment")
      VALUES (${e1}, ${ws.id}, ${c.id}, 'projects/1', 'project', 'Billing', ${f1}, '', 2, true),
             (${e2}, ${ws.id}, ${c.id}, 'projects/2', 'project', 'api', ${f1}, '', 2, true),
             (${f1}, ${ws.id}, ${c.id}, 'folders/1', 'folder', 'Teams', ${root}, '', 1, false),
             (${e3}, ${ws.id}, ${c.id}, 'projects/3', 'project', 'web', ${f2}, '', 2, true),
             (${f2}, ${ws.id}, ${c.id}, 'folders/2', 'folder', 'Apps', ${root}, '', 1, false),
             (${root}, ${ws.id}, ${c.id}, 'organizations/1', 'organization', 'Acme', NULL, '', 0, false)`;
    await expectKeysRight(ws.id);
    expect(await pageAll(ws.id, {}, 2)).toEqual([e3, e2, e1]); // Apps/web, then Teams/api, Teams/Billing

    // An incremental writer renames a folder and moves a project, each with a plain UPDATE.
    await prisma.$executeRaw`UPDATE node SET name = 'Zoo' WHERE id = ${f2}`;
    await expectKeysRight(ws.id);
    await prisma.$executeRaw`UPDATE node SET "parentId" = ${f2} WHERE id = ${e2}`;
    await expectKeysRight(ws.id);
    expect(await pageAll(ws.id, {}, 2)).toEqual([e1, e2, e3]); // Teams/Billing, then Zoo/api, Zoo/web

    // Two levels changed in one statement (the child may be written before its parent's new key).
    await prisma.$executeRaw`UPDATE node SET name = CASE WHEN id = ${f2} THEN 'Aardvark' ELSE 'zz-web' END WHERE id IN (${e3}, ${f2})`;
    await expectKeysRight(ws.id);

    // A key written directly is recomputed, not trusted.
    await prisma.$executeRaw`UPDATE node SET "sortKey" = 'forged' WHERE id = ${f1}`;
    await expectKeysRight(ws.id);

    // Deleting a folder sets its children's parent to NULL (the FK): they are roots now, keys follow.
    await prisma.$executeRaw`DELETE FROM node WHERE id = ${f1}`;
    await expectKeysRight(ws.id);
    expect((await prisma.node.findUniqueOrThrow({ where: { id: e1 } })).sortKey.startsWith(`${c.id}\u0002billing\u0001`)).toBe(true);
  });

  it("control characters in a name cannot break a subtree's key range", async () => {
    const ws = await createTestWorkspace(prisma);
    const c = await connection(ws.id);
    await syncHierarchy(prisma, ws.id, c.id, {
      rootExternalId: "r",
      nodes: [
        { externalId: "r", kind: "root", name: "Root", parentExternalId: null, isEnvironment: false, labels: {} },
        { externalId: "ou-a", kind: "ou", name: "a", parentExternalId: "r", isEnvironment: false, labels: {} },
        { externalId: "ou-b", kind: "ou", name: "a\u0001\u0002", parentExternalId: "r", isEnvironment: false, labels: {} },
        { externalId: "1", kind: "account", name: "x", parentExternalId: "ou-a", isEnvironment: true, labels: {} },
        { externalId: "2", kind: "account", name: "y", parentExternalId: "ou-b", isEnvironment: true, labels: {} },
        { externalId: "3", kind: "account", name: "z", parentExternalId: "ou-a", isEnvironment: true, labels: {} },
      ],
    });
    const [a, b] = [await idOf(c.id, "ou-a"), await idOf(c.id, "ou-b")];
    const keys = await prisma.node.findMany({ where: { connectionId: c.id }, select: { id: true, parentId: true, sortKey: true } });
    const keyOf = new Map(keys.map((k) => [k.id, k.sortKey]));
    expect(keyOf.get(b)).not.toContain("a\u0001\u0002");
    for (const k of keys.filter((x) => x.parentId === a || x.parentId === b))
      expect(k.sortKey.startsWith(keyOf.get(k.parentId!)!)).toBe(true);
    // Each OU's accounts are contiguous in the served order.
    const served = (await pageAll(ws.id, {}, 1)).map((id) => keys.find((k) => k.id === id)!.parentId);
    expect(served.join(",")).toMatch(new RegExp(`^(${a},${a},${b}|${b},${a},${a})$`));
  });
});

describe("keyset pages on the stored key", () => {
  it("paging the matrix through every page gives each environment once, in the recursive walk's order (all connections, one, by status)", async () => {
    const ws = await createTestWorkspace(prisma);
    const [c1, c2] = [await connection(ws.id), await connection(ws.id, "gcp")];
    await syncHierarchy(prisma, ws.id, c1.id, organisation(7, 150));
    await syncHierarchy(prisma, ws.id, c2.id, organisation(8, 60));
    const gs = await Promise.all(
      ["one", "two", "archived"].map((name) =>
        prisma.guardrail.create({
          data: {
            id: uid("g_"),
            workspaceId: ws.id,
            controlId: "restrict-regions",
            name,
            status: name === "archived" ? "disabled" : "active",
          },
        }),
      ),
    );
    const envs = await prisma.node.findMany({
      where: { workspaceId: ws.id, isEnvironment: true },
      select: { id: true, connectionId: true },
    });
    const r = rng(3);
    const statuses = ["enforced", "enforced", "enforced", "drifted", "exempt"] as const;
    await prisma.coverageRow.createMany({
      data: envs.flatMap((e) =>
        gs.map((g) => ({
          workspaceId: ws.id,
          connectionId: e.connectionId,
          nodeId: e.id,
          guardrailId: g.id,
          // "pending" only on the archived guardrail: the filter must not count it.
          status: g.name === "archived" ? ("pending" as const) : statuses[Math.floor(r() * statuses.length)]!,
          fidelity: "enforced",
        })),
      ),
    });
    // A few environments retired after their cells were written.
    await prisma.node.updateMany({ where: { id: { in: envs.slice(0, 5).map((e) => e.id) } }, data: { state: "removed" } });

    const all = await pageAll(ws.id, {}, 13);
    expect(all).toHaveLength(envs.length - 5);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(await oracleOrder(prisma, ws.id));
    expect(await pageAll(ws.id, { connectionId: c2.id }, 7)).toEqual(await oracleOrder(prisma, ws.id, { connectionId: c2.id }));

    for (const status of ["drifted", "exempt", "pending"] as const) {
      const served = await pageAll(ws.id, { status }, 11);
      expect(served).toEqual(await oracleOrder(prisma, ws.id, { status }));
      // A recount from the cells themselves: active environments with a cell of an active guardrail in the status.
      const active = new Set(gs.filter((g) => g.status === "active").map((g) => g.id));
      const cells = await prisma.coverageRow.findMany({
        where: { workspaceId: ws.id, status },
        select: { nodeId: true, guardrailId: true },
      });
      const live = new Set(
        (await prisma.node.findMany({ where: { workspaceId: ws.id, state: "active" }, select: { id: true } })).map((n) => n.id),
      );
      const recount = new Set(cells.filter((x) => active.has(x.guardrailId) && live.has(x.nodeId)).map((x) => x.nodeId));
      expect(new Set(served)).toEqual(recount);
      if (status === "pending") expect(served).toEqual([]);
    }
    expect(await pageAll(ws.id, { connectionId: c1.id, status: "drifted" }, 5)).toEqual(
      await oracleOrder(prisma, ws.id, { connectionId: c1.id, status: "drifted" }),
    );
  });

  it("a row renamed between two pages neither shifts nor skips the rest: the cursor is the key, not the row", async () => {
    const ws = await createTestWorkspace(prisma);
    const c = await connection(ws.id);
    await syncHierarchy(prisma, ws.id, c.id, organisation(11, 30));
    const order = await oracleOrder(prisma, ws.id);
    const first = await coverageMatrix({ prisma }, actor(ws.id), { limit: 10 });
    expect(first.items.map((x) => x.node.id)).toEqual(order.slice(0, 10));
    const last = first.items.at(-1)!.node.id;
    // The page's last row moves to the end of its siblings before the next page is asked for. A cursor
    // naming the row would now resume after its new place and skip the rows in between.
    await prisma.node.update({ where: { id: last }, data: { name: "~~~ last" } });
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await coverageMatrix({ prisma }, actor(ws.id), { limit: 10, cursor });
      rest.push(...page.items.map((x) => x.node.id));
      cursor = page.nextCursor;
    }
    expect(rest.filter((id) => id !== last)).toEqual(order.slice(10));
  });

  it("a level of the tree pages by key: each child once, siblings by lower(name) then id; a search pages in tree order", async () => {
    const ws = await createTestWorkspace(prisma);
    const c = await connection(ws.id);
    const names = ["b", "B", "a", "A", "a", "c-2", "C-10", "alpha", "Alpha", "zulu", "Zulu", "m"];
    await syncHierarchy(prisma, ws.id, c.id, {
      rootExternalId: "r",
      nodes: [
        { externalId: "r", kind: "root", name: "Root", parentExternalId: null, isEnvironment: false, labels: {} },
        ...Array.from({ length: 37 }, (_, i) => ({
          externalId: `acct-${i}`,
          kind: "account",
          name: `${names[i % names.length]!}${i % 3 === 0 ? "" : " team"}`,
          parentExternalId: "r",
          isEnvironment: true,
          labels: {},
        })),
      ],
    });
    const root = await idOf(c.id, "r");
    const children = await prisma.node.findMany({ where: { parentId: root }, select: { id: true, name: true } });
    // Byte order of (lower(name), \x01, id): names here are ASCII, so JS code-unit order is byte order.
    const want = children
      .map((n) => ({ id: n.id, k: `${n.name.toLowerCase()}\u0001${n.id}` }))
      .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0))
      .map((x) => x.id);
    const level = async (q: { parentId?: string; q?: string }, limit: number) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listNodes({ prisma }, actor(ws.id), c.id, { ...q, limit, cursor });
        ids.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids;
    };
    expect(await level({ parentId: root }, 5)).toEqual(want);
    expect(await level({}, 5)).toEqual([root]);
    const team = await level({ q: "TEAM" }, 4);
    expect(team).toEqual(want.filter((id) => children.find((n) => n.id === id)!.name.endsWith(" team")));
    // The search text is literal: LIKE's wildcards in it match only themselves.
    expect(await level({ q: "%" }, 5)).toEqual([]);
    expect(await level({ q: "_" }, 5)).toEqual([]);
  });
});
