/**
 * Coverage aggregates (issue 15): what the trigger-maintained coverage_count / coverage_subtree_count
 * cost the writers and save the readers, at 10,000 environments × 50 guardrails (500,000 cells).
 *
 * Writes, shaped as the reconcile writer (coverage-rows.repository.ts) issues them — one transaction per
 * connection, 200-row INSERT statements, UPDATE ... WHERE id IN (200 ids) — but over pg directly:
 * on a loaded machine the writer's 60 s interactive-transaction limit is shorter than writing a
 * 350,000-cell connection from scratch, with or without triggers. Timed: the first 500,000 cells, a
 * steady-state reconcile changing 1 % of them, retiring 100 environments, moving an OU with its
 * environments; each with the triggers disabled and enabled on the same data, so the ratio is what the
 * aggregates add.
 * Reads: each count the dashboard makes, as it was (grouping coverage_row) and as it is (the
 * aggregates): EXPLAIN ANALYZE execution time (load-independent enough to compare) and the median of
 * 20 calls through Prisma, one at a time.
 *   pnpm exec tsx bench/coverage-aggregates.bench.ts [rows-per-statement=200]
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { subtreeCounts, countsByConnectionAndGuardrail } from "@parapet/core/coverage/coverage.repository";
import { coverageCounts } from "@parapet/core/guardrails/guardrails.repository";
import { COVERAGE_ROW_TRIGGERS, seedConnectionHierarchy } from "./lib/coverage-seed.ts";
import { report, type Figure } from "./lib/report.ts";
import { load1, percentile, startBenchStack } from "./lib/stack.ts";

const ENVS: Record<"aws" | "azure" | "gcp" | "oci", number> = { aws: 7000, azure: 1000, gcp: 1000, oci: 1000 };
const GUARDRAILS = 50;
const OUS = 20;
const STATUSES = ["enforced", "audit", "exempt", "drifted", "unsupported", "unknown"] as const;

const stack = await startBenchStack({ tag: "aggregates", poolMax: 4 });
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
const load0 = load1();

// --- hierarchy: per connection a root, 20 OUs, environments below them; paths as discovery writes them.
const wsId = `ws_agg_${randomBytes(4).toString("hex")}`;
await db.query(`INSERT INTO workspace (id, name, slug, "createdAt") VALUES ($1, 'Aggregates bench', $2, now())`, [
  wsId,
  wsId.replace(/_/g, "-"),
]);
const conns: Array<{ id: string; root: string; envs: string[] }> = [];
for (const [cloud, n] of Object.entries(ENVS)) {
  const conn = `c_${cloud}`;
  const root = `n_${cloud}_root`;
  const envs = await seedConnectionHierarchy(db, { workspaceId: wsId, connectionId: conn, rootId: root, cloud, ous: OUS, envs: n });
  conns.push({ id: conn, root, envs });
}
await db.query(
  `INSERT INTO guardrail (id, "workspaceId", "controlId", name, "updatedAt") SELECT 'g_' || i, $1, 'restrict-regions', 'Guardrail ' || i, now() FROM generate_series(1, ${GUARDRAILS}) i`,
  [wsId],
);
const guardrails = Array.from({ length: GUARDRAILS }, (_, i) => `g_${i + 1}`);
await db.query("ANALYZE");

// Rows per statement: by default as the reconcile writer batches (packages/core/src/reconcile/coverage-rows.ts,
// 200 since 8447369); `… 5000` reproduces the figures recorded before that.
const BATCH = Number(process.argv[2] ?? 200);
const cellsOf = (c: (typeof conns)[number]) =>
  c.envs.flatMap((nodeId, i) =>
    guardrails.map((guardrailId, j) => ({
      id: `${nodeId}_${guardrailId}`,
      nodeId,
      guardrailId,
      status: STATUSES[(i + j) % 17 < 14 ? 0 : ((i + j) % 5) + 1]!,
      // 1 % of the cells change in the steady-state reconcile.
      changes: (i * GUARDRAILS + j) % 100 === 0,
    })),
  );
async function inTx(fn: () => Promise<void>) {
  await db.query("BEGIN");
  await fn();
  await db.query("COMMIT");
}

async function triggers(on: boolean) {
  for (const t of COVERAGE_ROW_TRIGGERS) await db.query(`ALTER TABLE coverage_row ${on ? "ENABLE" : "DISABLE"} TRIGGER ${t}`);
  await db.query(`ALTER TABLE node ${on ? "ENABLE" : "DISABLE"} TRIGGER node_coverage_aggregates`);
}
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
/** The first write of every connection's cells: one transaction per connection, 5,000 rows per INSERT. */
const insertAll = () =>
  timed(async () => {
    for (const c of conns) {
      const cells = cellsOf(c);
      await inTx(async () => {
        for (let i = 0; i < cells.length; i += BATCH) {
          const b = cells.slice(i, i + BATCH);
          await db.query(
            `INSERT INTO coverage_row (id, "workspaceId", "connectionId", "nodeId", "guardrailId", status, fidelity, "updatedAt")
             SELECT id, $1, $2, n, g, s::"CoverageStatus", 'enforced', now() FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) x(id, n, g, s)`,
            [wsId, c.id, b.map((x) => x.id), b.map((x) => x.nodeId), b.map((x) => x.guardrailId), b.map((x) => x.status)],
          );
        }
      });
    }
  });
