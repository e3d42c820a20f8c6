/**
 * coverage_count, coverage_subtree_count and node_cells are kept by triggers (migrations
 * 20261207010000_coverage_aggregates, 20261208140000_node_cells). After every step of a random sequence of what writes coverage
 * rows or the nodes they hang on — reconciles through the real writer, concurrent reconciles of
 * different connections, raw updates and deletes, environments retired, restored, moved with their
 * OU, deleted; guardrails and connections deleted (FK cascades), TRUNCATE — the three tables must equal a
 * recount from coverage_row and node made here in TypeScript, independently of the triggers' SQL.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Tx } from "@parapet/db";
import { createTestWorkspace, testPrisma, uid } from "../testing/db.ts";
import { writeCoverageRows, type CoverageRowInput } from "../reconcile/coverage-rows.ts";
import { markNodesRemoved } from "../connections/hierarchy.repository.ts";
import { countsByConnectionAndGuardrail, subtreeCounts } from "./coverage.repository.ts";
import { coverageCounts } from "../guardrails/guardrails.repository.ts";
import type { Actor } from "../common/actor.ts";
import { coverageOverview } from "./coverage-overview.ts";
import { getGuardrail } from "../guardrails/get-guardrail.ts";
import { listGuardrails } from "../guardrails/list-guardrails.ts";
import { getNodeCoverage } from "../nodes/get-node-coverage.ts";

const prisma = testPrisma();
afterAll(() => prisma.$disconnect());

const STATUSES = ["enforced", "audit", "exempt", "drifted", "unsupported", "unknown", "pending"] as const;

/** mulberry32: the sequence is reproducible from the printed seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

/** What both tables must hold, recounted from the rows: `key → n`, zero counts absent. */
async function recount(workspaceId: string) {
  const [rows, nodes] = await Promise.all([
    prisma.coverageRow.findMany({ where: { workspaceId }, select: { connectionId: true, nodeId: true, guardrailId: true, status: true } }),
    prisma.node.findMany({ where: { workspaceId }, select: { id: true, path: true, state: true } }),
  ]);
  const nodeOf = new Map(nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  const subtree = new Map<string, number>();
  // node_cells: one entry per cell, `node|connection|guardrail|status`.
  const cells = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const r of rows) {
    bump(counts, `${r.connectionId}|${r.guardrailId}|${r.status}`);
    bump(cells, `${r.nodeId}|${r.connectionId}|${r.guardrailId}|${r.status}`);
    const n = nodeOf.get(r.nodeId)!;
    if (n.state !== "active") continue;
    const scopes = [r.connectionId, ...n.path.split("/").filter((p) => p && p !== n.id)];
    for (const s of scopes) bump(subtree, `${s}|${r.guardrailId}|${r.status}|${r.connectionId}`);
  }
  return { counts, subtree, cells };
}

async function aggregates(workspaceId: string) {
  const connIds = (await prisma.connection.findMany({ where: { workspaceId }, select: { id: true } })).map((c) => c.id);
  const [c, s, nc] = await Promise.all([
    prisma.coverageCount.findMany({ where: { workspaceId } }),
    prisma.coverageSubtreeCount.findMany({ where: { connectionId: { in: connIds } } }),
    prisma.nodeCells.findMany({ where: { connectionId: { in: connIds } } }),
  ]);
  const cells = new Map<string, number>();
  for (const r of nc) {
    // An environment without cells has no row (an empty object would be a row the triggers forgot).
    expect(Object.keys(r.cells as object).length, `node_cells of ${r.nodeId} is empty`).toBeGreaterThan(0);
    for (const [g, status] of Object.entries(r.cells as Record<string, string>))
      cells.set(`${r.nodeId}|${r.connectionId}|${g}|${status}`, 1);
  }
  return {
    counts: new Map(c.map((r) => [`${r.connectionId}|${r.guardrailId}|${r.status}`, r.n])),
    subtree: new Map(s.map((r) => [`${r.scopeId}|${r.guardrailId}|${r.status}|${r.connectionId}`, r.n])),
    cells,
  };
}

