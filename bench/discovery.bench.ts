/**
 * Incremental discovery (issue 15): API calls and the rate-limit floor of discovering an AWS organization
 *   (a) the first full sweep,
 *   (b) a steady-state day in which 1 % of the accounts changed (moves, tag changes, a few creates and
 *       closes), handled incrementally from the CloudTrail events those changes emit, and
 *   (c) what a full sweep costs that same day (what every hierarchy event cost before).
 *   pnpm exec tsx bench/discovery.bench.ts            (10,000 accounts, 2,000 OUs)
 *   pnpm exec tsx bench/discovery.bench.ts 1000       (another size)
 * The simulator runs unthrottled and the adapter unpaced, so call counts are exact and nothing waits;
 * the floor is calls ÷ AWS's sustained read rate (every discovery call is a read: 5 TPS, as the adapter
 * paces). One more day is then replayed with pacing on, as one batch, to show its wall time against
 * that floor. Events reach core as the webhook hands them over (parse → receipt de-duplication → note);
 * the HMAC check in front of that is the route's and costs no cloud call.
 */
import { randomBytes } from "node:crypto";
import { seedAwsOrg, startAwsSim, type AwsSim } from "@parapet/cloud-sim/aws/index";
import { mulberry32 } from "@parapet/cloud-sim/common/rng";
import { parseCloudEvent } from "@parapet/core";
import { auditConfigFrom, configureAudit } from "@parapet/core/audit/audit-keys";
import { noteHierarchyChange, recordEventReceipt } from "@parapet/core/events/receive-event";
import type { ReconcileSummary } from "@parapet/core/reconcile/reconcile-connection";
import { AWS_DEFAULT_RATE_LIMITS } from "@parapet/providers/aws/rate";
import { processReconcile } from "../apps/worker/src/workers/reconcile.worker.ts";
import { report, type Figure } from "./lib/report.ts";
import { benchAdapterFor, connectAws, load1, startBenchStack } from "./lib/stack.ts";

const ACCOUNTS = Number(process.argv[2] ?? 10_000) || 10_000;
const OUS = Math.max(40, Math.round(ACCOUNTS / 5));
const READ_TPS = AWS_DEFAULT_RATE_LIMITS.read!.ratePerSec;
const CHANGED = Math.max(10, Math.round(ACCOUNTS / 100));
const BATCHES = 10;

// Reconciles append audit events, which are keyed (as the worker's environment configures them).
configureAudit(auditConfigFrom({ secret: randomBytes(32).toString("hex") }));
const stack = await startBenchStack({ tag: "discovery" });
const unpaced = benchAdapterFor({ rateLimits: false });
const paced = benchAdapterFor();
const loadStart = load1();

const sim: AwsSim = await startAwsSim({ throttle: false });
seedAwsOrg(sim, { accounts: ACCOUNTS, ous: OUS, depth: 3 });
const c = await connectAws(stack, sim);

const DISCOVERY_OPS = [
  "ListRoots",
  "ListOrganizationalUnitsForParent",
  "ListAccounts",
  "ListAccountsForParent",
  "ListTagsForResource",
  "DescribeAccount",
  "DescribeOrganizationalUnit",
  "ListParents",
];
const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
};
const discoveryCalls = (byOp: Record<string, number>) =>
  Object.fromEntries(DISCOVERY_OPS.filter((op) => byOp[op]).map((op) => [op, byOp[op]!]));