/** A steady-state reconcile: 1 % of the cells change status, 200 ids per UPDATE, a transaction per connection. */
const updateSome = () =>
  timed(async () => {
    for (const c of conns) {
      const ids = cellsOf(c)
        .filter((x) => x.changes)
        .map((x) => x.id);
      await inTx(async () => {
        for (let i = 0; i < ids.length; i += BATCH)
          await db.query(`UPDATE coverage_row SET status = 'drifted', detail = 'changed' WHERE id = ANY($1)`, [ids.slice(i, i + BATCH)]);
      });
    }
  });
/** Undoes updateSome (one statement; not timed). */
const revert = () => db.query(`UPDATE coverage_row SET status = 'enforced', detail = NULL WHERE detail = 'changed'`);

/** Both aggregates equal a recount from coverage_row (the invariant the triggers keep). */
async function aggregatesExact(): Promise<boolean> {
  const diff = await db.query(`
    WITH want AS (SELECT "connectionId", "guardrailId", status, count(*)::int n FROM coverage_row GROUP BY 1, 2, 3),
         wantS AS (SELECT a.s, cr."guardrailId", cr.status, count(*)::int n FROM coverage_row cr JOIN node nd ON nd.id = cr."nodeId" AND nd.state = 'active'
                   CROSS JOIN LATERAL (SELECT cr."connectionId" UNION ALL SELECT p FROM unnest(string_to_array(nd.path, '/')) p WHERE p <> '' AND p <> nd.id) a(s) GROUP BY 1, 2, 3)
    SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT "connectionId", "guardrailId", status, n FROM coverage_count) x)
         + (SELECT count(*) FROM (SELECT "connectionId", "guardrailId", status, n FROM coverage_count EXCEPT SELECT * FROM want) x)
         + (SELECT count(*) FROM (SELECT * FROM wantS EXCEPT SELECT "scopeId", "guardrailId", status, n FROM coverage_subtree_count) x)
         + (SELECT count(*) FROM (SELECT "scopeId", "guardrailId", status, n FROM coverage_subtree_count EXCEPT SELECT * FROM wantS) x) AS d`);
  return Number((diff.rows[0] as { d: string }).d) === 0;
}

// --- writes ----------------------------------------------------------------------------------------
// Wall-clock ratios on a shared, loaded machine drift with the load between passes; PostgreSQL's own
// count of the time spent inside the trigger functions (track_functions) does not need a second pass.
await db.query("SET track_functions = 'pl'");
async function triggerMs(): Promise<number> {
  await db.query("SELECT pg_stat_force_next_flush()");
  await db.query("SELECT pg_stat_clear_snapshot()");
  const r = await db.query(
    `SELECT coalesce(sum(total_time), 0) AS t FROM pg_stat_user_functions
     WHERE funcname IN ('coverage_row_aggregates', 'node_coverage_aggregates', 'node_coverage_aggregates_delete')`,
  );
  return Number((r.rows[0] as { t: string }).t);
}
/** A phase with the triggers enabled: its wall time and the part of it spent in the trigger functions. */
async function withTriggers(fn: () => Promise<unknown>): Promise<{ ms: number; inTriggers: number }> {
  const t0 = await triggerMs();
  const ms = await timed(fn);
  return { ms, inTriggers: (await triggerMs()) - t0 };
}
await triggers(false);
const firstOff = await insertAll();
await db.query("TRUNCATE coverage_row"); // its TRUNCATE trigger empties the aggregates
await db.query("VACUUM ANALYZE coverage_row");
await triggers(true);
const firstOn = await withTriggers(insertAll);
await db.query("VACUUM ANALYZE");
// Steady state: 1 % of the cells change, then change back, so both passes start from the same rows
// (with the triggers disabled, the change and its reversal leave the aggregates as they were).
const steadyOn = await withTriggers(updateSome);
await revert();
await triggers(false);
const steadyOff = await updateSome();
await revert();
await triggers(true);