const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

interface Conn {
  id: string;
  root: string;
  ous: string[];
  envs: string[];
}

async function makeConnection(workspaceId: string, r: ReturnType<typeof rng>): Promise<Conn> {
  const id = uid("c_");
  await prisma.connection.create({ data: { id, workspaceId, cloud: "aws", name: id, status: "active" } });
  const root = uid("n_");
  const node = (nid: string, parentId: string | null, path: string, depth: number, isEnvironment: boolean) => ({
    id: nid,
    workspaceId,
    connectionId: id,
    externalId: nid,
    kind: isEnvironment ? "account" : parentId ? "ou" : "root",
    name: nid,
    parentId,
    path,
    depth,
    isEnvironment,
  });
  const data = [node(root, null, `/${root}/`, 0, false)];
  const ous: Array<{ id: string; path: string; depth: number }> = [];
  // Two levels of OUs: three below the root, one or two below each of those.
  for (let i = 0; i < 3; i++) {
    const ou = uid("n_");
    ous.push({ id: ou, path: `/${root}/${ou}/`, depth: 1 });
    for (let j = 0; j <= r.int(2); j++) {
      const sub = uid("n_");
      ous.push({ id: sub, path: `/${root}/${ou}/${sub}/`, depth: 2 });
    }
  }
  for (const o of ous) data.push(node(o.id, o.path.split("/").filter(Boolean).at(-2)!, o.path, o.depth, false));
  const envs: string[] = [];
  for (let i = 0; i < 10; i++) {
    const parent = r.pick(ous);
    const e = uid("n_");
    envs.push(e);
    data.push(node(e, parent.id, `${parent.path}${e}/`, parent.depth + 1, true));
  }
  await prisma.node.createMany({ data });
  return { id, root, ous: ous.map((o) => o.id), envs };
}

/** A reconcile's outcome: some environment × guardrail pairs (others dropped), random statuses. */
function randomRows(c: Conn, guardrails: string[], r: ReturnType<typeof rng>): CoverageRowInput[] {
  const rows: CoverageRowInput[] = [];
  for (const nodeId of c.envs)
    for (const guardrailId of guardrails)
      if (r.next() < 0.8)
        rows.push({ nodeId, guardrailId, status: r.pick(STATUSES), fidelity: "enforced", detail: r.next() < 0.2 ? "x" : null });
  return rows;
}

/** Moves an OU (and so every path below it) under another top-level place, the way discovery rewrites paths. */
async function moveOu(c: Conn, r: ReturnType<typeof rng>) {
  const nodes = await prisma.node.findMany({ where: { connectionId: c.id }, select: { id: true, path: true, isEnvironment: true } });
  const ous = nodes.filter((n) => !n.isEnvironment && n.id !== c.root);
  const ou = r.pick(ous);
  const targets = nodes.filter((n) => !n.isEnvironment && !n.path.startsWith(ou.path));
  if (targets.length === 0) return;
  const target = r.pick(targets);
  const newPath = `${target.path}${ou.id}/`;
  const moved = nodes.filter((n) => n.path.startsWith(ou.path));
  await prisma.$transaction(
    moved.map((n) =>
      prisma.node.update({
        where: { id: n.id },
        data: { path: newPath + n.path.slice(ou.path.length), ...(n.id === ou.id ? { parentId: target.id } : {}) },
      }),
    ),
  );
}

