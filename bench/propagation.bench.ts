/**
 * Propagation of one guardrail change to all four clouds (issue 6): a workspace connected to a
 * 10,000-account AWS org and the Azure, GCP and OCI demo organisations, every simulator with its default
 * (AWS-like) throttling. The change: a new "agents cannot destroy data" guardrail on env=prod. The four
 * connections reconcile in parallel, as the reconcile queue runs them; wall time from the change to the
 * last cloud done is compared with the rate-limit floor: per cloud Σ over call families of
 * calls ÷ the family's sustained TPS (bursts ignored), and the four clouds run side by side, so the
 * floor of the whole propagation is the largest per-cloud floor.
 *   pnpm exec tsx bench/propagation.bench.ts [accounts=10000]
 * Goal (issue 6): propagation ≤ 1.2 × floor.
 */
import { seedAwsOrg, seedGcpDemo, startAwsSim, startAzureSim, startGcpSim, startOciSim } from "@parapet/cloud-sim";
import { DEFAULT_THROTTLE as AWS_THROTTLE } from "@parapet/cloud-sim/aws/index";
import { DEFAULT_THROTTLE as AZURE_THROTTLE } from "@parapet/cloud-sim/azure/index";
import { GCP_DEFAULT_THROTTLE } from "@parapet/cloud-sim/gcp/index";
import { DEFAULT_OCI_THROTTLE } from "@parapet/cloud-sim/oci/index";
import type { CallStats } from "@parapet/providers/contract";
import type { ThrottleRule } from "@parapet/cloud-sim/common/types";
import { processReconcile } from "../apps/worker/src/workers/reconcile.worker.ts";
import { report, type Figure } from "./lib/report.ts";
import {
  addGuardrail,
  benchAdapterFor,
  connectAws,
  connectAzure,
  connectGcp,
  connectOci,
  createWorkspace,
  load1,
  startBenchStack,
} from "./lib/stack.ts";

const ACCOUNTS = Number(process.argv[2] ?? 10_000);
type Cloud = "aws" | "azure" | "gcp" | "oci";

const AWS_WRITES = /^(Create|Update|Delete|Attach|Detach|Tag|Untag|Enable|Disable|Move)/;

/** The throttle family an operation counts against and its rule, per the simulators' defaults. */
function familyOf(cloud: Cloud, op: string, write: boolean): { family: string; rule: ThrottleRule } {
  switch (cloud) {
    case "aws": {
      const family = AWS_THROTTLE[op] ? op : write ? "write" : "read";
      return { family, rule: AWS_THROTTLE[family]! };
    }
    case "azure": {
      const family = write ? "write" : "read";
      return { family, rule: AZURE_THROTTLE[family]! };
    }
    case "gcp": {
      const svc = /deny|iam/i.test(op) ? "iam" : /folder|project|organization|search/i.test(op) ? "crm" : "orgpolicy";
      const family = `${svc}.${write ? "write" : "read"}`;
      return { family, rule: GCP_DEFAULT_THROTTLE[family]! };
    }
    case "oci": {
      const svc = /zone|recipe|target|cloudguard/i.test(op) ? "cloudguard" : "identity";
      const family = `${svc}-${write ? "write" : "read"}` as keyof typeof DEFAULT_OCI_THROTTLE;
      return { family, rule: DEFAULT_OCI_THROTTLE[family] };
    }
  }
}

const isWrite = (op: string) =>
  AWS_WRITES.test(op) ||
  /^(put|set|patch|post|delete|create|update|begin|attach|detach)/i.test(op) ||
  /[._](Create|Update|Delete|Put|Set|Patch)/.test(op);

/**
 * Floors for one cloud's calls: `plain` is Σ calls ÷ sustained TPS per family (the issue's definition);
 * `burst` credits each family's initial burst, which is what a token bucket really allows.
 */
function floors(cloud: Cloud, calls: CallStats): { plain: number; burst: number } {
  const byFamily = new Map<string, { n: number; rule: ThrottleRule }>();
  for (const [op, n] of Object.entries(calls.byOperation)) {
    if (/token|AssumeRole/i.test(op)) continue;
    const { family, rule } = familyOf(cloud, op, isWrite(op));
    const e = byFamily.get(family) ?? { n: 0, rule };
    e.n += n;
    byFamily.set(family, e);
  }
  let plain = 0;
  let burst = 0;
  for (const { n, rule } of byFamily.values()) {
    plain += n / rule.ratePerSec;
    burst += Math.max(0, n - rule.burst) / rule.ratePerSec;
  }
  return { plain, burst };
}

const stack = await startBenchStack({ tag: "propagation" });
const aws = await startAwsSim();
aws.configure({ throttle: false });
seedAwsOrg(aws, { accounts: ACCOUNTS, ous: Math.max(40, Math.round(ACCOUNTS / 5)), depth: 3 });
const azure = await startAzureSim({ demo: true });
const gcp = await startGcpSim();
seedGcpDemo(gcp);
const oci = await startOciSim();
const ociDemo = oci.seedDemo();

