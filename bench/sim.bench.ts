/**
 * Simulator figures (issue 3): time and memory to seed a 10,000-account AWS org with 2,000 OUs, and
 * requests per second served for a read-heavy mix through the real AWS SDK on loopback.
 * Goals: seed ≤ 10 s; ≥ 2,000 req/s.
 */
import { ListPoliciesForTargetCommand } from "@aws-sdk/client-organizations";
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { seedAwsOrg, startAwsSim } from "@parapet/cloud-sim";
import { report } from "./lib/report.ts";
import { readMix, runMix, simClient } from "./lib/sim-mix.ts";
import { onInterrupt } from "../apps/worker/src/testing/on-interrupt.ts";

const sim = await startAwsSim({ throttle: false });
if (global.gc) global.gc();
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
const seeded = seedAwsOrg(sim, { accounts: 10_000, ous: 2_000, depth: 5, customerScps: 20 });
const seedMs = performance.now() - t0;
const heapMb = (process.memoryUsage().heapUsed - heap0) / 1024 / 1024;

const client = simClient(sim.url);
const root = seeded.rootId;
const ous = [...sim.state.ous.keys()].slice(0, 200);
const accounts = [...sim.state.accounts.keys()].slice(0, 200);
const policies =
  (await client.send(new ListPoliciesForTargetCommand({ TargetId: root, Filter: "SERVICE_CONTROL_POLICY" }))).Policies?.map((p) => p.Id!) ??
  [];
const ops = readMix(client, { ous, accounts, policies });
const total = 6000;
const concurrency = 32;
const rps = await runMix(ops, total, concurrency);
client.destroy();
const loadSame = loadavg()[0]!;

// The same mix from a load generator in another process: the simulator's process then only serves
// (spawned asynchronously: a synchronous spawn would block the event loop the simulator serves from).
async function clientProcess(mode: "sdk" | "raw", n: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(import.meta.dirname, "lib", "sim-client.ts"),
      JSON.stringify({ url: sim.url, ous, accounts, policies, total: n, concurrency, mode }),
    ],
    {
      cwd: import.meta.dirname,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const unregister = onInterrupt("simulator load client", { sync: () => void child.kill("SIGKILL") });
  await new Promise((r) => child.once("exit", r));
  unregister();
  const line = out.split("\n").find((l) => l.startsWith("{"));
  if (!line) console.error(err);
  return line ? (JSON.parse(line) as { rps: number }).rps : NaN;
}
const rpsSplit = await clientProcess("sdk", total);
const loadSplit = loadavg()[0]!;
const rpsRaw = await clientProcess("raw", 20_000);
await sim.close();

report("cloud simulators (issue 3)", [
  { name: "seed AWS org: 10,000 accounts, 2,000 OUs", value: seedMs / 1000, unit: "s", goal: "≤ 10 s", ok: seedMs <= 10_000 },
  { name: "heap for that org", value: heapMb, unit: "MiB" },
  {
    name: `read-heavy mix through the AWS SDK (SigV4), ${concurrency} concurrent, client and simulator in one process (load ${loadSame.toFixed(2)})`,
    value: rps,
    unit: "req/s",
    goal: "≥ 2,000 req/s",
    ok: rps >= 2000,
  },
  {
    name: `same mix, SDK client in a separate process (load ${loadSplit.toFixed(2)})`,
    value: rpsSplit,
    unit: "req/s",
    goal: "≥ 2,000 req/s",
    ok: rpsSplit >= 2000,
  },
  {
    name: `same mix served: SDK-signed requests replayed by autocannon from a separate process, ${concurrency} connections (load ${loadavg()[0]!.toFixed(2)})`,
    value: rpsRaw,
    unit: "req/s",
    goal: "≥ 2,000 req/s",
    ok: rpsRaw >= 2000,
  },
]);