const total = (byOp: Record<string, number>) => Object.values(byOp).reduce((a, b) => a + b, 0);
const floorSec = (calls: number) => calls / READ_TPS;
const byOpText = (byOp: Record<string, number>) =>
  Object.entries(byOp)
    .map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`)
    .join(", ");

async function reconcile(opts: { discover?: boolean; adapter?: typeof unpaced }): Promise<{ r: ReconcileSummary; ms: number }> {
  const t0 = performance.now();
  const [r] = await processReconcile(stack.deps({ adapterFor: opts.adapter ?? unpaced }), {
    connectionId: c.connectionId,
    trigger: opts.discover ? "manual" : "event",
    ...(opts.discover ? { discover: true } : {}),
  });
  if (r!.status !== "succeeded") throw new Error(`reconcile ${r!.status}: ${r!.error ?? ""}`);
  return { r: r!, ms: performance.now() - t0 };
}

async function deliver(event: unknown): Promise<void> {
  const parsed = parseCloudEvent("aws", event);
  if ((await recordEventReceipt(stack.prisma, c.connectionId, parsed.eventId)) === "duplicate") return;
  await noteHierarchyChange(stack.prisma, c.connectionId, parsed.eventId, parsed.hierarchy);
}

/** 1 % of the accounts change: 55 % moved, 35 % retagged, 5 % created (into an OU), 5 % closed. */
function changeDay(seed: number): { changed: number; moves: number; tags: number; creates: number; closes: number } {
  const rand = mulberry32(seed);
  const st = sim.state;
  const ous = [...st.ous.keys()];
  const members = [...st.accounts.values()].filter((a) => a.id !== st.managementAccountId && a.status !== "SUSPENDED");
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const n = { changed: CHANGED, moves: Math.round(CHANGED * 0.55), tags: Math.round(CHANGED * 0.35), creates: 0, closes: 0 };
  n.creates = Math.round((CHANGED - n.moves - n.tags) / 2);
  n.closes = CHANGED - n.moves - n.tags - n.creates;
  const used = new Set<string>();
  const fresh = () => {
    for (;;) {
      const a = pick(members);
      if (!used.has(a.id)) {
        used.add(a.id);
        return a;
      }
    }
  };
  for (let i = 0; i < n.moves; i++) {
    const a = fresh();
    sim.admin.moveAccount({ accountId: a.id, destinationParentId: pick(ous.filter((o) => o !== a.parentId)) });
  }
  for (let i = 0; i < n.tags; i++)
    sim.admin.tagResource({ resourceId: fresh().id, tags: { env: pick(["prod", "dev"]), owner: `team-${i}` } });
  for (let i = 0; i < n.creates; i++) sim.admin.createAccount({ name: `new-${seed}-${i}`, parentId: pick(ous), tags: { env: "dev" } });
  for (let i = 0; i < n.closes; i++) sim.sim.asHuman("CloseAccount", { AccountId: fresh().id });
  return n;
}

// (a) First full sweep (the connection was never discovered).
const first = await reconcile({ discover: true });
const firstOps = discoveryCalls(first.r.calls.byOperation);
const nodes = await stack.prisma.node.count({ where: { connectionId: c.connectionId } });

// A quiet run (nothing waiting, last sweep recent): what a reconcile costs with no discovery at all.
const quiet = await reconcile({});
const quietDiscovery = total(discoveryCalls(quiet.r.calls.byOperation));

// (b) A steady-state day, events handled in BATCHES reconciles as they arrive over the day.
const evBefore = sim.events().length;
const day = changeDay(1);
const events = sim.events().slice(evBefore);
const dayOps: Record<string, number> = {};
let dayMs = 0;
const per = Math.ceil(events.length / BATCHES);
for (let b = 0; b < BATCHES; b++) {
  const batch = events.slice(b * per, (b + 1) * per);
  if (!batch.length) break;
  for (const e of batch) await deliver(e);
  const r = await reconcile({});
  if (r.r.calls.byOperation.ListAccounts) throw new Error("a steady-state batch swept the whole organization");
  add(dayOps, discoveryCalls(r.r.calls.byOperation));
  dayMs += r.ms;
}
const dayCalls = total(dayOps);

// (c) What a full sweep costs that day.
const sweep = await reconcile({ discover: true });
const sweepOps = discoveryCalls(sweep.r.calls.byOperation);
if (sweep.r.calls.byOperation.ListAccounts === undefined) throw new Error("the forced sweep did not sweep");
const afterSweep = await stack.prisma.node.count({ where: { connectionId: c.connectionId } });

// Another day, as one batch with pacing on: wall time against the floor of the calls it made.
const ev2 = sim.events().length;
changeDay(2);
for (const e of sim.events().slice(ev2)) await deliver(e);
const pacedDay = await reconcile({ adapter: paced });
const pacedOps = discoveryCalls(pacedDay.r.calls.byOperation);
const pacedCalls = total(pacedOps);
const loadEnd = load1();

const firstCalls = total(firstOps);
const sweepCalls = total(sweepOps);
console.log(`\norganization: ${ACCOUNTS.toLocaleString("en-US")} accounts, ${OUS.toLocaleString("en-US")} OUs, ${nodes} nodes`);
console.log(`(a) first full sweep: ${byOpText(firstOps)}`);
console.log(
  `(b) steady-state day, ${day.changed} accounts changed (${day.moves} moved, ${day.tags} retagged, ${day.creates} created, ${day.closes} closed), ${events.length} events in ${BATCHES} batches: ${byOpText(dayOps)}`,
);
console.log(`(c) full sweep the same day: ${byOpText(sweepOps)} (${afterSweep} nodes)`);
console.log(`paced day (one batch): ${byOpText(pacedOps)}; load ${loadStart} → ${loadEnd}`);
const figures: Figure[] = [
  { name: "(a) first full sweep: calls", value: firstCalls, unit: "calls" },
  { name: "(a) first full sweep: floor at 5 TPS", value: floorSec(firstCalls), unit: "s" },
  { name: "quiet reconcile: discovery calls", value: quietDiscovery, unit: "calls", goal: "0", ok: quietDiscovery === 0 },
  { name: `(b) steady-state day (${day.changed} accounts changed, ${events.length} events): calls`, value: dayCalls, unit: "calls" },
  { name: "(b) calls per changed account", value: dayCalls / day.changed, unit: "calls" },
  { name: "(b) floor at 5 TPS", value: floorSec(dayCalls), unit: "s" },
  { name: "(b) wall, unpaced, whole reconciles (database work included)", value: dayMs / 1000, unit: "s" },
  { name: "(c) full sweep the same day: calls", value: sweepCalls, unit: "calls" },
  { name: "(c) full sweep: floor at 5 TPS", value: floorSec(sweepCalls), unit: "s" },
  { name: "(c) ÷ (b)", value: sweepCalls / dayCalls, unit: "×" },
  { name: "paced day, one batch: calls", value: pacedCalls, unit: "calls" },
  { name: "paced day: wall", value: pacedDay.ms / 1000, unit: "s" },
  { name: "paced day: floor (burst of 8 credited)", value: Math.max(0, pacedCalls - 8) / READ_TPS, unit: "s" },
  { name: "load (1 min) start / end", value: loadStart, unit: `/ ${loadEnd}` },
];
report(`discovery, ${ACCOUNTS.toLocaleString("en-US")}-account AWS org (issue 15)`, figures);

await sim.close();
await stack.close();
