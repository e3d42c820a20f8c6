/**
 * API calls per steady-state observe and per steady-state reconcile (issues 5 and 10), through the real
 * SDKs against the simulators, beside the minimum the API allows and beside a per-target scan.
 *   pnpm exec tsx bench/observe.bench.ts            (AWS 100 / 1,000 / 10,000 accounts, then Azure, GCP, OCI)
 *   pnpm exec tsx bench/observe.bench.ts 100 1000   (only these AWS sizes)
 * AWS: 20 owned SCPs, each guardrail scoped to its own OU. The simulators run unthrottled so call counts
 * are exact (no throttle retries); the adapter's client-side pacing stays on for the steady-state runs,
 * so their wall time is what production sees, and is off for seeding and for the discover figure.
 * Goal (issue 5): steady-state observe ≤ 2 calls per owned policy, independent of the number of accounts.
 * Steady state reads recorded policies by id (DescribePolicy + ListTargetsForPolicy) and checks free SCP
 * slots (ListPoliciesForTarget) only on targets where something is about to be attached; the
 * "pending attachment" figure shows that case: one guardrail gains one more target.
 */
import { ListPoliciesForTargetCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { seedAwsOrg, seedGcpDemo, startAwsSim, startAzureSim, startGcpSim, startOciSim } from "@parapet/cloud-sim";
import { AWS_SIM_DEFAULT_CREDENTIALS } from "@parapet/cloud-sim/aws/index";
import { openCredentials } from "@parapet/core";
import type { ArtifactKind, CloudAdapter } from "@parapet/providers/contract";
import { AWS_DEFAULT_RATE_LIMITS } from "@parapet/providers/aws/rate";
import { processReconcile } from "../apps/worker/src/workers/reconcile.worker.ts";
import { report, type Figure } from "./lib/report.ts";
import {
  addGuardrail,
  benchAdapterFor,
  connectAws,
  connectAzure,
  connectGcp,
  connectOci,
  load1,
  startBenchStack,
  type BenchStack,
  type Connected,
} from "./lib/stack.ts";

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const AWS_SIZES = sizes.length ? sizes : [100, 1_000, 10_000];
const OWNED = 20;
const READ_TPS = AWS_DEFAULT_RATE_LIMITS.read!.ratePerSec;
const DESCRIBE_TPS = AWS_DEFAULT_RATE_LIMITS.DescribePolicy!.ratePerSec;

const stack = await startBenchStack({ tag: "observe" });
const unpaced = benchAdapterFor({ rateLimits: false });
const paced = benchAdapterFor();

/**
 * Observes exactly what a reconcile would ask for (recorded artifacts and their targets), alone.
 * `extraTarget`: the first artifact also wants that target (an attachment the plan is about to add).
 */
async function observeOnce(s: BenchStack, c: Connected, adapterFactory = paced, extraTarget?: string) {
  const conn = await s.prisma.connection.findUniqueOrThrow({ where: { id: c.connectionId } });
  const adapter: CloudAdapter = await adapterFactory({
    connectionId: conn.id,
    workspaceId: conn.workspaceId,
    cloud: conn.cloud,
    endpoint: conn.endpoint,
    credentials: openCredentials(s.keys, conn.id, conn.credentialCiphertext!),
    facts: conn.facts,
    limits: conn.limits,
  });
  const rows = await s.prisma.artifact.findMany({ where: { connectionId: c.connectionId } });
  const expected = rows.map((r, i) => ({
    kind: r.kind as ArtifactKind,
    name: r.name,
    externalId: r.externalId,
    attachments: [...(r.attachments as string[]), ...(i === 0 && extraTarget ? [extraTarget] : [])],
  }));
  const targets = [...new Set(expected.flatMap((e) => e.attachments ?? []))];
  const t0 = performance.now();
  const observed = await adapter.observe({ expected, targets });
  const ms = performance.now() - t0;
  const stats = adapter.stats();
  await adapter.close();
  return { ms, stats, owned: observed.artifacts.filter((a) => a.owned).length, unreadable: observed.unreadable.length };
}

async function steadyReconcile(s: BenchStack, c: Connected) {
  const t0 = performance.now();
  const [r] = await processReconcile(s.deps({ adapterFor: paced }), { connectionId: c.connectionId, trigger: "poll" });
  return { ms: performance.now() - t0, summary: r! };
}

for (const accounts of AWS_SIZES) {
  const sim = await startAwsSim({ throttle: false });
  const ous = Math.max(40, Math.round(accounts / 5));
  seedAwsOrg(sim, { accounts, ous, depth: 3 });
  const c = await connectAws(stack, sim);
  const setupDeps = stack.deps({ adapterFor: unpaced });
  await processReconcile(setupDeps, { connectionId: c.connectionId, trigger: "manual", discover: true });
  // Disjoint OUs (no OU below another) that hold accounts, so each guardrail gets a policy of its own.
  const nodes = await stack.prisma.node.findMany({
    where: { connectionId: c.connectionId },
    select: { id: true, parentId: true, kind: true, isEnvironment: true },
  });
  const hasOuChild = new Set(nodes.filter((n) => n.kind === "ou").map((n) => n.parentId));
  const hasAccount = new Set(nodes.filter((n) => n.isEnvironment).map((n) => n.parentId));
  const leafOus = nodes.filter((n) => n.kind === "ou" && !hasOuChild.has(n.id) && hasAccount.has(n.id)).slice(0, OWNED);
  for (const [i, ou] of leafOus.entries())
    await addGuardrail(stack.prisma, c.workspaceId, "agent-no-destructive-actions", { nodeIds: [ou.id] }, { name: `agents ${i + 1}` });
  const first = (await processReconcile(setupDeps, { connectionId: c.connectionId, trigger: "guardrail-change" }))[0]!;
  if (first.status !== "succeeded") throw new Error(`setup reconcile ${first.status}: ${first.error ?? JSON.stringify(first.problems)}`);
  const owned = await stack.prisma.artifact.count({ where: { connectionId: c.connectionId } });

  const obs = await observeOnce(stack, c);
  const attachedOus = new Set(leafOus.map((o) => o.id));
  const spareOu = nodes.find((n) => n.kind === "ou" && !attachedOus.has(n.id))!;
  const spareExternal = (await stack.prisma.node.findUniqueOrThrow({ where: { id: spareOu.id } })).externalId;
  const pending = await observeOnce(stack, c, paced, spareExternal);
  const rec = await steadyReconcile(stack, c);
  if (rec.summary.calls.writes !== 0) throw new Error(`steady state wrote ${rec.summary.calls.writes} times`);

  // What a per-target design pays: ListPoliciesForTarget on the root, every OU and every account (SCPs
  // only here, since only SCPs are owned), then DescribePolicy for the owned ones it finds.
  const targets = [sim.state.root.id, ...sim.state.ous.keys(), ...sim.state.accounts.keys()];
  const client = new OrganizationsClient({
    region: "us-east-1",
    endpoint: sim.url,
    credentials: { ...AWS_SIM_DEFAULT_CREDENTIALS },
    maxAttempts: 3,
  });
  let scanCalls = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < targets.length) {
        const id = targets[next++]!;
        let token: string | undefined;
        do {
          const r = await client.send(
            new ListPoliciesForTargetCommand({ TargetId: id, Filter: "SERVICE_CONTROL_POLICY", ...(token ? { NextToken: token } : {}) }),
          );
          scanCalls++;
          token = r.NextToken;
        } while (token);
      }
    }),
  );
  const scanMs = performance.now() - t0;
  client.destroy();
  const scanTotal = scanCalls + owned;
  const minimum = 2 * owned;
  const figures: Figure[] = [
    { name: "owned policies", value: owned, unit: "" },
    {
      name: "steady-state observe: API calls",
      value: obs.stats.reads,
      unit: "calls",
      goal: `≤ ${minimum} (2 per owned policy)`,
      ok: obs.stats.reads <= minimum,
    },
    {
      name: "steady-state observe: calls per owned policy",
      value: obs.stats.reads / owned,
      unit: "calls/policy",
      goal: "≤ 2",
      ok: obs.stats.reads / owned <= 2,
    },
    {
      name: `steady-state observe: by operation ${JSON.stringify(obs.stats.byOperation)}; ListPoliciesForTarget (free-slot check, only where an attachment is pending)`,
      value: obs.stats.byOperation.ListPoliciesForTarget ?? 0,
      unit: "calls",
    },
    {
      name: `observe with one pending attachment (one guardrail gains a target): by operation ${JSON.stringify(pending.stats.byOperation)}`,
      value: pending.stats.reads,
      unit: "calls",
    },
    { name: "steady-state observe: wall time (adapter pacing on)", value: obs.ms / 1000, unit: "s" },
    {
      name: "steady-state full reconcile: API calls (writes)",
      value: rec.summary.calls.reads + rec.summary.calls.writes,
      unit: `calls (${rec.summary.calls.writes} writes)`,
    },
    { name: "steady-state full reconcile: wall time (pacing on)", value: rec.ms / 1000, unit: "s" },
    { name: "per-target scan: ListPoliciesForTarget calls (+ DescribePolicy per owned)", value: scanTotal, unit: "calls" },
    { name: "per-target scan ÷ steady-state observe", value: scanTotal / obs.stats.reads, unit: "×" },
    { name: "per-target scan: measured wall time, unthrottled simulator, 8 in flight", value: scanMs / 1000, unit: "s" },
    { name: "per-target scan: rate-limit floor at AWS TPS", value: scanCalls / READ_TPS + owned / DESCRIBE_TPS, unit: "s" },
    { name: "load average (1 min) at end", value: load1(), unit: "" },
  ];

  if (accounts >= 10_000) {
    // Discover with pacing off: the calls it makes and how long the simulator takes to answer them.
    const conn = await stack.prisma.connection.findUniqueOrThrow({ where: { id: c.connectionId } });
    const adapter = await unpaced({
      connectionId: conn.id,
      workspaceId: conn.workspaceId,
      cloud: "aws",
      endpoint: conn.endpoint,
      credentials: openCredentials(stack.keys, conn.id, conn.credentialCiphertext!),
      facts: conn.facts,
      limits: conn.limits,
    });
    const d0 = performance.now();
    const h = await adapter.discover();
    const dMs = performance.now() - d0;
    const ds = adapter.stats();
    await adapter.close();
    const floor = Object.entries(ds.byOperation).reduce((s, [op, n]) => s + n / (op === "DescribePolicy" ? DESCRIBE_TPS : READ_TPS), 0);
    figures.push(
      { name: `discover (${h.nodes.length} nodes): API calls`, value: ds.reads, unit: `calls ${JSON.stringify(ds.byOperation)}` },
      { name: "discover: wall time, pacing off, unthrottled simulator", value: dMs / 1000, unit: "s" },
      { name: `discover: pacing floor at AWS TPS (calls ÷ ${READ_TPS}/s)`, value: floor, unit: "s" },
      { name: "load average (1 min) after discover", value: load1(), unit: "" },
    );
  }
  report(`AWS steady state, ${accounts.toLocaleString("en")} accounts, ${ous} OUs (issues 5, 10)`, figures);
  await sim.close();
}