describe("coverage aggregates", () => {
  it("equal a recount from coverage_row after every step of random reconciles, node changes and cascades", async () => {
    const seed = Number(process.env.AGG_SEED ?? Date.now() % 1_000_000);
    console.log(`coverage aggregates: seed ${seed} (AGG_SEED=${seed} reproduces)`);
    const r = rng(seed);
    const ws = await createTestWorkspace();
    const guardrails: string[] = [];
    const newGuardrail = async () => {
      const g = await prisma.guardrail.create({ data: { workspaceId: ws.id, controlId: "restrict-regions", name: uid("G ") } });
      guardrails.push(g.id);
    };
    for (let i = 0; i < 4; i++) await newGuardrail();
    const conns: Conn[] = [];
    for (let i = 0; i < 3; i++) conns.push(await makeConnection(ws.id, r));

    /** The real writer, as the record phase calls it: the connection's environments, their rows chunk by chunk. */
    const reconcile = (c: Conn) => {
      const rows = randomRows(c, guardrails, r);
      return writeCoverageRows(prisma, ws.id, c.id, c.envs, (chunk) => rows.filter((x) => chunk.has(x.nodeId)));
    };
    const ops: Record<string, () => Promise<unknown>> = {
      reconcile: () => {
        const c = r.pick(conns);
        return reconcile(c);
      },
      // A large write: the triggers leave the connection's counts to one recount before commit.
      bulkReconcile: () => {
        const c = r.pick(conns);
        const rows = randomRows(c, guardrails, r);
        return writeCoverageRows(prisma, ws.id, c.id, c.envs, (chunk) => rows.filter((x) => chunk.has(x.nodeId)), { bulkAfterRows: 0 });
      },
      // Two connections' reconciles at once: their aggregate rows are disjoint, so neither waits nor deadlocks.
      concurrentReconciles: () => Promise.all(conns.slice(0, 2).map((c) => reconcile(c))),
      rawUpdate: () =>
        prisma.$executeRaw`UPDATE coverage_row SET status = ${r.pick(STATUSES)}::"CoverageStatus"
                           WHERE "workspaceId" = ${ws.id} AND abs(hashtext(id || ${String(r.int(1000))})) % 3 = 0`,
      rawUpdateNode: async () => {
        // A cell moved to another environment of its connection (no writer does this; the triggers must not care).
        const c = r.pick(conns);
        const [from, to] = [r.pick(c.envs), r.pick(c.envs)];
        if (from !== to)
          await prisma.$executeRaw`UPDATE coverage_row SET "nodeId" = ${to} WHERE "nodeId" = ${from}
                                   AND "guardrailId" NOT IN (SELECT "guardrailId" FROM coverage_row WHERE "nodeId" = ${to})`;
      },
      rawDelete: () =>
        prisma.$executeRaw`DELETE FROM coverage_row WHERE "workspaceId" = ${ws.id} AND status = ${r.pick(STATUSES)}::"CoverageStatus"`,
      retire: () => {
        const c = r.pick(conns);
        return markNodesRemoved(prisma, [r.pick(c.envs), r.pick(c.envs)]);
      },
      retireOu: () => {
        const c = r.pick(conns);
        return markNodesRemoved(prisma, [r.pick(c.ous)]);
      },
      restore: () => prisma.node.updateMany({ where: { workspaceId: ws.id, state: "removed" }, data: { state: "active" } }),
      move: () => moveOu(r.pick(conns), r),
      // A node update that changes neither state nor path moves nothing.
      relabel: () => prisma.node.updateMany({ where: { connectionId: r.pick(conns).id }, data: { effectiveLabels: { env: "prod" } } }),
      deleteEnvironment: async () => {
        const c = r.pick(conns);
        if (c.envs.length <= 2) return;
        const e = c.envs.splice(r.int(c.envs.length), 1)[0]!;
        await prisma.node.delete({ where: { id: e } });
      },
      // Children keep their parentId set null by the FK and their (now stale) path: the recount follows the path too.
      deleteOu: async () => {
        const c = r.pick(conns);
        if (c.ous.length <= 2) return;
        const o = c.ous.splice(r.int(c.ous.length), 1)[0]!;
        await prisma.node.delete({ where: { id: o } });
      },
      deleteGuardrail: async () => {
        if (guardrails.length <= 2) return;
        const g = guardrails.splice(r.int(guardrails.length), 1)[0]!;
        await prisma.guardrail.delete({ where: { id: g } });
        await newGuardrail();
      },
      deleteConnection: async () => {
        const i = r.int(conns.length);
        await prisma.connection.delete({ where: { id: conns[i]!.id } });
        conns[i] = await makeConnection(ws.id, r);
      },
    };
    // Reconciles dominate, as in production.
    const weighted = [
      ...Array<string>(8).fill("reconcile"),
      ...Array<string>(2).fill("concurrentReconciles"),
      ...Object.keys(ops).filter((k) => k !== "reconcile" && k !== "concurrentReconciles"),
    ];
    const steps = Number(process.env.AGG_STEPS ?? 120);
    // Every kind of step at least once (in a random order, after three reconciles), then random ones.
    const names = Object.keys(ops);
    const shuffled = names
      .map((k) => [r.next(), k] as const)
      .sort(([a], [b]) => a - b)
      .map(([, k]) => k);
    const plan = ["reconcile", "reconcile", "reconcile", ...shuffled];
    const seen = new Set<string>();
    for (let step = 0; step < Math.max(steps, plan.length); step++) {
      const op = plan[step] ?? r.pick(weighted);
      seen.add(op);
      await ops[op]!();
      const [want, have] = await Promise.all([recount(ws.id), aggregates(ws.id)]);
      expect(sorted(have.counts), `coverage_count after step ${step} (${op}), seed ${seed}`).toEqual(sorted(want.counts));
      expect(sorted(have.subtree), `coverage_subtree_count after step ${step} (${op}), seed ${seed}`).toEqual(sorted(want.subtree));
      expect(sorted(have.cells), `node_cells after step ${step} (${op}), seed ${seed}`).toEqual(sorted(want.cells));
    }
    expect([...seen].sort()).toEqual(Object.keys(ops).sort());

    // The reads answer from the tables: the overview's and a guardrail page's counts, an OU's and a root's.
    const want = await recount(ws.id);
    const overview = await countsByConnectionAndGuardrail(prisma, ws.id, guardrails);
    expect(overview.reduce((n, x) => n + x.n, 0)).toBe(
      await prisma.coverageRow.count({ where: { workspaceId: ws.id, guardrailId: { in: guardrails } } }),
    );
    const g0 = await coverageCounts(prisma, ws.id, guardrails[0]);
    expect(g0.reduce((n, x) => n + x.n, 0)).toBe(await prisma.coverageRow.count({ where: { guardrailId: guardrails[0] } }));
    const c0 = conns[0]!;
    for (const scope of [c0.root, c0.id, ...c0.ous]) {
      const got = await subtreeCounts(prisma, scope);
      const expected = sorted(want.subtree).filter(([k]) => k.startsWith(`${scope}|`));
      expect(got.map((x) => [`${scope}|${x.guardrailId}|${x.status}|${c0.id}`, x.n]).sort(([a], [b]) => (a! < b! ? -1 : 1))).toEqual(
        expected,
      );
    }

    // The use-cases the pages call: the overview's totals, the guardrail list's and detail's counts, a node page.
    const actor: Actor = { workspaceId: ws.id, userId: "u", role: "viewer", kind: "user", label: "viewer@test" };
    const statusTotals = (rows: Array<{ status: string }>) => {
      const t: Record<string, number> = {};
      for (const x of rows) t[x.status] = (t[x.status] ?? 0) + 1;
      return t;
    };
    const cellsOf = (where: { guardrailId?: string; nodeIds?: string[] }) =>
      prisma.coverageRow.findMany({
        where: {
          workspaceId: ws.id,
          guardrailId: where.guardrailId ?? { in: guardrails },
          ...(where.nodeIds ? { nodeId: { in: where.nodeIds } } : {}),
        },
        select: { status: true },
      });
    const withoutTotal = (t: object) => Object.fromEntries(Object.entries(t).filter(([k, n]) => k !== "total" && (n as number) > 0));
    const ov = await coverageOverview({ prisma }, actor);
    expect(withoutTotal(ov.totals)).toEqual(statusTotals(await cellsOf({})));
    const detail = await getGuardrail({ prisma }, actor, guardrails[0]!);
    expect(withoutTotal(detail.coverage)).toEqual(statusTotals(await cellsOf({ guardrailId: guardrails[0]! })));
    const list = await listGuardrails({ prisma }, actor);
    for (const g of list.items) expect(withoutTotal(g.coverage)).toEqual(statusTotals(await cellsOf({ guardrailId: g.id })));
    const page = await getNodeCoverage({ prisma }, actor, c0.root);
    const activeBelow = await prisma.node.findMany({
      where: { connectionId: c0.id, state: "active", path: { startsWith: `/${c0.root}/` } },
      select: { id: true },
    });
    for (const item of page.items)
      expect(item.counts ?? {}).toEqual(
        statusTotals(
          await prisma.coverageRow.findMany({
            where: { guardrailId: item.guardrail.id, nodeId: { in: activeBelow.map((n) => n.id) } },
            select: { status: true },
          }),
        ),
      );

    // TRUNCATE bypasses the row triggers; the aggregates empty with it.
    await prisma.$executeRawUnsafe("TRUNCATE coverage_row");
    expect(await prisma.coverageCount.count()).toBe(0);
    expect(await prisma.coverageSubtreeCount.count()).toBe(0);
    expect(await prisma.nodeCells.count()).toBe(0);
  });

  // Without the connection's advisory lock each side would count under what it could see: the cells
  // under the old state (the node change moving nothing it could not see yet), and so off by the lot.
  it("stay exact when a node is retired while another transaction writes its cells, in either order", async () => {
    const r = rng(7);
    const ws = await createTestWorkspace();
    const g = await prisma.guardrail.create({ data: { workspaceId: ws.id, controlId: "restrict-regions", name: "G" } });
    const c = await makeConnection(ws.id, r);
    const check = async () => {
      const [want, have] = await Promise.all([recount(ws.id), aggregates(ws.id)]);
      expect(sorted(have.subtree)).toEqual(sorted(want.subtree));
      expect(sorted(have.counts)).toEqual(sorted(want.counts));
      expect(sorted(have.cells)).toEqual(sorted(want.cells));
    };
    const cells = (nodeId: string) => [
      { workspaceId: ws.id, connectionId: c.id, nodeId, guardrailId: g.id, status: "enforced" as const, fidelity: "enforced" },
    ];
    /** Runs `first` in a transaction that stays open until `second` (outside it) has started and had time to block. */
    async function overlapped(first: (tx: Tx) => Promise<unknown>, second: () => Promise<unknown>) {
      let started!: () => void;
      const inside = new Promise<void>((res) => (started = res));
      let release!: () => void;
      const gate = new Promise<void>((res) => (release = res));
      const t1 = prisma.$transaction(async (tx) => {
        await first(tx);
        started();
        await gate;
      });
      await inside;
      // Prisma's promises are lazy: start the query now, not when awaited.
      const t2 = (async () => await second())();
      await new Promise((res) => setTimeout(res, 300));
      release();
      await Promise.all([t1, t2]);
    }
    // Cells written first (uncommitted), then the node retired.
    const [e1, e2] = [c.envs[0]!, c.envs[1]!];
    await overlapped(
      (tx) => tx.coverageRow.createMany({ data: cells(e1) }),
      () => markNodesRemoved(prisma, [e1]),
    );
    await check();
    // The node retired first (uncommitted), then its cells written.
    await overlapped(
      (tx) => tx.node.update({ where: { id: e2 }, data: { state: "removed" } }),
      () => prisma.coverageRow.createMany({ data: cells(e2) }),
    );
    await check();
  });
});
