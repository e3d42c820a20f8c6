#!/usr/bin/env -S node --import tsx
/**
 * parapet-cloud-sim: starts the four simulators on loopback.
 *   --demo                 seed each with its realistic demo organisation
 *   --accounts N           seed AWS with N accounts (and GCP with N projects) instead
 *   --ous N                OUs/folders for --accounts (default N/5)
 *   --persist DIR          keep state in DIR/<cloud>.json
 *   --port-base P          AWS on P, Azure P+1, GCP P+2, OCI P+3 (default: free ports)
 *   --no-throttle          turn throttling off
 */
import { parseArgs } from "node:util";
import { seedAwsOrg, seedGcpOrg, startAllSims } from "./index.ts";

const { values } = parseArgs({
  options: {
    demo: { type: "boolean", default: false },
    accounts: { type: "string" },
    ous: { type: "string" },
    persist: { type: "string" },
    "port-base": { type: "string" },
    "no-throttle": { type: "boolean", default: false },
  },
});
const num = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) {
    console.error(`parapet-cloud-sim: --${name} must be a whole number from 0 to 100000, got "${v}"`);
    process.exit(2);
  }
  return n;
};
const accounts = num(values.accounts, "accounts");
const ous = num(values.ous, "ous");
const portBase = num(values["port-base"], "port-base");
const ports = portBase ? { aws: portBase, azure: portBase + 1, gcp: portBase + 2, oci: portBase + 3 } : undefined;

const t0 = performance.now();
const sims = await startAllSims({
  demo: values.demo,
  ...(values.persist ? { persistDir: values.persist } : {}),
  ...(ports ? { ports } : {}),
  ...(values["no-throttle"] ? { throttle: false as const } : {}),
});
if (accounts !== undefined) {
  seedAwsOrg(sims.aws, { accounts, ous: ous ?? Math.max(1, Math.floor(accounts / 5)) });
  seedGcpOrg(sims.gcp, { projects: accounts, folders: ous ?? Math.max(1, Math.floor(accounts / 5)) });
}
console.log(`cloud simulators ready in ${Math.round(performance.now() - t0)} ms`);
for (const s of [sims.aws, sims.azure, sims.gcp, sims.oci]) console.log(`  ${s.cloud.padEnd(6)} ${s.url}  (admin: ${s.url}/_admin/state)`);
const stop = () => void sims.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