const retire = conns[0]!.envs.slice(0, 100);
const retireSql = (state: string) => db.query(`UPDATE node SET state = $2 WHERE id = ANY($1)`, [retire, state]);
const retireOn = await withTriggers(() => retireSql("removed"));
await retireSql("active");
await triggers(false);
const retireOff = await timed(() => retireSql("removed"));
await retireSql("active");
await triggers(true);

// Move team-1 (350 AWS environments) under team-2: its path and every path below it change, one
// statement per node as discovery's update batches do (200 per transaction).
const ou1 = `${conns[0]!.root}_ou_1`;
const ou2 = `${conns[0]!.root}_ou_2`;
const moved = (await db.query(`SELECT id, path FROM node WHERE path LIKE $1`, [`/${conns[0]!.root}/${ou1}/%`])).rows as Array<{
  id: string;
  path: string;
}>;
async function move(from: string, to: string) {
  for (let i = 0; i < moved.length; i += 200) {
    await db.query("BEGIN");
    for (const n of moved.slice(i, i + 200)) await db.query(`UPDATE node SET path = replace(path, $2, $3) WHERE id = $1`, [n.id, from, to]);
    await db.query("COMMIT");
  }
}
const fromPath = `/${conns[0]!.root}/${ou1}/`;
const toPath = `/${conns[0]!.root}/${ou2}/${ou1}/`;
const moveOn = await withTriggers(() => move(fromPath, toPath));
await move(toPath, fromPath);
await triggers(false);
const moveOff = await timed(() => move(fromPath, toPath));
await move(toPath, fromPath);
await triggers(true);
const exact = await aggregatesExact();
const sizes = (await db.query(`SELECT (SELECT count(*) FROM coverage_count) c, (SELECT count(*) FROM coverage_subtree_count) s`))
  .rows[0] as { c: string; s: string };

const ratio = (on: { ms: number; inTriggers: number }, off: number) =>
  `${(on.ms / 1000).toFixed(2)} s with triggers (of which ${(on.inTriggers / 1000).toFixed(2)} s = ${((100 * on.inTriggers) / on.ms).toFixed(0)} % inside them) vs ${(off / 1000).toFixed(2)} s without (×${(on.ms / off).toFixed(2)})`;
report(`coverage aggregates: write cost at 10,000 environments × 50 guardrails (load ${load0} → ${load1()})`, [
  {
    name: `first 500,000 cells (INSERTs of ${BATCH}, a transaction per connection): ${ratio(firstOn, firstOff)}`,
    value: firstOn.inTriggers,
    unit: "ms in the trigger functions",
  },
  {
    name: `steady-state reconcile, 1 % (5,000 cells) change status, ${BATCH} a statement: ${ratio(steadyOn, steadyOff)}`,
    value: steadyOn.inTriggers,
    unit: "ms in the trigger functions",
  },
  {
    name: `100 environments retired (one UPDATE): ${ratio(retireOn, retireOff)}`,
    value: retireOn.inTriggers,
    unit: "ms in the trigger functions",
  },
  {
    name: `an OU of ${moved.length - 1} environments moved (${moved.length} node UPDATEs, 200 per transaction): ${ratio(moveOn, moveOff)}`,
    value: moveOn.inTriggers,
    unit: "ms in the trigger functions",
  },
  {
    name: `aggregates equal a recount afterwards: ${exact ? "yes" : "NO"}; rows: coverage_count ${sizes.c}, coverage_subtree_count ${sizes.s}`,
    value: exact ? 1 : 0,
    unit: "",
  },
]);

