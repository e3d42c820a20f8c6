/**
 * Impact replay throughput (issue 16): a realistic month of CloudTrail for a 500-account organisation,
 * normalised the way the AWS reader normalises it, streamed in pages of 500 through the replay engine
 * (packages/core/src/impact/replay.ts) and the AWS evaluator (iam-simulate over the packed SCPs/RCPs)
 * for two guardrails. Identical requests are judged once; the figures say how many distinct requests
 * the mix held, how fast events went through, and what the process held at most.
 *   pnpm exec tsx bench/impact-replay.bench.ts [events=1000000]
 * Goal: ≥ 1,000,000 events in ≤ 5 minutes with memory bounded.
 */
import type { AuditEvent, AuditPage, PrincipalFacts } from "@parapet/providers/contract";
import { getControl } from "@parapet/core/catalog/catalog";
import { buildContext, compileControl } from "@parapet/core/catalog/compile";
import { SCENARIO_FACTS, SCENARIO_PRINCIPALS } from "@parapet/core/catalog/fixtures";
import { awsImpact } from "@parapet/core/impact/aws";
import { replayImpact } from "@parapet/core/impact/replay";
import { report } from "./lib/report.ts";
import { load1 } from "./lib/stack.ts";

const EVENTS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const PAGE = 500;
const ACCOUNTS = 500;
const PRINCIPALS = 2_000;

/** A small deterministic generator (mulberry32), so every run replays the same month. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(16);
/** Skewed pick: a few principals and buckets make most calls, as in real trails. */
const skewed = (n: number) => Math.min(n - 1, Math.floor(n * rand() ** 3));

const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(200000000000 + i));
const principals = Array.from({ length: PRINCIPALS }, (_, i) => {
  const account = accounts[i % ACCOUNTS]!;
  const kind = i % 10 === 0 ? "agent-runner" : i % 10 === 1 ? "ci-deploy" : i % 10 === 2 ? "BreakGlassAdmin" : `app-${i}`;
  return { arn: `arn:aws:iam::${account}:role/${kind}-${i}`, account, agent: i % 10 === 0 };
});
const READS = ["s3:GetObject", "s3:ListBucket", "ec2:DescribeInstances", "dynamodb:GetItem", "kms:Decrypt", "sts:GetCallerIdentity"];
const WRITES = ["s3:PutObject", "dynamodb:PutItem", "ec2:RunInstances", "lambda:UpdateFunctionCode"];
const DESTRUCTIVE = [
  "s3:DeleteObject",
  "s3:DeleteBucket",
  "dynamodb:DeleteTable",
  "rds:DeleteDBSnapshot",
  "ec2:DeleteSnapshot",
  "kms:ScheduleKeyDeletion",
];

/** The resource ARN each action names, in the form the Service Authorization Reference gives its resource type. */
function resourceFor(action: string, account: string): string {
  const n = skewed(50);
  switch (action) {
    case "s3:GetObject":
    case "s3:PutObject":
    case "s3:DeleteObject":
      return `arn:aws:s3:::data-${account}/obj-${skewed(200)}`;
    case "s3:ListBucket":
    case "s3:DeleteBucket":
      return `arn:aws:s3:::data-${account}`;
    case "dynamodb:GetItem":
    case "dynamodb:PutItem":
    case "dynamodb:DeleteTable":
      return `arn:aws:dynamodb:eu-west-1:${account}:table/orders-${n}`;
    case "rds:DeleteDBSnapshot":
      return `arn:aws:rds:eu-west-1:${account}:snapshot:nightly-${n}`;
    case "ec2:DeleteSnapshot":
      return `arn:aws:ec2:eu-west-1::snapshot/snap-0${String(n).padStart(16, "0")}`;
    case "ec2:DescribeInstances":
    case "ec2:RunInstances":
      return `arn:aws:ec2:eu-west-1:${account}:instance/i-0${String(n).padStart(16, "0")}`;
    case "kms:Decrypt":
    case "kms:ScheduleKeyDeletion":
      return `arn:aws:kms:eu-west-1:${account}:key/0000${String(n).padStart(4, "0")}-0000-4000-8000-000000000000`;
    case "lambda:UpdateFunctionCode":
      return `arn:aws:lambda:eu-west-1:${account}:function:api-${n}`;
    default:
      return "*";
  }
}