// The other three clouds: their demo organisations, two guardrails each.
async function otherCloud(cloud: "azure" | "gcp" | "oci") {
  let c: Connected;
  let close: () => Promise<void>;
  if (cloud === "azure") {
    const sim = await startAzureSim({ demo: true, throttle: false });
    c = await connectAzure(stack, sim);
    close = () => sim.close();
  } else if (cloud === "gcp") {
    const sim = await startGcpSim({ throttle: false });
    seedGcpDemo(sim);
    c = await connectGcp(stack, sim);
    close = () => sim.close();
  } else {
    const sim = await startOciSim({ throttle: false });
    const demo = sim.seedDemo();
    c = await connectOci(stack, sim, demo.credentials);
    close = () => sim.close();
  }
  const controls =
    cloud === "oci" ? ["agent-no-destructive-actions", "audit-logging-locked"] : ["restrict-regions", "audit-logging-locked"];
  await addGuardrail(stack.prisma, c.workspaceId, controls[0]!, { labels: "env=prod" });
  await addGuardrail(stack.prisma, c.workspaceId, controls[1]!, { all: true });
  const first = (await processReconcile(stack.deps(), { connectionId: c.connectionId, trigger: "manual", discover: true }))[0]!;
  if (first.status === "failed") throw new Error(`${cloud} setup: ${first.error}`);
  const owned = await stack.prisma.artifact.count({ where: { connectionId: c.connectionId } });
  const nodes = await stack.prisma.node.count({ where: { connectionId: c.connectionId } });
  const obs = await observeOnce(stack, c, stack.deps().adapterFor);
  const rec = await steadyReconcile(stack, c);
  report(`${cloud} steady state, demo organisation (${nodes} nodes, ${owned} owned artifacts) (issue 10)`, [
    { name: "steady-state observe: API calls", value: obs.stats.reads, unit: `calls ${JSON.stringify(obs.stats.byOperation)}` },
    { name: "steady-state observe: calls per owned artifact", value: obs.stats.reads / Math.max(1, owned), unit: "calls/artifact" },
    { name: "steady-state observe: wall time", value: obs.ms / 1000, unit: "s" },
    {
      name: "steady-state full reconcile: API calls",
      value: rec.summary.calls.reads + rec.summary.calls.writes,
      unit: `calls (${rec.summary.calls.writes} writes)`,
      goal: "0 writes",
      ok: rec.summary.calls.writes === 0,
    },
    { name: "steady-state full reconcile: wall time", value: rec.ms / 1000, unit: "s" },
    { name: "per-node scan (one list call per hierarchy node, lower bound)", value: nodes, unit: "calls" },
    { name: "load average (1 min) at end", value: load1(), unit: "" },
  ]);
  await close();
}

if (!sizes.length) for (const cloud of ["azure", "gcp", "oci"] as const) await otherCloud(cloud);
await stack.close();