// --- reads: before (grouping coverage_row, the queries the code ran until issue 15) and after -------
const ou = `${conns[0]!.root}_ou_3`;
const reads: Array<[string, string, unknown[], string, unknown[]]> = [
  [
    "overview: counts per connection × guardrail × status",
    `SELECT "connectionId", "guardrailId", status, count(*) FROM coverage_row WHERE "workspaceId" = $1 AND "guardrailId" = ANY($2) GROUP BY 1, 2, 3`,
    [wsId, guardrails],
    `SELECT "connectionId", "guardrailId", status, n FROM coverage_count WHERE "workspaceId" = $1 AND "guardrailId" = ANY($2)`,
    [wsId, guardrails],
  ],
  [
    "guardrail detail: counts per status of one guardrail",
    `SELECT "guardrailId", status, count(*) FROM coverage_row WHERE "workspaceId" = $1 GROUP BY 1, 2`,
    [wsId],
    `SELECT "guardrailId", status, sum(n) FROM coverage_count WHERE "workspaceId" = $1 AND "guardrailId" = $2 GROUP BY 1, 2`,
    [wsId, "g_1"],
  ],
  [
    `node page, an OU (${ENVS.aws / OUS} environments): subtree counts`,
    `SELECT cr."guardrailId", cr.status, count(*) FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
     JOIN node n ON n.id = cr."nodeId" AND n.state = 'active' AND n.path LIKE $2 WHERE cr."connectionId" = $1 GROUP BY 1, 2`,
    [conns[0]!.id, `/${conns[0]!.root}/${ou}/%`],
    `SELECT "guardrailId", status, n FROM coverage_subtree_count WHERE "scopeId" = $1`,
    [ou],
  ],
  [
    `node page, the AWS root (${ENVS.aws} environments): subtree counts`,
    `SELECT cr."guardrailId", cr.status, count(*) FROM coverage_row cr JOIN guardrail g ON g.id = cr."guardrailId" AND g.status = 'active'
     JOIN node n ON n.id = cr."nodeId" AND n.state = 'active' WHERE cr."connectionId" = $1 GROUP BY 1, 2`,
    [conns[0]!.id],
    `SELECT "guardrailId", status, n FROM coverage_subtree_count WHERE "scopeId" = $1`,
    [conns[0]!.id],
  ],
];
async function explainMs(sql: string, params: unknown[]): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const r = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    const plan = (r.rows[0] as { "QUERY PLAN": Array<{ "Execution Time": number; "Planning Time": number }> })["QUERY PLAN"][0]!;
    best = Math.min(best, plan["Execution Time"] + plan["Planning Time"]);
  }
  return best;
}
const readFigures: Figure[] = [];
for (const [name, before, bp, after, ap] of reads) {
  const b = await explainMs(before, bp);
  const a = await explainMs(after, ap);
  readFigures.push({
    name: `${name}: EXPLAIN ANALYZE planning + execution, best of 5, before ${b.toFixed(1)} ms → after`,
    value: a,
    unit: `ms (×${(b / a).toFixed(0)} faster)`,
  });
}

// The same reads through the repository functions the use-cases call, one call at a time.
async function median(fn: () => Promise<unknown>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 20; i++) xs.push(await timed(fn));
  return percentile(xs, 50);
}
readFigures.push(
  {
    name: "countsByConnectionAndGuardrail (overview) through Prisma, median of 20",
    value: await median(() => countsByConnectionAndGuardrail(stack.prisma, wsId, guardrails)),
    unit: "ms",
  },
  {
    name: "coverageCounts(one guardrail) (guardrail detail) through Prisma, median of 20",
    value: await median(() => coverageCounts(stack.prisma, wsId, "g_1")),
    unit: "ms",
  },
  {
    name: "subtreeCounts(OU) (node page) through Prisma, median of 20",
    value: await median(() => subtreeCounts(stack.prisma, ou)),
    unit: "ms",
  },
  {
    name: "subtreeCounts(connection) (root node page) through Prisma, median of 20",
    value: await median(() => subtreeCounts(stack.prisma, conns[0]!.id)),
    unit: "ms",
  },
  { name: "load average (1 min) at end", value: load1(), unit: "" },
);
report("coverage aggregates: the dashboard's counts, before (GROUP BY over coverage_row) and after (aggregates)", readFigures);

await db.end();
await stack.close();
