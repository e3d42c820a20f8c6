/**
 * The reconcile's coverage writer (packages/core/src/reconcile/coverage-rows.ts, the same
 * `writeCoverageRows` the record phase calls) against the aggregate triggers (issue 15): one connection of
 * N environments × 50 guardrails written from scratch with the triggers off (what the rows alone cost),
 * then from scratch with them on (past 5,000 rows the writer recounts the connection's aggregates once
 * before commit instead of letting every 200-row statement update them), then a steady-state reconcile
 * changing 1 % of the cells (below the threshold: the triggers' per-statement deltas). After each, the
 * aggregates are compared with a recount from the rows.
 *   pnpm exec tsx bench/coverage-writer.bench.ts [environments=10000] [--per-statement]
 * --per-statement also times the from-scratch write with the recount turned off (every statement's
 * trigger updates the aggregates: 332 s for 500,000 cells in §4c; slow on purpose).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { writeCoverageRows, type CoverageRowInput } from "@parapet/core/reconcile/coverage-rows";
import { COVERAGE_ROW_TRIGGERS, seedConnectionHierarchy } from "./lib/coverage-seed.ts";
import { report, type Figure } from "./lib/report.ts";
import { load1, startBenchStack } from "./lib/stack.ts";

const args = process.argv.slice(2);
const ENVS = Number(args.find((a) => !a.startsWith("--")) ?? 10_000);
const PER_STATEMENT = args.includes("--per-statement");
const GUARDRAILS = 50;
const OUS = 20;
const STATUSES = ["enforced", "audit", "exempt", "drifted", "unsupported", "unknown"] as const;

const stack = await startBenchStack({ tag: "covwriter", poolMax: 4 });
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
const load0 = load1();

const ws = `ws_cw_${randomBytes(4).toString("hex")}`;
await db.query(`INSERT INTO workspace (id, name, slug, "createdAt") VALUES ($1, 'Coverage writer bench', $2, now())`, [
  ws,
  ws.replace(/_/g, "-"),
]);
const conn = `c_${ws}`;
const root = `n_${ws}_root`;
const envs = await seedConnectionHierarchy(db, { workspaceId: ws, connectionId: conn, rootId: root, cloud: "aws", ous: OUS, envs: ENVS });
await db.query(
  `INSERT INTO guardrail (id, "workspaceId", "controlId", name, "updatedAt") SELECT $1 || '_g_' || i, $1, 'restrict-regions', 'Guardrail ' || i, now() FROM generate_series(1, ${GUARDRAILS}) i`,
  [ws],
);
await db.query("ANALYZE");
const guardrails = Array.from({ length: GUARDRAILS }, (_, i) => `${ws}_g_${i + 1}`);

/** Desired rows; `shift` moves 1 % of the cells to another status (the steady-state change). */
const rowsFor = (shift: boolean) => (chunk: ReadonlySet<string>) => {
  const out: CoverageRowInput[] = [];
  envs.forEach((nodeId, i) => {
    if (!chunk.has(nodeId)) return;
    guardrails.forEach((guardrailId, j) => {
      const changed = shift && (i * GUARDRAILS + j) % 100 === 0;
      const s = STATUSES[((i + j) % 17 < 14 ? 0 : ((i + j) % 5) + 1) + (changed ? 1 : 0)] ?? "enforced";
      out.push({ nodeId, guardrailId, status: s, fidelity: "enforced", detail: null });
    });
  });
  return out;
};

async function triggers(on: boolean) {
  for (const t of COVERAGE_ROW_TRIGGERS) await db.query(`ALTER TABLE coverage_row ${on ? "ENABLE" : "DISABLE"} TRIGGER ${t}`);
}
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}
const write = (shift: boolean, opts: { bulkAfterRows?: number } = {}) =>
  writeCoverageRows(stack.prisma, ws, conn, envs, rowsFor(shift), opts);
/** Rows of the aggregates that differ from a recount (0 = exact). */
async function mismatches(): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `WITH want AS (SELECT "guardrailId", status, count(*)::int AS n FROM coverage_row WHERE "connectionId" = $1 GROUP BY 1, 2),
          have AS (SELECT "guardrailId", status, n FROM coverage_count WHERE "connectionId" = $1),
          sub_want AS (SELECT a.scope, cr."guardrailId", cr.status, count(*)::int AS n FROM coverage_row cr JOIN node nd ON nd.id = cr."nodeId" AND nd.state = 'active'
                       CROSS JOIN LATERAL coverage_scopes(cr."connectionId", nd.id, nd.path) a(scope) WHERE cr."connectionId" = $1 GROUP BY 1, 2, 3),
          sub_have AS (SELECT "scopeId" AS scope, "guardrailId", status, n FROM coverage_subtree_count WHERE "connectionId" = $1)
     SELECT ((SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) x) + (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) x)
           + (SELECT count(*) FROM (SELECT * FROM sub_want EXCEPT SELECT * FROM sub_have) x) + (SELECT count(*) FROM (SELECT * FROM sub_have EXCEPT SELECT * FROM sub_want) x))::text AS n`,
    [conn],
  );
  return Number(rows[0]!.n);
}
const clear = async () => {
  await triggers(false);
  await db.query(`DELETE FROM coverage_row WHERE "connectionId" = $1`, [conn]);
  await db.query(`DELETE FROM coverage_count WHERE "connectionId" = $1`, [conn]);
  await db.query(`DELETE FROM coverage_subtree_count WHERE "connectionId" = $1`, [conn]);
  await triggers(true);
};

const cells = ENVS * GUARDRAILS;
await triggers(false);
const bare = await timed(() => write(false));
await clear();
const bulk = await timed(() => write(false));
const bulkExact = await mismatches();
const steady = await timed(() => write(true));
const steadyExact = await mismatches();
const figures: Figure[] = [
  { name: `first write of ${cells.toLocaleString("en-US")} cells, triggers off (the rows alone)`, value: bare, unit: "s" },
  {
    name: `first write, triggers on, recount before commit (aggregate rows differing from a recount: ${bulkExact})`,
    value: bulk,
    unit: `s (${(bulk / bare).toFixed(2)} × the rows alone)`,
  },
  { name: `steady-state reconcile changing 1 % (per-statement deltas; differing: ${steadyExact})`, value: steady, unit: "s" },
];
if (PER_STATEMENT) {
  await clear();
  const per = await timed(() => write(false, { bulkAfterRows: Number.POSITIVE_INFINITY }));
  figures.push({
    name: `first write, triggers on, every statement updating the aggregates (differing: ${await mismatches()})`,
    value: per,
    unit: `s (${(per / bare).toFixed(2)} × the rows alone)`,
  });
}
figures.push({ name: `load average (1 min) at start → end`, value: load0, unit: `→ ${load1()}` });
report(`coverage writer against the aggregate triggers, ${ENVS.toLocaleString("en-US")} environments × ${GUARDRAILS} guardrails`, figures);
await db.end();
await stack.close();
