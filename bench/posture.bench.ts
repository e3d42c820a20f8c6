/**
 * Brownfield posture (issue 19): what a read-only posture scan of a large AWS organization costs, and how
 * long judging every catalog control against the customer's own SCPs takes per environment.
 *   pnpm exec tsx bench/posture.bench.ts            (10,000 accounts, 2,000 OUs, 20 customer SCPs)
 *   pnpm exec tsx bench/posture.bench.ts 1000       (another size)
 * The simulator runs unthrottled and the adapter unpaced, so call counts are exact and nothing waits;
 * the floor is the calls at AWS's documented rates (DescribePolicy 2 TPS, other reads 5 TPS, as the
 * adapter paces them). Evaluation is measured twice: the whole organization (environments sharing an
 * effective set of SCPs share one evaluation) and one environment with nothing shared (every control's
 * scenarios through the IAM simulator).
 */
import { randomBytes } from "node:crypto";
import { seedAwsOrg, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { auditConfigFrom, configureAudit } from "@parapet/core/audit/audit-keys";
import { listControls } from "@parapet/core/catalog/catalog";
import { effectiveForeign } from "@parapet/core/posture/effective";
import { evaluatePosture } from "@parapet/core/posture/evaluate";
import { evaluateConnectionPosture, runPostureScan } from "@parapet/core/posture/run-posture-scan";
import { AWS_DEFAULT_RATE_LIMITS } from "@parapet/providers/aws/rate";
import { processReconcile } from "../apps/worker/src/workers/reconcile.worker.ts";
import { report, type Figure } from "./lib/report.ts";
import { benchAdapterFor, connectAws, load1, startBenchStack } from "./lib/stack.ts";

const ACCOUNTS = Number(process.argv[2] ?? 10_000) || 10_000;
const OUS = Math.max(40, Math.round(ACCOUNTS / 5));
const READ_TPS = AWS_DEFAULT_RATE_LIMITS.read!.ratePerSec;
const DESCRIBE_TPS = AWS_DEFAULT_RATE_LIMITS.DescribePolicy!.ratePerSec;

configureAudit(auditConfigFrom({ secret: randomBytes(32).toString("hex") }));
const stack = await startBenchStack({ tag: "posture" });
const unpaced = benchAdapterFor({ rateLimits: false });
const loadStart = load1();

const sim: AwsSim = await startAwsSim({ throttle: false });
seedAwsOrg(sim, { accounts: ACCOUNTS, ous: OUS, depth: 3, customerScps: 20 });
const c = await connectAws(stack, sim);
const [first] = await processReconcile(stack.deps({ adapterFor: unpaced }), {
  connectionId: c.connectionId,
  trigger: "manual",
  discover: true,
});
if (first!.status !== "succeeded") throw new Error(`discovery ${first!.status}: ${first!.error ?? ""}`);

// (a) the scan, end to end as the worker runs it (reads, evaluation, one transaction of results).
const scan = await stack.prisma.postureScan.create({ data: { workspaceId: c.workspaceId, connectionId: c.connectionId } });
const t0 = performance.now();
const r = await runPostureScan({ ...stack.deps({ adapterFor: unpaced }), keys: stack.keys }, scan.id);
const scanMs = performance.now() - t0;
const row = await stack.prisma.postureScan.findUniqueOrThrow({ where: { id: scan.id } });
if (r.status !== "done") throw new Error(`scan ${r.status}: ${row.error ?? ""}`);

// Calls by operation, from a second read-only scan through a fresh adapter (the row keeps only the total).
const conn = await stack.prisma.connection.findUniqueOrThrow({ where: { id: c.connectionId } });
const nodes = await stack.prisma.node.findMany({
  where: { connectionId: c.connectionId, state: "active" },
  select: { id: true, externalId: true, parentId: true, name: true, kind: true, isEnvironment: true },
});
const { openCredentials } = await import("@parapet/core/connections/secrets");
const adapter = await unpaced({
  connectionId: conn.id,
  workspaceId: conn.workspaceId,
  cloud: "aws",
  endpoint: conn.endpoint,
  credentials: openCredentials(stack.keys, conn.id, conn.credentialCiphertext!),
  facts: conn.facts,
  limits: conn.limits,
  auditSource: conn.auditSource,
});
const inv = await adapter.scanPosture!({ nodes: nodes.map((n) => ({ externalId: n.externalId, kind: n.kind })) });
const byOp = adapter.stats().byOperation;
await adapter.close();
const describes = byOp["DescribePolicy"] ?? 0;
const otherReads = Object.entries(byOp).reduce((a, [k, v]) => a + (k === "DescribePolicy" ? 0 : v), 0);
const floor = Math.max(describes / DESCRIBE_TPS, otherReads / READ_TPS);

// (b) evaluation alone over the organization, and (c) one environment evaluated from scratch.
const e0 = performance.now();
const verdicts = await evaluateConnectionPosture({ cloud: "aws", nodes, inventory: inv.policies, principals: {}, facts: conn.facts });
const evalMs = performance.now() - e0;
const envs = nodes.filter((n) => n.isEnvironment).length;
const byId = new Map(nodes.map((n) => [n.id, n]));
const deepest = nodes.filter((n) => n.isEnvironment).sort((a, b) => chainLen(b) - chainLen(a))[0]!;
function chainLen(n: (typeof nodes)[number]): number {
  let d = 0;
  for (let cur: (typeof nodes)[number] | undefined = n; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined) d++;
  return d;
}
const chain: Array<{ externalId: string; name: string; kind: string }> = [];
for (let cur: (typeof nodes)[number] | undefined = deepest; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined)
  chain.unshift({ externalId: cur.externalId, name: cur.name, kind: cur.kind });
const eff = effectiveForeign("aws", inv.policies, chain, {});
const n0 = performance.now();
for (const control of listControls()) await evaluatePosture({ control, cloud: "aws", effective: eff, principals: {}, facts: conn.facts });
const oneNodeMs = performance.now() - n0;
const loadEnd = load1();

console.log(
  `\norganization: ${ACCOUNTS.toLocaleString("en-US")} accounts, ${OUS.toLocaleString("en-US")} OUs, ${inv.policies.length} foreign SCPs/RCPs`,
);
console.log(
  `scan calls: ${Object.entries(byOp)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}`,
);
console.log(
  `verdicts: ${verdicts.length.toLocaleString("en-US")} (${envs.toLocaleString("en-US")} environments × ${listControls().length} controls)`,
);
const figures: Figure[] = [
  { name: "scan: read calls (independent of the number of accounts, except attachment pages)", value: row.calls, unit: "calls" },
  { name: "scan: DescribePolicy calls", value: describes, unit: "calls" },
  { name: "scan: floor at AWS rates (DescribePolicy 2 TPS, others 5 TPS)", value: floor, unit: "s" },
  { name: "scan: writes", value: adapter.stats().writes, unit: "calls", goal: "0", ok: adapter.stats().writes === 0 },
  { name: "scan job wall, unpaced (reads + evaluation + results stored)", value: scanMs / 1000, unit: "s" },
  { name: "evaluation, whole organization (shared effective sets evaluated once)", value: evalMs / 1000, unit: "s" },
  { name: "evaluation per environment, amortised", value: evalMs / envs, unit: "ms" },
  {
    name: `evaluation of one environment from scratch (${listControls().length} controls, depth ${chain.length})`,
    value: oneNodeMs,
    unit: "ms",
  },
  { name: "load (1 min) start / end", value: loadStart, unit: `/ ${loadEnd}` },
];
report(`posture scan, ${ACCOUNTS.toLocaleString("en-US")}-account AWS org (issue 19)`, figures);

await sim.close();
await stack.close();