function eventAt(i: number): AuditEvent {
  const p = principals[skewed(PRINCIPALS)]!;
  const r = rand();
  const action =
    r < 0.8 ? READS[skewed(READS.length)]! : r < 0.95 ? WRITES[skewed(WRITES.length)]! : DESTRUCTIVE[skewed(DESTRUCTIVE.length)]!;
  const service = action.split(":")[0]!;
  const resource = resourceFor(action, p.account);
  return {
    cloud: "aws",
    id: `ev-${i}`,
    time: new Date(Date.UTC(2026, 10, 1) + i * 2_600).toISOString(),
    principal: { id: p.arn, type: "role", account: p.account },
    action,
    resource,
    nodeExternalId: p.account,
    region: "eu-west-1",
    readOnly: r < 0.8,
    plane: service === "s3" || service === "dynamodb" ? "data" : "management",
    outcome: "success",
    context: { "aws:RequestedRegion": "eu-west-1", "aws:PrincipalAccount": p.account, "aws:SourceIp": "203.0.113.7" },
  };
}

async function* pages(): AsyncGenerator<AuditPage> {
  for (let start = 0; start < EVENTS; start += PAGE) {
    const events: AuditEvent[] = [];
    for (let i = start; i < Math.min(EVENTS, start + PAGE); i++) events.push(eventAt(i));
    yield { events };
  }
}

/** Principal tags as IAM would answer ListRoleTags: agents carry agent=true. */
const tagsOf = new Map<string, Record<string, string>>(
  principals.map((p): [string, Record<string, string>] => [p.arn, p.agent ? { agent: "true" } : {}]),
);
let lookups = 0;
async function lookupPrincipals(ids: readonly string[]): Promise<PrincipalFacts[]> {
  lookups += ids.length;
  return ids.map((id) => ({ id, found: tagsOf.has(id), tags: tagsOf.get(id) ?? {} }));
}

const load0 = load1();
for (const controlId of ["agent-no-destructive-actions", "backups-undeletable"]) {
  const control = getControl(controlId)!;
  const input = {
    cloud: "aws" as const,
    mode: "enforce" as const,
    workspaceId: "bench",
    guardrail: { id: `g-${controlId}`, version: 1 },
    params: {},
    principals: SCENARIO_PRINCIPALS.aws,
    facts: SCENARIO_FACTS.aws,
  };
  const fragment = compileControl(control, input).fragment;
  if (fragment.cloud !== "aws") throw new Error("aws fragment expected");
  const prepared = awsImpact.prepare({ fragment, ctx: buildContext(input) });
  lookups = 0;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const t0 = performance.now();
  const s = await replayImpact({
    prepared,
    pages: pages(),
    scopeOf: () => "in",
    environmentOf: (e) => ({ name: e.nodeExternalId ?? "unknown" }),
    protectedClass: (e) => (/BreakGlass/.test(e.principal.id) ? "break-glass" : null),
    lookupPrincipals,
  });
  const sec = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  report(`impact replay: ${controlId} (AWS), ${EVENTS.toLocaleString("en")} events`, [
    { name: "wall time", value: sec, unit: "s", goal: "≤ 300 s for 1,000,000", ok: EVENTS < 1_000_000 || sec <= 300 },
    { name: "throughput", value: EVENTS / sec, unit: "events/s", goal: "≥ 3,333", ok: EVENTS / sec >= 3_333 },
    { name: "distinct requests judged", value: s.distinctRequests, unit: "" },
    { name: "events per distinct request", value: s.judged / Math.max(1, s.distinctRequests), unit: "×" },
    { name: "principal lookups", value: lookups, unit: "" },
    { name: "denied", value: s.denied, unit: "events" },
    { name: "unjudgeable", value: s.unjudgeable, unit: "events" },
    { name: "lockouts", value: s.lockouts.length, unit: "" },
    { name: "peak RSS", value: peakRss / 2 ** 20, unit: "MiB" },
    { name: "load (1 min) before", value: load0, unit: "" },
  ]);
  for (const u of s.unjudgeableReasons.slice(0, 3))
    console.log(`  not judgeable: ${u.count} × ${u.reason}${u.detail ? ` (${u.detail})` : ""}`);
}