const ws = await createWorkspace(stack.prisma, "Propagation bench");
const conns: Record<Cloud, string> = {
  aws: (await connectAws(stack, aws, ws.id)).connectionId,
  azure: (await connectAzure(stack, azure, ws.id)).connectionId,
  gcp: (await connectGcp(stack, gcp, ws.id)).connectionId,
  oci: (await connectOci(stack, oci, ociDemo.credentials, ws.id)).connectionId,
};

// Setup, not measured: discover every hierarchy and apply a baseline guardrail, AWS unthrottled.
await addGuardrail(stack.prisma, ws.id, "restrict-regions", { all: true }, { name: "baseline: approved regions" });
const setupDeps = stack.deps({ adapterFor: benchAdapterFor({ rateLimits: false }) });
for (const cloud of Object.keys(conns) as Cloud[]) {
  const [s] = await processReconcile(setupDeps, { connectionId: conns[cloud], trigger: "manual", discover: true });
  if (s!.status === "failed") throw new Error(`${cloud} setup failed: ${s!.error}`);
}
aws.configure({ throttle: {} });
for (const sim of [aws, azure, gcp, oci]) sim.resetCounters();

const deps = stack.deps({ workerId: "bench-propagation" });

/** One guardrail change, then every connection reconciles at once with production pacing. */
async function propagate(title: string, controlId: string, scope: object) {
  for (const sim of [aws, azure, gcp, oci]) sim.resetCounters();
  const load0 = load1();
  const t0 = performance.now();
  const g = await addGuardrail(stack.prisma, ws.id, controlId, scope, { name: title });
  const results = await Promise.all(
    (Object.keys(conns) as Cloud[]).map(async (cloud) => {
      const [s] = await processReconcile(deps, { connectionId: conns[cloud], trigger: "guardrail-change", reason: `guardrail ${g.id} v1` });
      return { cloud, s: s!, ms: performance.now() - t0 };
    }),
  );
  const wallMs = Math.max(...results.map((r) => r.ms));
  const figures: Figure[] = [];
  let plain = 0;
  let burst = 0;
  for (const { cloud, s, ms } of results) {
    const f = floors(cloud, s.calls);
    plain = Math.max(plain, f.plain);
    burst = Math.max(burst, f.burst);
    const covered = await stack.prisma.coverageRow.count({ where: { connectionId: conns[cloud], guardrailId: g.id, status: "enforced" } });
    figures.push(
      {
        name: `${cloud}: ${s.status}${s.error ? ` (${s.error.slice(0, 300)})` : ""}, ${s.applied} changes applied, ${covered} environments enforced; calls ${JSON.stringify(s.calls.byOperation)}`,
        value: s.calls.reads + s.calls.writes,
        unit: `calls (${s.calls.writes} writes, ${s.calls.throttled} throttled)`,
      },
      {
        name: `${cloud}: wall time / floor (calls ÷ TPS) / floor with burst credit`,
        value: ms / 1000,
        unit: `s / ${f.plain.toFixed(2)} s / ${f.burst.toFixed(2)} s`,
      },
    );
  }
  figures.push(
    { name: "propagation to all four clouds: wall time", value: wallMs / 1000, unit: "s" },
    { name: "rate-limit floor, slowest cloud (calls ÷ TPS per family)", value: plain, unit: "s" },
    { name: "rate-limit floor, slowest cloud, with each family's burst credited", value: burst, unit: "s" },
    { name: "wall time ÷ floor (calls ÷ TPS)", value: wallMs / 1000 / plain, unit: "×", goal: "≤ 1.2 ×", ok: wallMs / 1000 / plain <= 1.2 },
    {
      name: "wall time ÷ floor with burst credit",
      value: burst > 0 ? wallMs / 1000 / burst : NaN,
      unit: "×",
      goal: "≤ 1.2 ×",
      ok: burst > 0 && wallMs / 1000 / burst <= 1.2,
    },
    { name: "load average (1 min) before / after", value: load0, unit: `/ ${load1()}` },
  );
  report(
    `propagation: ${title}; AWS ${ACCOUNTS.toLocaleString("en")} accounts + Azure, GCP, OCI demo orgs, default throttling (issue 6)`,
    figures,
  );
}

// Attaches high: whole prod subtrees take one attachment each.
await propagate("agents cannot destroy data on env=prod", "agent-no-destructive-actions", { labels: "env=prod" });
// Fans out: regulated accounts are scattered, so AWS needs one attachment per account.
await propagate("non-prod cannot read prod secrets on data=regulated", "nonprod-no-prod-secrets", { labels: "data=regulated" });

await Promise.all([aws.close(), azure.close(), gcp.close(), oci.close()]);
await stack.close();
