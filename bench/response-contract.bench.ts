/**
 * What the route wrapper's response check costs on the largest answers (issue 14): the biggest coverage
 * matrix page (200 environments × 50 guardrails) and the biggest audit page (200 events with data), each
 * checked with its route's response schema and serialised, against serialising alone (what the wrapper
 * did before). Prints medians; asserts nothing. Pure CPU: no database.
 *   pnpm exec tsx bench/response-contract.bench.ts
 */
import { loadavg } from "node:os";
import { API } from "@parapet/core/openapi/routes";
import { COVERAGE_STATUSES } from "@parapet/core/reports/model";
import { report, type Figure } from "./lib/report.ts";

const RUNS = 31;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const guardrails = Array.from({ length: 50 }, (_, g) => ({ id: `cgr${String(g).padStart(22, "0")}`, name: `Guardrail ${g}` }));
const matrix = {
  guardrails,
  statuses: COVERAGE_STATUSES,
  items: Array.from({ length: 200 }, (_, i) => ({
    node: {
      id: `cnode${String(i).padStart(20, "0")}`,
      name: `account-${i}`,
      externalId: String(100000000000 + i),
      connectionId: "cconn000000000000000001",
      path: ["Root", `ou-${i % 20}`, `account-${i}`],
      parentId: `cou${i % 20}`,
    },
    cells: guardrails.map((_, j) => (i + j) % COVERAGE_STATUSES.length),
    // The posture column (issue 19): a few controls per environment credited to the customer's policies.
    posture: Object.fromEntries(guardrails.slice(0, 5).map((g) => [g.id, { status: "enforced", by: ["FullAWSAccess-deny-root"] }])),
  })),
  nextCursor: "eyJuIjoiYWNjb3VudC0xOTkiLCJpZCI6ImNub2RlMTk5In0",
};
const at = new Date("2026-12-06T12:00:00.000Z").getTime();
const audit = {
  items: Array.from({ length: 200 }, (_, i) => ({
    id: `caud${String(i).padStart(21, "0")}`,
    seq: 10_000 - i,
    at: new Date(at - i * 60_000).toISOString(),
    actor: { type: "user", id: `cuser${i % 7}`, label: `person${i % 7}@example.test` },
    action: ["guardrail.update", "drift.opened", "exemption.create", "approval.approved"][i % 4]!,
    targetType: "guardrail",
    targetId: `cgr${i % 50}`,
    data: {
      before: { mode: "audit", scope: { all: true } },
      after: { mode: "enforce", scope: { labels: "env=prod" } },
      note: "x".repeat(80),
    },
    hash: "a".repeat(64),
    prevHash: "b".repeat(64),
  })),
  nextCursor: null,
};

const figures: Figure[] = [];
for (const [name, schema, body] of [
  ["GET /coverage/matrix, 200 × 50 cells", API["GET /coverage/matrix"].response, matrix],
  ["GET /audit, 200 events", API["GET /audit"].response, audit],
] as const) {
  const bytes = JSON.stringify(body).length;
  for (let i = 0; i < 5; i++) JSON.stringify(schema.parse(body)); // warm-up (zod compiles its object checks on first use)
  const before = median(Array.from({ length: RUNS }, () => time(() => JSON.stringify(body))));
  const after = median(Array.from({ length: RUNS }, () => time(() => JSON.stringify(schema.parse(body)))));
  figures.push({ name: `${name} (${(bytes / 1024).toFixed(0)} KiB): serialise only`, value: before, unit: "ms" });
  figures.push({ name: `${name}: check + serialise`, value: after, unit: "ms" });
}
report(`response contract check, median of ${RUNS} (load ${loadavg()[0]!.toFixed(1)})`, figures);
